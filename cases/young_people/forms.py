"""Forms about young people."""

from django import forms

from safeguarding import text
from safeguarding.pickers import PICKERS, PickerField, PickerFormMixin


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
