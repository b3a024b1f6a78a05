"""Forms for practitioners. They collect and check input; services do the writing.

Every text field is a :class:`safeguarding.text.CharField` (or ``PostcodeField``): typed text
is normalised by the one rule (NFC; control characters refused) before its length is checked.
"""

from datetime import datetime, time

from django import forms
from django.utils import timezone

from contexts.models import Context
from safeguarding import text
from safeguarding.pickers import PICKERS, PickerField, PickerFormMixin
from safeguarding.subjects.models import InformationSource, Reliability
from safeguarding.widgets import GovukDateField

from .models import ConcernSubject, HarmCategory, Referral
from .services import NEW

YOUNG_PERSON_PARTS = [
    (value, label)
    for value, label in ConcernSubject.Part.choices
    if value in ConcernSubject.PARTS_BY_KIND["young_person"]
]


class YoungPersonChoiceField(forms.ModelChoiceField):
    """A young person from a short list (a group's members), shown as the picker shows them."""

    def label_from_instance(self, obj):
        return PICKERS["young-people"].text(obj)


class ConcernForm(PickerFormMixin, forms.Form):
    """What happened, when and where. Give it ``user=``: the places and peer groups offered are
    the ones the rule lets them pick (searched for: see :mod:`safeguarding.pickers`)."""

    occurred_on = GovukDateField(label="When did it happen?", help_text="For example, 27 3 2026")
    occurred_time = forms.TimeField(
        label="Time (optional)",
        required=False,
        help_text="For example, 16:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter a time like 16:30"},
    )
    narrative = text.CharField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what happened"},
    )
    location = PickerField(
        "places", label="Where did it happen?", required=False, empty_label="Choose a known place"
    )
    new_place_name = text.CharField(
        label="Or add a new place: name", required=False, max_length=200
    )
    new_place_kind = forms.ChoiceField(
        label="Kind of place", choices=[("", "Choose"), *list(Context.Kind.choices)], required=False
    )
    new_place_postcode = text.PostcodeField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    location_description = text.CharField(
        label="Where, in words (optional)",
        required=False,
        max_length=300,
        help_text="For example, the stairwell of block C",
    )
    peer_group = PickerField("peer-groups", label="Peer group (optional)", required=False)
    harm_categories = forms.ModelMultipleChoiceField(
        label="Harm",
        queryset=HarmCategory.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one kind of harm"},
    )
    source = forms.ChoiceField(
        label="Where did the information come from?",
        choices=[("", "Choose"), *list(InformationSource.choices)],
        error_messages={"required": "Say where the information came from"},
    )
    source_detail = text.CharField(
        label="Source details (optional)", required=False, max_length=200
    )
    reliability = forms.ChoiceField(
        label="How reliable is it?",
        choices=Reliability.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how reliable the information is"},
    )

    def clean(self):
        data = super().clean()
        if data.get("location") and data.get("new_place_name"):
            self.add_error("new_place_name", "Choose a known place or add a new one, not both")
        if data.get("new_place_name") and not data.get("new_place_kind"):
            self.add_error("new_place_kind", "Say what kind of place it is")
        day = data.get("occurred_on")
        if day:
            # Without a time: midday, or now if that is earlier today (a concern logged at
            # 09:00 about this morning must not be "in the future").
            now = timezone.localtime()
            default = time(12) if day < now.date() else min(time(12), now.time())
            moment = timezone.make_aware(
                datetime.combine(day, data.get("occurred_time") or default)
            )
            if moment > timezone.now():
                self.add_error("occurred_on", "The date must be today or in the past")
            data["occurred_at"] = moment
        return data


class InvolvementForm(PickerFormMixin, forms.Form):
    """One young person in a concern: someone known (picked: give the form ``user=``), or a new
    person added inline."""

    young_person = PickerField("young-people", label="Young person", required=False)
    new_given_name = text.CharField(
        label="Or add someone new: first name", required=False, max_length=100
    )
    new_family_name = text.CharField(label="Last name", required=False, max_length=100)
    new_date_of_birth = GovukDateField(label="Date of birth (optional)", required=False)
    part = forms.ChoiceField(
        label="Their part in it", choices=[("", "Choose"), *YOUNG_PERSON_PARTS], required=False
    )

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (
            data.get("young_person") or data.get("new_given_name") or data.get("new_family_name")
        )

    def clean(self):
        data = super().clean()
        known = data.get("young_person")
        new = data.get("new_given_name") or data.get("new_family_name")
        if known and new:
            self.add_error(
                "new_given_name", "Choose a known young person or add someone new, not both"
            )
        if new and not (data.get("new_given_name") and data.get("new_family_name")):
            self.add_error("new_family_name", "Enter their first and last name")
        if (known or new) and not data.get("part"):
            self.add_error("part", "Say what part they had")
        return data


class BaseInvolvementFormSet(forms.BaseFormSet):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"user": self.user}

    def clean(self):
        if any(self.errors):
            return
        chosen = [
            f.cleaned_data["young_person"] for f in self.forms if f.cleaned_data.get("young_person")
        ]
        if len({yp.pk for yp in chosen}) != len(chosen):
            raise forms.ValidationError("Each young person can be named once")


InvolvementFormSet = forms.formset_factory(
    InvolvementForm, formset=BaseInvolvementFormSet, extra=3, max_num=20, validate_max=True
)


