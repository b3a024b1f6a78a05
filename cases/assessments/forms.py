"""The forms of the assessment engine, built from a definition: one form per section (every
question's fields, from its answer type), the evidence pack's keep/change/drop form, the
start form and the submit form.

Every field of a section form is optional to the form: a section is saved as it is typed
("save as you go"), and what a complete section needs is checked by the service
(``services.section_problems``) only when the practitioner marks it complete.
"""

from datetime import date

from django import forms

from safeguarding import text
from safeguarding.widgets import GovukDateField

from . import definitions as d
from .models import EvidenceItem

#: The most one typed answer holds (about four pages of text).
ANSWER_MAX_LENGTH = 20_000

WEIGHT_CHOICES = [("", "Not weighed")] + [(str(n), str(n)) for n in range(0, 11)]

#: The sub-fields of each answer type, after its value: name → (label, kind).
_PARTS = {
    d.RAG: ("evidence",),
    d.INDICATOR: ("when", "evidence"),
    d.WEIGHT: ("reason",),
    d.LINKED_SUBJECTS: ("note",),
}


def _textarea(label: str, hint: str = "", rows: int = 4) -> forms.Field:
    return text.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _radios(label: str, choices, hint: str = "") -> forms.Field:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        required=False,
        choices=list(choices),
        widget=forms.RadioSelect,
    )


class SectionForm(forms.Form):
    """The questions of one section (``section``, a ``definitions.Section``), filled with
    ``answers`` (the assessment's). ``subjects``: for linked-subjects questions, the subjects
    the user may choose from, as ``(reference, name, kind)``.

    Field names: a question's value is its ``key``; its other parts ``key__evidence``,
    ``key__when``, ``key__reason``, ``key__note``. :meth:`answers` gives the cleaned answers
    in the service's shape (question key → answer dict)."""

    def __init__(self, *args, section: d.Section, answers: dict, subjects=(), **kwargs):
        self.section = section
        self.stored = answers
        # The stored answers fill the form; a view's own ``initial`` (FormView passes one, empty
        # by default) adds to them rather than replacing them.
        kwargs["initial"] = {**self._initial(section, answers), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        for question in section.questions:
            self.fields.update(self._fields(question, subjects))

    @staticmethod
    def _initial(section: d.Section, answers: dict) -> dict:
        initial = {}
        for question in section.questions:
            answer = answers.get(question.key) or {}
            value = answer.get("value")
            if question.type == d.DATE and value:
                value = date.fromisoformat(value)
            elif question.type in (d.RATING, d.WEIGHT) and value is not None:
                value = str(value)
            initial[question.key] = value
            for part in _PARTS.get(question.type, ()):
                initial[f"{question.key}__{part}"] = answer.get(part, "")
        return initial

    def _fields(self, q: d.Question, subjects) -> dict[str, forms.Field]:
        key = q.key
        if q.type == d.TEXT:
            return {key: _textarea(q.prompt, q.hint, rows=5)}
        if q.type == d.YES_POSSIBLE_NO:
            return {key: _radios(q.prompt, d.YES_POSSIBLE_NO_CHOICES, q.hint)}
        if q.type == d.CHOICE:
            return {key: _radios(q.prompt, q.choices, q.hint)}
        if q.type == d.RATING:
            return {key: _radios(q.prompt, [(str(v), label) for v, label in q.scale], q.hint)}
        if q.type == d.DATE:
            return {
                key: GovukDateField(
                    label=q.prompt, required=False, help_text=q.hint or "For example, 27 3 2027"
                )
            }
        if q.type == d.RAG:
            return {
                key: _radios(q.prompt, d.RAG_CHOICES, q.hint),
                f"{key}__evidence": _textarea(
                    "Evidence for this rating",
                    "Where it comes from: young people's, staff's or parents' voice, a policy, "
                    "logs, observation.",
                    rows=3,
                ),
            }
        if q.type == d.INDICATOR:
            return {
                key: _radios(q.prompt, d.YES_POSSIBLE_NO_CHOICES, q.hint),
                f"{key}__when": _radios("Is it current or historic?", d.WHEN_CHOICES),
                f"{key}__evidence": _textarea(
                    "Evidence",
                    "What is known, and where it comes from. Keep your judgement for the end of "
                    "the section.",
                    rows=3,
                ),
            }
        if q.type == d.WEIGHT:
            return {
                key: forms.ChoiceField(
                    label=q.prompt,
                    help_text=q.hint or "0: plays no part; 10: drives the harm the most.",
                    required=False,
                    choices=WEIGHT_CHOICES,
                ),
                f"{key}__reason": _textarea("Why this weight", rows=2),
            }
        if q.type == d.LINKED_SUBJECTS:
            allowed = [s for s in subjects if not q.subject_kinds or s[2] in q.subject_kinds]
            return {
                key: forms.MultipleChoiceField(
                    label=q.prompt,
                    help_text=q.hint,
                    required=False,
                    choices=[(reference, name) for reference, name, _ in allowed],
                    widget=forms.CheckboxSelectMultiple,
                ),
                f"{key}__note": _textarea("Anything to add", rows=2),
            }
        raise ValueError(f"No form for answer type {q.type}")

    def questions(self) -> list[dict]:
        """Each question with its bound fields and where its answer was carried from, for
        the template: ``{"question", "fields", "carried_from", "multi"}``."""
        found = []
        for question in self.section.questions:
            names = [question.key] + [
                f"{question.key}__{part}" for part in _PARTS.get(question.type, ())
            ]
            found.append(
                {
                    "question": question,
                    "fields": [self[name] for name in names],
                    "carried_from": (self.stored.get(question.key) or {}).get("carried_from"),
                    "multi": len(names) > 1,
                }
            )
        return found

    def answers(self) -> dict:
        """The cleaned answers (call after ``is_valid()``): question key → answer dict, with
        ``None`` and empty values left out."""
        cleaned = self.cleaned_data
        found = {}
        for question in self.section.questions:
            value = cleaned.get(question.key)
            if question.type == d.DATE:
                value = value.isoformat() if value else None
            elif question.type in (d.RATING, d.WEIGHT):
                value = int(value) if value not in (None, "") else None
            elif question.type == d.LINKED_SUBJECTS:
                value = sorted(value or [])
            answer = {"value": value}
            for part in _PARTS.get(question.type, ()):
                answer[part] = cleaned.get(f"{question.key}__{part}") or ""
            found[question.key] = {k: v for k, v in answer.items() if v not in (None, "", [])}
        return found


class StartForm(forms.Form):
    """Which assessment to start on a subject (the kinds its definitions allow)."""

    kind = forms.ChoiceField(
        label="Which assessment?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which assessment to start"},
    )

    def __init__(self, *args, definitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(x.kind, x.title) for x in definitions]
        if len(definitions) == 1:
            self.fields["kind"].initial = definitions[0].kind


class EvidenceForm(forms.Form):
    """Keep, change or drop one evidence pack item."""

    state = forms.ChoiceField(
        label="Use this evidence?",
        choices=[
            (EvidenceItem.State.ACCEPTED, "Keep it as it is"),
            (EvidenceItem.State.EDITED, "Keep it, with my changes"),
            (EvidenceItem.State.DROPPED, "Drop it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to keep, change or drop it"},
    )
    text = text.CharField(
        label="The evidence as it should read",
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SubmitForm(forms.Form):
    note = text.CharField(
        label="Anything the manager should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
