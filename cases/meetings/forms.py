"""The meetings' forms: plain fields, checked again by the services (which say what is wrong
field by field). Times are typed as 24-hour ``HH:MM`` beside a GOV.UK date."""

from datetime import datetime

from django import forms
from django.utils import timezone

from cases.models import Decision, Invitee, Meeting
from safeguarding.pickers import PickerField, PickerFormMixin
from safeguarding.text import CharField, EmailField, NameField
from safeguarding.widgets import GovukDateField

TEXTAREA = forms.Textarea(attrs={"rows": 4})


def _time(label: str, required: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        help_text="24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": required, "invalid": "Enter a time like 14:30"},
    )


class WhenAndWhereForm(forms.Form):
    """When and where a meeting is (arranging and moving it)."""

    day = GovukDateField(
        label="Date",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the meeting"},
    )
    starts = _time("Start time", "Enter the start time")
    ends = _time("End time", "Enter the end time")
    location = CharField(
        label="Where",
        required=False,
        max_length=200,
        help_text="An address or a room. Leave empty if it is online only.",
    )
    online = forms.BooleanField(label="Online (a video call)", required=False)

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and starts and ends:
            zone = timezone.get_current_timezone()
            data["starts_at"] = timezone.make_aware(datetime.combine(day, starts), zone)
            data["ends_at"] = timezone.make_aware(datetime.combine(day, ends), zone)
        return data


