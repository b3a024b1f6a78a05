"""The context weighting (PRACTICE.md, "Context weighting"), on a young person, a peer group or
a place: which context most drives the harm, and so what must change first? Each context —
family, peer group, school, neighbourhood and places, online, other — is weighted from 0
(plays no part) to 10 (drives the harm the most) with a reason; the heaviest becomes the plan's
first target (:func:`heaviest`, :func:`outcome`). The same data is drawn as a picture (bars or
proportional circles) and a table.

There is no threshold or recommendation: a weighting is a step towards a plan, so it ends with
an analysis of what the weights show (its own "conclusion" section).
"""

from safeguarding.subjects.models import Subject

from ..definitions import WEIGHT, Definition, Question, Section
from ..models import Assessment
from .common import value

#: The contexts weighed, in order: (context key, label, hint). Each is the question
#: ``weight_<key>``.
CONTEXTS = (
    ("family", "Family and home", "Parents, carers, brothers and sisters, home life."),
    ("peer_group", "Friends and peer group", "Friends, partners, the groups they are part of."),
    ("school", "School or college", "Or alternative provision, or being out of education."),
    (
        "place",
        "Neighbourhood and places",
        "The streets, parks, estates, shops and transport where they spend time.",
    ),
    ("online", "Online", "Social media, gaming, messaging."),
    ("other", "Anything else", "For example, a job, a club, a faith group. Say what it is."),
)

WEIGHTS = Section(
    key="weights",
    title="Weigh each context",
    description=(
        "How much does each context drive the harm? 0: it plays no part; 10: it drives the "
        "harm the most. Give a reason for each weight above 0. The heaviest becomes the "
        "first target of the plan."
    ),
    questions=tuple(
        Question(f"weight_{key}", label, type=WEIGHT, hint=hint) for key, label, hint in CONTEXTS
    ),
)

CONCLUSION = Section(
    key="conclusion",
    title="What must change first",
    description="What the weights show, and what the plan should start with.",
    questions=(
        Question(
            "analysis",
            "What do the weights show?",
            hint="Which context must change first and why, and how the contexts affect each other.",
        ),
    ),
)


def heaviest(answers: dict) -> list[tuple[str, str, int, str]]:
    """Every context as ``(context key, label, weight, reason)``, heaviest first: the table
    and picture of the weighting, and its first target at the head. A context not weighed
    counts 0 with no reason. Ties keep the order of :data:`CONTEXTS` (family, peer group,
    school, place, online, other): the sort is stable, so of two contexts weighed the same the
    one declared first comes first; the analysis says which the plan takes first."""
    rows = []
    for key, label, _hint in CONTEXTS:
        answer = answers.get(f"weight_{key}") or {}
        rows.append((key, label, int(value(answers, f"weight_{key}", 0)), answer.get("reason", "")))
    return sorted(rows, key=lambda row: -row[2])


def first_target(answers: dict) -> str:
    """The context key of the heaviest context (:func:`heaviest`), or "" if none weighs more
    than 0."""
    key, _label, weight, _reason = heaviest(answers)[0]
    return key if weight > 0 else ""


def validate(answers: dict) -> dict[str, str]:
    """The weighting's own check: at least one context weighs more than 0 (there must be a
    first target), reported on the first weight question. The engine checks each weight's
    reason."""
    if all(weight == 0 for _key, _label, weight, _reason in heaviest(answers)):
        return {f"weight_{CONTEXTS[0][0]}": "Give at least one context a weight above 0"}
    return {}


def outcome(answers: dict) -> dict:
    """``{"first_target": context key}`` (:func:`first_target`). It is not an ``Assessment``
    column: the plan reads it from the approved weighting."""
    return {"first_target": first_target(answers)}


def summary_context(assessment, user) -> dict:
    """The weighting's picture and table (``Definition.extra["summary_context"]``): every
    context heaviest first (:func:`heaviest`), each ``{"key", "label", "weight", "reason",
    "first"}`` (``first``: the first target, the heaviest if it weighs more than 0), and
    ``first_target`` (its label, or ""). No queries."""
    target = first_target(assessment.answers)
    rows = [
        {
            "key": key,
            "label": label,
            "weight": weight,
            "reason": reason,
            "first": key == target,
        }
        for key, label, weight, reason in heaviest(assessment.answers)
    ]
    return {
        "weights": rows,
        "first_target": next((r["label"] for r in rows if r["first"]), ""),
        "most": MOST,
    }


#: The heaviest weight (the picture's bars are drawn out of it).
MOST = 10


WEIGHTING_V1 = Definition(
    kind=Assessment.Kind.WEIGHTING.value,
    version=1,
    title="Context weighting",
    purpose=(
        "Which context most drives the harm: family, friends, school, the neighbourhood, "
        "online, or something else? Weigh each with a reason; the heaviest is what must change "
        "first and becomes the plan's first target. It is drawn as a picture that young people "
        "and families can understand, and as a table."
    ),
    source="Contextual Safeguarding programme, context weighting; PRACTICE.md",
    subject_kinds=(
        Subject.Kind.YOUNG_PERSON.value,
        Subject.Kind.PEER_GROUP.value,
        Subject.Kind.CONTEXT.value,
    ),
    sections=(WEIGHTS, CONCLUSION),
    outcome=outcome,
    extra={
        "heaviest": heaviest,
        "validate": validate,
        "first_target": first_target,
        "summary_template": "assessments/kinds/weighting_summary.html",
        "summary_context": summary_context,
    },
)
