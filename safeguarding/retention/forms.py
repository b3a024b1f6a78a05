"""Retention forms: they collect and check input; the services write."""

from django import forms

from safeguarding import text
from safeguarding.widgets import GovukDateField

from .models import DisposalAction, StartsFrom


def _reason(label: str, help_text: str = "") -> forms.Field:
    return text.CharField(
        label=label,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        error_messages={"required": "Say why", "max_length": "Keep it to 2000 characters"},
    )


class RuleForm(forms.Form):
    """One rule of the schedule (checked again by ``schedule.rule_change``)."""

    years = forms.IntegerField(
        label="Years",
        min_value=0,
        error_messages={
            "required": "Enter the years (0 if none)",
            "invalid": "Enter the years as a whole number",
            "min_value": "Enter the years as a whole number from 0",
        },
    )
    months = forms.IntegerField(
        label="Months",
        min_value=0,
        error_messages={
            "required": "Enter the months (0 if none)",
            "invalid": "Enter the months as a whole number",
            "min_value": "Enter the months as a whole number from 0",
        },
    )
    starts_from = forms.ChoiceField(
        label="Counted from",
        choices=StartsFrom.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the period is counted from"},
    )
    action = forms.ChoiceField(
        label="At the end of the period",
        choices=DisposalAction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens at the end of the period"},
    )
    reason = _reason("Why does the schedule change?", "This is kept with the change.")


class HoldForm(forms.Form):
    reference = text.CharField(
        label="Reference of the record",
        max_length=40,
        help_text="A young person's, place's, peer group's or referral's, e.g. YP-7K2M9QDX4T.",
        error_messages={"required": "Enter the record's reference"},
    )
    reason = _reason(
        "Why is the record held?", "For example: a claim, an inquiry, an investigation."
    )


class LiftForm(forms.Form):
    reason = _reason("Why is the hold lifted?")


class ExtendForm(forms.Form):
    until = GovukDateField(
        label="Next review",
        help_text="A date in the future, for example 27 3 2030",
        error_messages={"required": "Enter the date of the next review"},
    )
    reason = _reason("Why is the record kept longer?")
