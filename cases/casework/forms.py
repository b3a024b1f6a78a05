"""Casework forms."""

from datetime import datetime

from django import forms
from django.utils import timezone

from cases.casework.documents import ACCEPTED_WORDS, max_bytes
from cases.casework.models import CaseNote
from cases.casework.services import ACTION_PROGRESS_STATUSES
from safeguarding import text
from safeguarding.pickers import PickerField, PickerFormMixin
from safeguarding.subjects.models import InformationSource, Reliability
from safeguarding.widgets import ConditionalRadioSelect, GovukDateField


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
        widget=ConditionalRadioSelect(
            reveals={WORKER: ["owner_user"], ORGANISATION: ["owner_organisation"]}
        ),
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


class ActionProgressForm(forms.Form):
    """Progress on an action, by whoever owns it (a partner organisation's people, or the
    worker): its status and a note of what has been done, as the API's ``PATCH
    /api/v1/actions/{id}/`` sets them (the note replaces the previous one)."""

    status = forms.ChoiceField(
        label="Status",
        choices=[(s.value, s.label) for s in ACTION_PROGRESS_STATUSES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status"},
    )
    progress_note = text.CharField(
        label="Update note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What has been done so far. The council reads it with the action.",
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class CaseNoteForm(forms.Form):
    """A case note: what kind, when, who was there, (for a young person) whether they were seen
    and seen alone, the note, and its source and reliability. Give it ``subject_kind`` (a
    ``Subject.Kind`` value: the seen questions are asked about a young person only) and
    ``oversees`` (whether the user is a team manager: only they are offered management
    oversight; the service refuses it from anyone else, at this field). The service checks the
    rest."""

    kind = forms.ChoiceField(
        label="What kind of note is this?",
        choices=CaseNote.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of note this is"},
    )
    occurred_on = GovukDateField(
        label="When did it happen?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it happened"},
    )
    occurred_time = forms.TimeField(
        label="Time",
        help_text="For example, 16:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={
            "required": "Enter the time it happened",
            "invalid": "Enter a time like 16:30",
        },
    )
    present = text.CharField(
        label="Who was present? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Names and roles, for example the young person, their mother, PC Example.",
    )
    seen = forms.ChoiceField(
        label="Was the young person seen?",
        choices=YES_NO,
        required=False,
        widget=ConditionalRadioSelect(reveals={"yes": ["seen_alone"]}),
        help_text="Needed for a visit.",
    )
    seen_alone = forms.ChoiceField(
        label="Were they seen alone?",
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    text = text.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter the note"},
    )
    source = forms.ChoiceField(
        label="Where did the information come from?",
        choices=[("", "Choose"), *InformationSource.choices],
        initial=InformationSource.PROFESSIONAL,
        error_messages={"required": "Select where the information came from"},
    )
    reliability = forms.ChoiceField(
        label="How reliable is it?",
        choices=Reliability.choices,
        initial=Reliability.CONFIRMED,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how reliable the information is"},
    )

    def __init__(self, *args, subject_kind: str, oversees: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.about_young_person = subject_kind == "young_person"
        if not self.about_young_person:
            del self.fields["seen"], self.fields["seen_alone"]
        if not oversees:
            # Offered to team managers only; chosen by anyone else, the service says why not.
            kind = self.fields["kind"]
            kind.widget.choices = [c for c in kind.choices if c[0] != CaseNote.Kind.OVERSIGHT]

    def clean(self):
        data = super().clean()
        day, at = data.get("occurred_on"), data.get("occurred_time")
        if day and at:
            moment = timezone.make_aware(datetime.combine(day, at))
            if moment > timezone.now():
                self.add_error("occurred_on", "The date and time must be in the past")
            data["occurred_at"] = moment
        if self.about_young_person:
            seen = {"yes": True, "no": False}.get(data.get("seen") or "")
            alone = {"yes": True, "no": False}.get(data.get("seen_alone") or "")
            if data.get("kind") == CaseNote.Kind.VISIT and seen is None:
                self.add_error("seen", "Select whether the young person was seen")
            if alone and seen is False:
                self.add_error("seen_alone", "A young person seen alone was seen: select yes")
            data["seen_value"] = seen
            data["seen_alone_value"] = alone if seen else (False if seen is False else None)
        else:
            data["seen_value"] = data["seen_alone_value"] = None
        return data


class CaseNoteStrikeForm(forms.Form):
    reason = text.CharField(
        label="Why was this note written in error?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The note stays on the record, struck through, with this reason.",
        error_messages={"required": "Enter why the note was written in error"},
    )


class DocumentForm(forms.Form):
    """A document to keep: what it is, and the file. Its type is decided from its bytes by the
    service (``cases.casework.documents``), not from its name or what the browser says."""

    title = text.CharField(
        label="What is it?",
        max_length=200,
        help_text="For example, letter to the school, strategy meeting minutes, photo of the "
        "entrance.",
        error_messages={"required": "Enter what the document is"},
    )
    file = forms.FileField(
        label="Upload a file",
        widget=forms.FileInput,
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = f"{ACCEPTED_WORDS}, smaller than {limit} MB."


class CaseRiskForm(forms.Form):
    """A case's risk level and next review date, and why they change (``case_risk_set``)."""

    risk = forms.ChoiceField(
        label="Risk level",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk level"},
    )
    next_review_due = GovukDateField(
        label="Date of the next review",
        help_text="Today or later. For example, 27 3 2027",
        error_messages={"required": "Enter the date of the next review"},
    )
    reason = text.CharField(
        label="Why are they changing?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept with the change in the case's history and the chronology.",
        error_messages={"required": "Say why the risk level or review date is changing"},
    )

    def __init__(self, *args, **kwargs):
        from cases.models import Case

        super().__init__(*args, **kwargs)
        self.fields["risk"].choices = Case.Risk.choices

    def clean_next_review_due(self):
        due = self.cleaned_data["next_review_due"]
        if due and due < timezone.localdate():
            raise forms.ValidationError(
                "The date of the next review must be today or in the future"
            )
        return due


class CaseCloseRequestForm(forms.Form):
    """Ask to close a case: the closure reason, and (when actions on the subject are still
    open) the worker's confirmation that they are handed over."""

    reason = text.CharField(
        label="Why should the case close?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, the plan's outcomes are met, or the young person has moved "
        "away and the new authority has the case. Your team manager reads this to sign it off.",
        error_messages={"required": "Say why the case should close"},
    )
    open_actions_handed_over = forms.BooleanField(
        label="I have handed over these open actions, or told their owners the case is closing",
        required=False,
    )

    def __init__(self, *args, open_actions=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not open_actions:
            del self.fields["open_actions_handed_over"]


class CaseClosureDecisionForm(forms.Form):
    """A team manager signs off a closure or returns it to the worker with a comment."""

    SIGN_OFF = "sign_off"
    RETURN = "return"

    decision = forms.ChoiceField(
        label="Do you sign off the closure?",
        choices=[(SIGN_OFF, "Sign off: close the case"), (RETURN, "Return it to the worker")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to sign off the closure or return it"},
    )
    comment = text.CharField(
        label="Comment (needed to return it)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="If you return it, say what must be done before the case can close: "
        "the worker sees this on the case.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not data.get("comment", "").strip():
            self.add_error("comment", "Say what must be done before the case can close")
        return data


class CaseReasonForm(forms.Form):
    """Why: a case reopened, a new case opened."""

    reason = text.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why"},
    )

    def __init__(self, *args, label="Why?", required_message="Say why", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message


class CaseOpenForm(CaseReasonForm):
    """A new episode of work on a subject for the manager's team: allocated now, or queued."""

    worker = forms.ModelChoiceField(
        label="Allocate to (optional)",
        queryset=None,
        required=False,
        empty_label="Leave it in the team's unallocated queue",
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(
            *args,
            label="Why is the work starting?",
            required_message="Say why the work is starting",
            **kwargs,
        )
        workers = team.members.filter(is_active=True, role__in=["social_worker", "team_manager"])
        self.fields["worker"].queryset = workers.order_by("last_name", "first_name")