class AllocateForm(forms.Form):
    """A team manager gives a case to a worker of their own team.

    A select, not a picker: the choice is bounded by the team (not the borough), and a manager
    allocating wants to see their team to choose from, not recall a name. The team caseload
    page lists the same workers, one row each.
    """

    worker = forms.ModelChoiceField(
        label="Allocate to",
        queryset=None,
        empty_label="Choose a worker",
        error_messages={"required": "Choose who to allocate the work to"},
    )
    reason = text.CharField(label="Note (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, team, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        workers = team.members.filter(is_active=True, role__in=["social_worker", "team_manager"])
        if exclude is not None:
            workers = workers.exclude(pk=exclude.pk)
        self.fields["worker"].queryset = workers.order_by("last_name", "first_name")


class TransferForm(forms.Form):
    to_team = forms.ModelChoiceField(
        label="Transfer to",
        queryset=None,
        empty_label="Choose a team",
        error_messages={"required": "Choose the team to transfer to"},
    )
    reason = text.CharField(
        label="Why should the case move?",
        widget=forms.Textarea,
        error_messages={"required": "Say why the case should move"},
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = team.organisation.teams.exclude(pk=team.pk)


class TransferDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Will your team take this case?",
        choices=[("accept", "Accept the transfer"), ("reject", "Reject the transfer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to accept or reject the transfer"},
    )
    reason = text.CharField(
        label="Reason (needed to reject)", required=False, widget=forms.Textarea
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the transfer is rejected")
        return data


class TriageDecisionForm(forms.Form):
    """The front door's decision, with a link for each person or place the referral is about."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=Referral.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision"},
    )
    reason = text.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The referrer is told the decision; the reason stays with the council.",
        error_messages={"required": "Give the reason for the decision"},
    )

    def __init__(self, *args, known, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {}
        for item in known:
            row = item.row
            choices = [("", "Do not link")]
            if row.described_name:
                choices.append((NEW, f"Create a new record for “{row.described_name}”"))
            for record in item.matches:
                key = str(record.pk)
                self.targets[(row.pk, key)] = record
                if row.kind == "young_person":
                    born = (
                        f", born {record.date_of_birth:%-d %b %Y}" if record.date_of_birth else ""
                    )
                    label = f"{record.full_name}{born} ({record.reference})"
                else:
                    label = f"{record.name} ({record.reference})"
                choices.append((key, f"Link to {label}"))
            described = row.described_name or row.get_kind_display()
            # A link the referrer gave (by reference) is the first match, chosen already.
            initial = str(row.subject.concrete.pk) if row.subject_id else ""
            if (row.pk, initial) not in self.targets:
                initial = ""
            self.fields[f"link_{row.pk}"] = forms.ChoiceField(
                label=f"{row.get_kind_display()}: {described}",
                choices=choices,
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
            )

    def links(self) -> dict:
        result = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith("link_") or not value:
                continue
            row_id = int(name.removeprefix("link_"))
            result[row_id] = NEW if value == NEW else self.targets[(row_id, value)]
        return result


class ConditionalRadioSelect(forms.RadioSelect):
    """GOV.UK radios whose options reveal more questions: each input controls the element
    ``conditional-<its id>`` (the template renders those; GOV.UK Frontend shows and hides them,
    and without JavaScript they are all shown)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if option["attrs"].get("id"):
            option["attrs"]["data-aria-controls"] = f"conditional-{option['attrs']['id']}"
        return option


class ActionForm(PickerFormMixin, forms.Form):
    """Someone must do something about a subject by a date: a worker of the authority (picked:
    give the form ``user=``) or a partner organisation (``organisations=``, a few: a select).
    The service checks the rest and tells the owner."""

    WORKER = "worker"
    ORGANISATION = "organisation"

    description = text.CharField(
        label="What must be done?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A partner organisation reads this with the record's reference only: "
        "write what it needs to know to do the action.",
        error_messages={"required": "Say what must be done"},
    )
    due_on = GovukDateField(
        label="When must it be done by?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it must be done by"},
    )
    owner_kind = forms.ChoiceField(
        label="Who will do it?",
        choices=[(WORKER, "A worker of the council"), (ORGANISATION, "A partner organisation")],
        widget=ConditionalRadioSelect,
        error_messages={"required": "Choose who will do it"},
    )
    owner_user = PickerField("workers", label="Worker", required=False)
    owner_organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        required=False,
        empty_label="Choose an organisation",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on and due_on < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future")
        return due_on

    def clean(self):
        data = super().clean()
        kind = data.get("owner_kind")
        # Only the select under the chosen radio counts: the other may hold an earlier choice.
        if kind == self.WORKER:
            data["owner_organisation"] = None
            self._errors.pop("owner_organisation", None)
            if not data.get("owner_user") and "owner_user" not in self.errors:
                self.add_error("owner_user", "Choose the worker who will do it")
        elif kind == self.ORGANISATION:
            data["owner_user"] = None
            self._errors.pop("owner_user", None)
            if not data.get("owner_organisation") and "owner_organisation" not in self.errors:
                self.add_error("owner_organisation", "Choose the organisation that will do it")
        return data

    @property
    def owner_field(self) -> str:
        """The form field a service's error about the owner belongs to."""
        kind = self.cleaned_data.get("owner_kind") if hasattr(self, "cleaned_data") else None
        return "owner_organisation" if kind == self.ORGANISATION else "owner_user"


class NameStaffForm(PickerFormMixin, forms.Form):
    """Naming a member of staff on a restricted young person (``cases/naming.py``)."""

    person = PickerField(
        "staff",
        label="Member of staff",
        error_messages={"required": "Choose who to name on this record"},
    )
    reason = text.CharField(
        label="Why do they need to see this record?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why they need to see this record"},
    )


class UnnameStaffForm(forms.Form):
    reason = text.CharField(
        label="Why do they no longer need to see this record?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why they no longer need to see this record"},
    )
