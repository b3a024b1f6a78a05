"""Forms about places: a place's guardians."""

from django import forms

from safeguarding import text
from safeguarding.views import record_formfield
from safeguarding.widgets import GovukDateField

from .models import ContextGuardian
from .services import GUARDIAN_FIELDS, ORGANISATION_OR_NAME


class GuardianForm(forms.ModelForm):
    """An organisation or a capable adult with influence over a place (add and edit pages).
    Give it ``organisations=`` (``contexts.services.guardian_organisations``: a few, a select).
    Either an organisation or a named adult or role is needed: the error is at the
    organisation's field (the service says the same; the database is the last word)."""

    class Meta:
        model = ContextGuardian
        fields = GUARDIAN_FIELDS
        formfield_callback = record_formfield
        labels = {
            "organisation": "Organisation (if there is one)",
            "name": "Adult's name or role",
            "role": "What they do there",
            "told_of_concerns": "Tell the organisation when a concern is logged at this place",
            "notes": "Notes (optional)",
        }
        help_texts = {
            "name": "For example, “Station duty manager” or “Sam, the shop's owner”. "
            "Leave empty if the organisation is enough.",
            "role": "For example, security, youth work, staff on the gate (optional)",
            "contact": "A phone number, a mailbox or who to ask for (optional)",
            "present_when": "For example, weekdays 7am to 7pm, or Friday evenings (optional)",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations
        field.empty_label = "No organisation"
        field.error_messages["invalid_choice"] = "Choose an organisation from the list"
        told = self.fields["told_of_concerns"]
        told.help_text = "They are told on their notification channels, by the place's reference."

    def clean(self):
        data = super().clean()
        if (
            "organisation" not in self.errors
            and "name" not in self.errors
            and data.get("organisation") is None
            and not data.get("name")
        ):
            self.add_error("organisation", ORGANISATION_OR_NAME)
        return data


class GuardianEndForm(forms.Form):
    """A guardian who no longer guards the place (kept as history)."""

    ended_on = GovukDateField(
        label="When did they stop? (optional)",
        help_text="Leave empty for today. For example, 27 3 2026",
        required=False,
    )
    reason = text.CharField(
        label="Why are they no longer a guardian?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Say why they are no longer a guardian"},
    )
