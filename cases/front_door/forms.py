"""Triage forms."""

from django import forms

from cases.models import Referral
from cases.services import NEW
from cases.young_people.names import split_full_name
from safeguarding import text


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

    def links(self) -> dict:
        result = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith("link_") or not value:
                continue
            row_id = int(name.removeprefix("link_"))
            result[row_id] = NEW if value == NEW else self.targets[(row_id, value)]
        return result
