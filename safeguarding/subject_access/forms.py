"""Subject access forms: they collect and check input; the services write."""

from django import forms
from django.db.models import Q, Value
from django.db.models.functions import Concat

from cases.models import YoungPerson
from safeguarding import text
from safeguarding.accounts import visibility
from safeguarding.widgets import ConditionalRadioSelect, GovukDateField

from .models import SubjectAccessRequest

#: The most young people offered when a name matches several.
MATCHES_SHOWN = 20


def _date(label, required=True, **kwargs):
    return GovukDateField(
        label=label,
        required=required,
        help_text="For example, 27 3 2026",
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
        **kwargs,
    )


class RequestForm(forms.Form):
    """A new request: who is asking, about whom (found by reference or name among the
    officer's authority's young people: ``visibility.ACCOUNT``), when it came and what it asks
    for. When a name matches several young people, they are offered to choose from."""

    find = text.CharField(
        label="The young person it is about",
        help_text="Their reference (for example YP-7K2M9QDX4T) or their name.",
        error_messages={"required": "Enter the young person's reference or name"},
    )
    young_person = forms.ChoiceField(
        label="Which young person?", required=False, widget=forms.RadioSelect, choices=()
    )
    requester_name = text.CharField(
        label="Requester's name", error_messages={"required": "Enter the requester's name"}
    )
    requester_relationship = forms.ChoiceField(
        label="Who is asking?",
        choices=SubjectAccessRequest.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say who is asking"},
    )
    requester_contact = text.CharField(
        label="How to reach them",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="An address, an email address or a telephone number.",
        error_messages={"required": "Enter how to reach the requester"},
    )
    received_on = _date("Day it was received")
    scope = forms.ChoiceField(
        label="What does it ask for?",
        choices=SubjectAccessRequest.Scope.choices,
        widget=ConditionalRadioSelect(reveals={"date_range": ["scope_from", "scope_to"]}),
        initial=SubjectAccessRequest.Scope.EVERYTHING,
        error_messages={"required": "Say what the request asks for"},
    )
    scope_from = _date("First day", required=False)
    scope_to = _date("Last day", required=False)
    scope_notes = text.CharField(
        label="Notes on what is asked for (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = None

    def _matches(self, find: str):
        people = visibility.restrict(self.user, YoungPerson, visibility.ACCOUNT).select_related(
            "subject"
        )
        by_reference = people.filter(subject__reference__iexact=find.replace(" ", ""))
        if by_reference.exists():
            return list(by_reference[:1])
        words = find.split()
        named = people.annotate(
            whole=Concat("given_name", Value(" "), "family_name"),
            preferred=Concat("preferred_name", Value(" "), "family_name"),
        )
        condition = Q(whole__iexact=find) | Q(preferred__iexact=find)
        condition |= Q(aliases__name__iexact=find)
        if len(words) == 1:
            condition |= Q(given_name__iexact=find) | Q(family_name__iexact=find)
        return list(
            named.filter(condition)
            .distinct()
            .order_by("family_name", "given_name", "pk")[: MATCHES_SHOWN + 1]
        )

    def clean(self):
        data = super().clean()
        find = (data.get("find") or "").strip()
        if not find:
            return data
        matches = self._matches(find)
        chosen = data.get("young_person")
        if chosen and chosen in {str(p.pk) for p in matches}:
            self.person = next(p for p in matches if str(p.pk) == chosen)
        elif len(matches) == 1:
            self.person = matches[0]
        elif not matches:
            self.add_error("find", "No young person of your authority has that reference or name")
        else:
            self.fields["young_person"].choices = [
                (
                    str(p.pk),
                    f"{p.full_name} ({p.reference}"
                    + (f", born {p.date_of_birth:%-d %B %Y}" if p.date_of_birth else "")
                    + ")",
                )
                for p in matches[:MATCHES_SHOWN]
            ]
            self.add_error("young_person", "Several young people match: choose one")
        return data


class IdentityForm(forms.Form):
    method = forms.ChoiceField(
        label="How was identity checked?",
        choices=SubjectAccessRequest.IdentityMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how identity was checked"},
    )
    checked_on = _date("Day it was checked")
    notes = text.CharField(
        label="Notes (optional; required for 'Other')",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtendForm(forms.Form):
    new_due_on = _date("New due date")
    reason = text.CharField(
        label="Why does it need longer?",
        help_text="The requester is told, within the first month (UK GDPR Article 12(3)).",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the request needs longer"},
    )


class RefuseForm(forms.Form):
    reason = text.CharField(
        label="Why is it refused?",
        help_text="The requester is told why, and of their right to complain to the ICO.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the request is refused"},
    )


class SentForm(forms.Form):
    sent_on = _date("Day it was sent")


class WithdrawRedactionForm(forms.Form):
    reason = text.CharField(
        label="Why may it be disclosed?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this may be disclosed"},
    )


class AddRedactionForm(forms.Form):
    phrase = text.CharField(
        label="Words to redact",
        help_text="Every place they appear in the bundle, whatever their case.",
        error_messages={"required": "Enter the words to redact"},
    )
    reason = text.CharField(
        label="Why may they not be disclosed?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why they may not be disclosed"},
    )
