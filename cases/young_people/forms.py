"""Forms about young people."""

from django import forms

from safeguarding import text
from safeguarding.pickers import PICKERS, PickerField, PickerFormMixin
from safeguarding.subjects.models import InformationSource
from safeguarding.widgets import GovukDateField

from .models import Alias


class YoungPersonChoiceField(forms.ModelChoiceField):
    """A young person from a short list (a group's members), shown as the picker shows them."""

    def label_from_instance(self, obj):
        return PICKERS["young-people"].text(obj)


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


class AliasForm(forms.Form):
    """Another name a young person is known by (``cases.young_people.services.alias_add``)."""

    name = text.CharField(
        label="Other name",
        help_text="A nickname, street name, online name or former name. Write it as it is used.",
        max_length=200,
        error_messages={"required": "Enter the other name"},
    )
    kind = forms.ChoiceField(
        label="What kind of name is it?",
        choices=Alias.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of name it is"},
    )
    source = forms.ChoiceField(
        label="Where did the name come from?",
        choices=[("", "Choose"), *InformationSource.choices],
        error_messages={"required": "Select where the name came from"},
    )
    notes = text.CharField(
        label="Notes (optional)",
        help_text="For example, who uses the name, or where it was seen.",
        required=False,
        max_length=200,
    )


class AliasEndForm(forms.Form):
    """An alias no longer used (``cases.young_people.services.alias_end``): it stays in the
    record's history."""

    ended_on = GovukDateField(
        label="When did they stop using it? (optional)",
        help_text="Leave empty for today. For example, 27 3 2026",
        required=False,
    )
    reason = text.CharField(
        label="Why is the name no longer used?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Say why the name is no longer used"},
    )
