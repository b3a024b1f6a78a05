"""How an assessment reads: its answers as summary rows, section by section, from the
definition of the version it used; the task list of its sections; and the summary partners
read (ratings and the conclusion only, naming no young person)."""

from dataclasses import dataclass, field
from datetime import date

from . import definitions as d

#: The question types whose answers are chosen, not typed: all a partner agency reads of an
#: approved place assessment, with the conclusion's summary for partners.
CHOSEN = (d.YES_POSSIBLE_NO, d.RAG, d.RATING, d.CHOICE)
PARTNER_TEXT = ("partner_summary",)


@dataclass
class Row:
    key: str
    prompt: str
    value: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, text)
    carried_from: str = ""
    tag: str = ""  # a GOV.UK tag colour for red/amber/green and levels


@dataclass
class SectionSummary:
    key: str
    title: str
    done: bool
    rows: list[Row]
    answered: int
    asked: int


_TAGS = {
    "red": "red",
    "amber": "orange",
    "green": "green",
    "high": "red",
    "medium": "orange",
    "low": "green",
    "yes": "red",
    "possible": "orange",
    "no": "green",
}


def _label(choices, value) -> str:
    return dict(choices).get(value, str(value))


def value_text(question: d.Question, answer: dict, names: dict) -> str:
    """One answer's value as it reads ("" when unanswered). ``names``: subject reference →
    name, for the linked subjects the viewer may see (others read "someone you may not see")."""
    value = (answer or {}).get("value")
    if value in (None, "", []):
        return ""
    t = question.type
    if t in (d.YES_POSSIBLE_NO, d.INDICATOR):
        return _label(d.YES_POSSIBLE_NO_CHOICES, value)
    if t == d.RAG:
        return _label(d.RAG_CHOICES, value)
    if t == d.CHOICE:
        return _label(question.choices, value)
    if t == d.RATING:
        return _label(question.scale, value)
    if t == d.DATE:
        return f"{date.fromisoformat(value):%-d %B %Y}"
    if t == d.WEIGHT:
        return f"{value} out of 10"
    if t == d.LINKED_SUBJECTS:
        shown = [names[r] for r in value if r in names]
        hidden = len(value) - len(shown)
        if hidden:
            shown.append(f"{hidden} more you may not see by name")
        return ", ".join(shown)
    return str(value)


def row(question: d.Question, answer: dict, names: dict) -> Row:
    answer = answer or {}
    lines = []
    if question.type == d.RAG and answer.get("evidence"):
        lines.append(("Evidence", answer["evidence"]))
    if question.type == d.INDICATOR:
        if answer.get("when"):
            lines.append(("When", _label(d.WHEN_CHOICES, answer["when"])))
        if answer.get("evidence"):
            lines.append(("Evidence", answer["evidence"]))
    if question.type == d.WEIGHT and answer.get("reason"):
        lines.append(("Why", answer["reason"]))
    if question.type == d.LINKED_SUBJECTS and answer.get("note"):
        lines.append(("Note", answer["note"]))
    value = answer.get("value")
    return Row(
        key=question.key,
        prompt=question.prompt,
        value=value_text(question, answer, names),
        lines=lines,
        carried_from=answer.get("carried_from", ""),
        tag=_TAGS.get(value, "") if question.type in (d.RAG, d.INDICATOR) else "",
    )


def summary(
    assessment, names: dict | None = None, *, partner: bool = False
) -> list[SectionSummary]:
    """Every section of the assessment, in order, with a row per question (``partner``: the
    chosen answers and the summary for partners only)."""
    from .services import is_answered

    names = names or {}
    definition = assessment.definition
    found = []
    for section in definition.sections:
        questions = [
            q for q in section.questions if not partner or q.type in CHOSEN or q.key in PARTNER_TEXT
        ]
        rows = [row(q, assessment.answers.get(q.key), names) for q in questions]
        if partner:
            rows = [r for r in rows if r.value]
        found.append(
            SectionSummary(
                key=section.key,
                title=section.title,
                done=section.key in assessment.sections_done,
                rows=rows,
                answered=sum(
                    1 for q in section.questions if is_answered(q, assessment.answers.get(q.key))
                ),
                asked=len(section.questions),
            )
        )
    return found


def linked_references(assessment) -> set[str]:
    refs = set()
    for question in assessment.definition.questions():
        if question.type == d.LINKED_SUBJECTS:
            refs.update((assessment.answers.get(question.key) or {}).get("value") or [])
    return refs
