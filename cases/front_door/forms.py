"""Triage forms."""

from django import forms

from cases.models import HarmCategory, Referral
from cases.services import NEW
from cases.young_people.names import split_full_name
from contexts.models import Context
from safeguarding import text
from safeguarding.pickers import PickerField, PickerFormMixin
from safeguarding.widgets import GovukDateField


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
            if row.described_name and row.kind == "young_person":
                # The full name is kept as given; the split is said before it is made.
                given, family = split_full_name(row.described_name)
                split = (
                    f"given names “{given}”, family name “{family}”"
                    if family
                    else f"given name “{given}”, no family name"
                )
                choices.append((NEW, f"Create a new record for “{row.described_name}” ({split})"))
            elif row.described_name:
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
            if row.described_name and item.identical:
                same = (
                    "name and date of birth" if row.kind == "young_person" else "name and postcode"
                )
                self.fields[f"confirm_new_{row.pk}"] = forms.BooleanField(
                    label=f"Create a new record for “{row.described_name}” even though one with "
                    f"the same {same} is on record",
                    required=False,
                )

    def confirmed_new(self) -> set[int]:
        """The referral rows for which the user confirmed a new record despite an identical
        one (``referral_decide(confirmed_new=...)``)."""
        return {
            int(name.removeprefix("confirm_new_"))
            for name, value in self.cleaned_data.items()
            if name.startswith("confirm_new_") and value
        }

    def links(self) -> dict:
        result = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith("link_") or not value:
                continue
            row_id = int(name.removeprefix("link_"))
            result[row_id] = NEW if value == NEW else self.targets[(row_id, value)]
        return result


# --- making a referral in the browser ----------------------------------------------------------

#: The most young people one referral describes (the API's limit too).
MAX_REFERRED_YOUNG_PEOPLE = 20
#: The submit buttons that add a young person's row, or remove one (its value: the row's index),
#: without JavaScript (:mod:`safeguarding.formsets`).
ADD_YOUNG_PERSON = "add_young_person"
REMOVE_YOUNG_PERSON = "remove_young_person"


class ReferredYoungPersonForm(forms.Form):
    """One young person, as the referrer describes them (as the API's ``young_people[]``).

    Only shapes and formats are checked here; whether a name is given, and a date of birth in
    the past, the service decides (``referral_receive``), with the API's messages."""

    name = text.CharField(label="Full name", required=False, max_length=200)
    date_of_birth = GovukDateField(
        label="Date of birth (optional)", required=False, help_text="For example, 27 3 2010"
    )
    address = text.CharField(
        label="Address (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    postcode = text.PostcodeField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )

    @property
    def is_blank(self) -> bool:
        """Nothing typed in the row (a row left empty is not a young person)."""
        data = self.cleaned_data
        return not any(data.get(name) for name in ("name", "date_of_birth", "address", "postcode"))


ReferredYoungPeopleFormSet = forms.formset_factory(
    ReferredYoungPersonForm,
    extra=0,
    min_num=1,
    max_num=MAX_REFERRED_YOUNG_PEOPLE,
    validate_max=True,
)


class ReferralForm(PickerFormMixin, forms.Form):
    """A referral to the front door, in the browser: the same fields as the API's
    ``POST /api/v1/referrals/`` (the young people are a formset beside it).

    Like the API's serializers, it checks only shapes and formats: every rule (someone or
    somewhere, a name, a kind of place, a way to reply, consent and the lawful basis) is the
    service's (``cases.front_door.services.referral_receive``), so the browser and the API
    refuse the same referrals with the same messages. Give it ``user=``: the known places
    offered are those the rule lets them pick (a partner: its authority's directory).
    """

    form_token = text.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    place = PickerField(
        "places",
        label="A known place (optional)",
        required=False,
        empty_label="Choose a known place",
    )
    place_name = text.CharField(label="Or describe a place: name", required=False, max_length=200)
    place_kind = forms.ChoiceField(
        label="Kind of place",
        choices=[("", "Choose"), *list(Context.Kind.choices)],
        required=False,
    )
    place_address = text.CharField(
        label="Address (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    place_postcode = text.PostcodeField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    harm_categories = forms.ModelMultipleChoiceField(
        label="Harm",
        queryset=HarmCategory.objects.filter(is_active=True).order_by("display_order", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
    )
    narrative = text.CharField(
        label="What happened, and why are you worried?",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Referral.Urgency.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    referrer_name = text.CharField(label="Your name", required=False, max_length=200)
    referrer_role = text.CharField(label="Your role (optional)", required=False, max_length=200)
    referrer_email = text.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="An email address or a phone number, for the front door to reply to.",
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    referrer_phone = text.CharField(label="Phone number", required=False, max_length=40)
    consent = forms.ChoiceField(
        label="Did the young person (or their carer) agree to this referral?",
        choices=Referral.Consent.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=Referral.LawfulBasis.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Consent only when consent was given.",
    )
    lawful_basis_detail = text.CharField(
        label="Why is the information shared without consent?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when consent was not given or not sought.",
    )

    def clean(self):
        data = super().clean()
        if data.get("place") and data.get("place_name"):
            self.add_error("place_name", "Choose a known place or describe one, not both")
        return data
