"""Answers for tests: a valid answer to any declared question, by its type."""

from datetime import date, timedelta

from cases.assessments import definitions as d


def answer_for(question: d.Question, subjects=()) -> dict:
    """A complete answer to ``question`` (``subjects``: references a linked-subjects answer may
    name)."""
    t = question.type
    if t == d.TEXT:
        return {"value": f"Answer to {question.key}."}
    if t == d.YES_POSSIBLE_NO:
        return {"value": "possible"}
    if t == d.RAG:
        return {"value": "amber", "evidence": f"Evidence for {question.key}."}
    if t == d.RATING:
        return {"value": question.scale[0][0]}
    if t == d.CHOICE:
        return {"value": question.choices[0][0]}
    if t == d.DATE:
        return {"value": (date.today() + timedelta(days=28)).isoformat()}
    if t == d.LINKED_SUBJECTS:
        return {"value": sorted(subjects)} if subjects else {}
    if t == d.INDICATOR:
        return {"value": "no"}
    if t == d.WEIGHT:
        return {"value": 5, "reason": f"Why {question.key}."}
    raise ValueError(t)


def section_answers(definition: d.Definition, key: str, subjects=()) -> dict:
    return {
        q.key: answer_for(q, subjects)
        for q in definition.section(key).questions
        if answer_for(q, subjects)
    }


def post_data(definition: d.Definition, key: str) -> dict:
    """What the section's form posts for complete answers (field names of ``SectionForm``)."""
    data = {}
    for question in definition.section(key).questions:
        answer = answer_for(question)
        for part, value in answer.items():
            name = question.key if part == "value" else f"{question.key}__{part}"
            if question.type == d.DATE and part == "value":
                day = date.fromisoformat(value)
                data[f"{name}_day"], data[f"{name}_month"], data[f"{name}_year"] = (
                    day.day,
                    day.month,
                    day.year,
                )
            else:
                data[name] = value
    return data
