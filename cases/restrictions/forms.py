"""Forms for restricting a record, reviewing a restriction, and break-glass."""

from django import forms

from safeguarding import text
from safeguarding.widgets import ConditionalRadioSelect, GovukDateField

from .services import REASON_MAX_LENGTH, Decision


def _review_on(label, **kwargs):
    return GovukDateField(
        label=label,
        help_text="A date in the future, for example 27 3 2027. Leave it empty for six months.",
        required=False,
        **kwargs,
    )


def _reason(label, missing):
    return text.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": missing},
    )


class RestrictForm(forms.Form):
    """A team manager of the holding team restricts a record (``services.restriction_start``)."""

    reason = _reason("Why must only named staff see this record?", "Say why it is restricted")
    review_on = _review_on("Review date")


class RestrictionReviewForm(forms.Form):
    """Keep the restriction with a new review date, or lift it; with a reason either way."""

    decision = forms.ChoiceField(
        label="Must the record stay restricted?",
        choices=Decision.CHOICES,
        widget=ConditionalRadioSelect(reveals={Decision.KEEP: ["review_on"]}),
        error_messages={"required": "Choose whether to keep or lift the restriction"},
    )
    review_on = _review_on("Next review date")
    reason = _reason("Why?", "Say why")


class BreakGlassForm(forms.Form):
    """An out-of-hours manager asks for emergency access (``breakglass.break_glass``)."""

    reference = text.CharField(
        label="The young person's reference",
        help_text="For example YP-7K2M9QX4RT, from the call or the out-of-hours log.",
        max_length=20,
        error_messages={"required": "Enter the young person's reference"},
    )
    reason = _reason(
        "Why do you need to open this record now?", "Say why you need to open this record now"
    )
