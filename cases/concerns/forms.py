"""Logging a concern."""

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import ConcernSubject, HarmCategory, YoungPerson
from cases.young_people.dates import check_born_by, check_date_of_birth
from contexts.models import Context
from safeguarding import clock, text
from safeguarding.accounts import visibility
from safeguarding.pickers import PickerField, PickerFormMixin
from safeguarding.subjects.models import InformationSource, Reliability
from safeguarding.widgets import GovukDateField

YOUNG_PERSON_PARTS = [
    (value, label)
    for value, label in ConcernSubject.Part.choices
    if value in ConcernSubject.PARTS_BY_KIND["young_person"]
]


#: The answer "it is a new record" to "is this one already on record?".
NEW_RECORD = "new"


def same_as_field(label: str) -> forms.CharField:
    """The question asked when a new record may be a known one (safeguarding/duplicates.py):
    radios whose options (the matches, then :data:`NEW_RECORD`) the view sets when it asks
    (:func:`offer_matches`); otherwise not shown."""
    return text.CharField(label=label, required=False, max_length=20, widget=forms.RadioSelect)


def offer_matches(field: forms.Field, matches, label, new_label: str) -> None:
    field.widget.choices = [(str(m.pk), label(m)) for m in matches] + [(NEW_RECORD, new_label)]