class ScheduleForm(PickerFormMixin, WhenAndWhereForm):
    """Arranging a meeting: the chair (council staff, the ``staff`` picker) and an optional
    co-chair (staff or a partner agency's user, the ``people`` picker), each searched for,
    never listed (give the form ``user=``); the service checks them again."""

    title = CharField(
        label="Panel name",
        required=False,
        max_length=120,
        help_text="For a MACE panel, for example 'North MACE panel'.",
    )
    chair = PickerField(
        "staff",
        label="Chair",
        empty_label="Choose the chair",
        error_messages={"required": "Choose the chair"},
    )
    co_chair = PickerField(
        "people",
        label="Co-chair (optional)",
        required=False,
        empty_label="No co-chair",
        help_text="Council staff or a partner agency's (the police co-chair a MACE panel): "
        "search by their name, then choose.",
    )
    field_order = ["title", "day", "starts", "ends", "location", "online", "chair", "co_chair"]

    def __init__(self, *args, mace: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not mace:
            del self.fields["title"]


class CancelForm(forms.Form):
    reason = CharField(
        label="Why is the meeting cancelled?",
        widget=TEXTAREA,
        error_messages={"required": "Say why the meeting is cancelled"},
    )


class InviteForm(PickerFormMixin, forms.Form):
    """Who is invited: a person with an account (council staff or a partner agency's, the
    ``people`` picker: give the form ``user=``), an organisation (a few: a select), or someone
    with no account. The service checks the combination."""

    user = PickerField(
        "people",
        label="A person with an account",
        required=False,
        empty_label="Choose a person",
    )
    organisation = forms.ModelChoiceField(
        label="An organisation",
        queryset=None,
        required=False,
        empty_label="Choose an organisation",
        help_text="With no person chosen, the organisation's "
        "own channels are told; with an email address below, "
        "the person invited speaks for it.",
    )
    name = NameField(label="Name of someone with no account", required=False, max_length=120)
    role = CharField(label="Their role", required=False, max_length=120)
    email = EmailField(label="Their email address", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ReportForm(forms.Form):
    text = CharField(
        label="Your report",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What your organisation knows and recommends. The chair and "
        "the council read it; other partners do not.",
        error_messages={"required": "Enter your report"},
    )


class HoldForm(forms.Form):
    """Held on (a date) and each invitee's attendance (``attendance_<pk>``)."""

    held_on = GovukDateField(
        label="Date it was held",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it was held"},
    )

    def __init__(self, *args, invitees, **kwargs):
        super().__init__(*args, **kwargs)
        for invitee in invitees:
            self.fields[f"attendance_{invitee.pk}"] = forms.ChoiceField(
                label=invitee.shown_name,
                choices=[c for c in Invitee.Attendance.choices if c[0] != "invited"],
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                error_messages={"required": f"Choose the attendance of {invitee.shown_name}"},
            )

    def attendance(self) -> dict[int, str]:
        return {
            int(name.removeprefix("attendance_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("attendance_")
        }


#: The fields of a form's subject pickers (``safeguarding/pickers.py``), at most one chosen.
SUBJECT_PICKERS = ("young_person", "place", "peer_group")


class SubjectPickersMixin(PickerFormMixin):
    """A young person, a place or a peer group, each picked by search (the borough's
    directories are too big for a select; give the form ``user=``): at most one of the three.
    ``cleaned_data["subject"]`` is the picked record's ``Subject`` (None if none), which is
    what the services take; the three fields are not in it."""

    def clean(self):
        data = super().clean()
        picked = [(name, data.pop(name, None)) for name in SUBJECT_PICKERS]
        picked = [(name, record) for name, record in picked if record is not None]
        for name, _record in picked[1:]:
            self.add_error(name, "Choose one young person, place or peer group, not two")
        data["subject"] = picked[0][1].subject if picked else None
        return data


class AgendaItemForm(SubjectPickersMixin, forms.Form):
    """An agenda item: a young person, place or peer group (picked), a person of concern by
    reference, or a theme. The service checks that exactly one is given."""

    young_person = PickerField(
        "young-people", label="What is the item about: a young person", required=False
    )
    place = PickerField("places", label="Or a place", required=False)
    peer_group = PickerField("peer-groups", label="Or a peer group", required=False)
    reference = CharField(
        label="Person of concern: their reference",
        required=False,
        max_length=40,
        help_text="A police nominal number or similar. Never a name.",
    )
    theme = CharField(label="Or a theme", required=False, max_length=200)
    minutes_allowed = forms.IntegerField(
        label="Minutes allowed",
        min_value=1,
        max_value=240,
        initial=10,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    shareable = forms.BooleanField(label="Partners invited may read this item", required=False)


class AgendaRecordForm(forms.Form):
    discussion = CharField(label="Discussion", widget=TEXTAREA, required=False)
    update = CharField(label="Update: what has changed", widget=TEXTAREA, required=False)
    level = forms.ChoiceField(
        label="Level agreed",
        required=False,
        choices=[("", "Not changed"), ("low", "Low"), ("medium", "Medium"), ("high", "High")],
    )
    shareable = forms.BooleanField(label="Partners invited may read this item", required=False)


class DecisionForm(forms.Form):
    text = CharField(
        label="Decision", widget=TEXTAREA, error_messages={"required": "Say what was decided"}
    )
    reason = CharField(
        label="Reasons",
        widget=TEXTAREA,
        error_messages={"required": "Give the reasons for the decision"},
    )
    dissent = CharField(
        label="Dissent (optional)",
        widget=TEXTAREA,
        required=False,
        help_text="Who disagreed, and why.",
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "Choose the outcome"), *Decision.Outcome.choices],
    )
    icpc = forms.BooleanField(
        label="An initial child protection conference is to be held", required=False
    )
    shareable = forms.BooleanField(label="Partners invited may read this decision", required=False)

    def __init__(self, *args, strategy: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not strategy:
            del self.fields["outcome"]
            del self.fields["icpc"]


class MeetingActionForm(SubjectPickersMixin, forms.Form):
    """An action the meeting agreed: about the meeting's subject (nothing picked) or one of its
    agenda's (picked, checked by the service); owned by a worker of the council (picked from
    the ``workers`` picker: give the form ``user=``) or a partner organisation
    (``organisations=``, a few: a select)."""

    description = CharField(
        label="What must be done?",
        widget=TEXTAREA,
        error_messages={"required": "Say what must be done"},
    )
    young_person = PickerField(
        "young-people",
        label="About (optional): a young person",
        required=False,
        help_text="Leave these empty for the meeting's subject; otherwise choose one on its "
        "agenda. Search by name, alias, date of birth or postcode, then choose.",
    )
    place = PickerField("places", label="Or a place", required=False)
    peer_group = PickerField("peer-groups", label="Or a peer group", required=False)
    due_on = GovukDateField(
        label="When must it be done by?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it must be done by"},
    )
    owner_user = PickerField("workers", label="A worker of the council", required=False)
    owner_organisation = forms.ModelChoiceField(
        label="Or a partner organisation",
        queryset=None,
        required=False,
        empty_label="Choose an organisation",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations


class MinutesForm(forms.Form):
    """The summary, up to :attr:`SECTIONS` sections (empty ones ignored) and the next meeting."""

    SECTIONS = 4

    summary = CharField(
        label="Summary (the council's: partners do not read it)",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write a summary of the meeting"},
    )
    next_meeting_on = GovukDateField(
        label="Next meeting (optional)", required=False, help_text="For example, 27 3 2026"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, self.SECTIONS + 1):
            self.fields[f"heading_{i}"] = CharField(
                label=f"Section {i}: heading", required=False, max_length=120
            )
            self.fields[f"text_{i}"] = CharField(
                label=f"Section {i}: text", widget=TEXTAREA, required=False
            )
            self.fields[f"shareable_{i}"] = forms.BooleanField(
                label=f"Partners invited may read section {i}", required=False
            )

    def sections(self) -> list[tuple[str, str, bool]]:
        data = self.cleaned_data
        return [
            (data[f"heading_{i}"], data[f"text_{i}"], data[f"shareable_{i}"])
            for i in range(1, self.SECTIONS + 1)
            if data.get(f"heading_{i}") or data.get(f"text_{i}")
        ]


class IcpcHeldForm(forms.Form):
    held_on = GovukDateField(
        label="Date the conference was held",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date"},
    )


KIND_CHOICES = Meeting.Kind.choices
