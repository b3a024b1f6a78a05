"""What the context assessments (place, peer group, school) share: reading an answer, the
red/amber/green summary of a side, and their outcome."""

from ..definitions import RAG, Question


def value(answers: dict, key: str, default=""):
    """The ``"value"`` of the answer to ``key`` in ``answers`` (question key → answer dict,
    shapes in ``definitions.py``), or ``default`` if it is not answered. Outcomes and checks
    read answers through it, so they work on a draft with answers missing."""
    answer = answers.get(key) or {}
    found = answer.get("value")
    return default if found in (None, "", [], {}) else found


def context_outcome(answers: dict) -> dict:
    """The ``Assessment`` columns a context assessment sets when it is submitted: the
    conclusion's threshold and recommendation (``definitions.conclusion``); "" if not
    answered."""
    return {
        "threshold": value(answers, "threshold"),
        "recommendation": value(answers, "recommendation"),
    }


def side_summary(key: str, prompt: str, red: str, amber: str, green: str) -> Question:
    """The red/amber/green rating that sums up one side of a context assessment, its hint
    saying what each colour means for that side (the engine asks for the evidence of the
    rating with it)."""
    return Question(
        key,
        prompt,
        type=RAG,
        hint=f"Red: {red} Amber: {amber} Green: {green}",
    )