def chosen_match(form, name: str, model):
    """What the user answered to :func:`same_as_field` ``name``: a record of ``model`` they may
    pick (use it instead), :data:`NEW_RECORD`, or ``None`` (not asked). A record they may not
    pick is an error at the field."""
    answer = form.cleaned_data.get(name) or ""
    if answer in ("", NEW_RECORD):
        return answer or None
    found = (
        visibility.restrict(form.user, model, visibility.PICK).filter(pk=answer).first()
        if answer.isdigit()
        else None
    )
    if found is None:
        form.add_error(name, "Choose one of the records offered, or say that it is new")
    return found


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
    #: Asked only when the time happened twice (the autumn clock change): see ``needs_fold``.
    occurred_fold = clock.fold_field(label="Which one?")
    narrative = text.CharField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what happened"},
    )
    location = PickerField(
        "places", label="Where did it happen?", required=False, empty_label="Choose a known place"
    )
    new_place_name = text.NameField(
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
    new_place_same_as = same_as_field("Is this a place already on record?")
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

    born_after_confirmed = forms.BooleanField(
        label="The dates are right: record the concern as typed",
        required=False,
        help_text="Only if someone named was born after the day it happened (a pre-birth "
        "concern, say).",
    )
    #: Set by :func:`born_by_the_concern` when the tick above is to be offered.
    offers_dates_confirmation = False

    def clean(self):
        data = super().clean()
        same = (
            chosen_match(self, "new_place_same_as", Context) if data.get("new_place_name") else None
        )
        if isinstance(same, Context):  # the place on record, instead of a new one
            data["location"], data["new_place_name"] = same, ""
        data["new_place_confirmed"] = same == NEW_RECORD
        if data.get("location") and data.get("new_place_name"):
            self.add_error("new_place_name", "Choose a known place or add a new one, not both")
        if data.get("new_place_name") and not data.get("new_place_kind"):
            self.add_error("new_place_kind", "Say what kind of place it is")
        day = data.get("occurred_on")
        if day:
            # Without a time: midday, or now if that is earlier today (a concern logged at
            # 09:00 about this morning must not be "in the future").
            now = timezone.localtime()
            at, fold = data.get("occurred_time"), data.get("occurred_fold")
            if at is None:
                at = time(12) if day < now.date() else min(time(12), now.time())
                if day == now.date() and at == now.time():
                    fold = now.fold  # logged during the repeated hour: this one
            try:
                moment = clock.combine(day, at, fold=fold)
            except ValidationError as error:
                # Local times at the clock change (safeguarding/clock.py): a time that did not
                # happen is refused at the time; one that happened twice asks which.
                if error.code == "ambiguous":
                    self.needs_fold = True
                    self.add_error("occurred_fold", error)
                else:
                    self.add_error(
                        "occurred_time" if data.get("occurred_time") else "occurred_on", error
                    )
                return data
            if moment > timezone.now():
                self.add_error("occurred_on", "The date must be today or in the past")
            data["occurred_at"] = moment
        return data

    @property
    def needs_fold(self) -> bool:
        """Whether the date and time typed happened twice (the autumn clock change), so the
        page asks which with the ``occurred_fold`` radios (shown only then)."""
        if getattr(self, "_needs_fold", False):
            return True
        data = getattr(self, "cleaned_data", None) or {}
        day, at = data.get("occurred_on"), data.get("occurred_time")
        return bool(day and at and clock.is_ambiguous(datetime.combine(day, at)))

    @needs_fold.setter
    def needs_fold(self, value: bool) -> None:
        self._needs_fold = value


class InvolvementForm(PickerFormMixin, forms.Form):
    """One young person in a concern: someone known (picked: give the form ``user=``), or a new
    person added inline."""

    young_person = PickerField("young-people", label="Young person", required=False)
    new_given_name = text.NameField(
        label="Or add someone new: first name", required=False, max_length=100
    )
    new_family_name = text.NameField(
        label="Last name (optional)",
        required=False,
        max_length=100,
        help_text="Leave this empty if they have only one name, or it is not known.",
    )
    new_date_of_birth = GovukDateField(
        label="Date of birth (optional)", required=False, validators=[check_date_of_birth]
    )
    same_as = same_as_field("Is this someone already on record?")
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
        new = data.get("new_given_name") or data.get("new_family_name")
        same = chosen_match(self, "same_as", YoungPerson) if new else None
        if isinstance(same, YoungPerson):  # the young person on record, instead of a new one
            data["young_person"], data["new_given_name"], data["new_family_name"] = same, "", ""
            data["new_date_of_birth"] = None
        data["confirmed_new"] = same == NEW_RECORD
        known = data.get("young_person")
        new = data.get("new_given_name") or data.get("new_family_name")
        if known and new:
            self.add_error(
                "new_given_name", "Choose a known young person or add someone new, not both"
            )
        # A last name nobody knows is left empty, never made up ("Unknown" is no name).
        if new and not data.get("new_given_name"):
            self.add_error("new_given_name", "Enter their first name")
        if (known or new) and not data.get("part"):
            self.add_error("part", "Say what part they had")
        return data


def born_by_the_concern(form: ConcernForm, formset) -> bool:
    """Each young person named (picked or added) was born by the day the concern happened
    (:mod:`cases.young_people.dates`), or the user has ticked "The dates are right"
    (``born_after_confirmed``): otherwise a warning at the row's date of birth, or at the young
    person picked, and the form offers the tick (``form.offers_dates_confirmation``). Call
    after both are valid; returns whether all is well."""
    moment = form.cleaned_data.get("occurred_at")
    if moment is None or form.cleaned_data.get("born_after_confirmed"):
        return True
    day = timezone.localtime(moment).date()
    well = True
    for row in formset.forms:
        data = getattr(row, "cleaned_data", None) or {}
        known = data.get("young_person")
        field, born = (
            ("young_person", known.date_of_birth)
            if known
            else ("new_date_of_birth", data.get("new_date_of_birth"))
        )
        try:
            check_born_by(born, day)
        except ValidationError as error:
            row.add_error(field, error)
            well = False
    form.offers_dates_confirmation = not well
    return well


class BaseInvolvementFormSet(forms.BaseFormSet):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"user": self.user}

    def clean(self):
        if any(self.errors):
            return
        # Named twice: said at the row that names them again (and so in the error summary,
        # linked to it), not only above the rows.
        seen = set()
        for row in self.forms:
            chosen = row.cleaned_data.get("young_person")
            if chosen is None:
                continue
            if chosen.pk in seen:
                row.add_error("young_person", "Each young person can be named once")
            seen.add(chosen.pk)


#: The most young people one concern names.
MAX_YOUNG_PEOPLE = 20
#: The submit buttons that add a row for another young person, or remove one (its value: the
#: row's index), without JavaScript (:mod:`safeguarding.formsets`).
ADD_YOUNG_PERSON = "add_young_person"
REMOVE_YOUNG_PERSON = "remove_young_person"

#: One row to start with; "Add another young person" adds more (up to 20).
InvolvementFormSet = forms.formset_factory(
    InvolvementForm,
    formset=BaseInvolvementFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_YOUNG_PEOPLE,
    validate_max=True,
)
