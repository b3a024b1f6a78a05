"""The school assessment: the Beyond Referrals self-assessment (PRACTICE.md, "The three
assessment triangles"), on a school. Four areas — structures and systems, prevention,
identification, response and intervention — each a few indicators rated red, amber or green
with the evidence for the rating (pupil, staff and parent voice; policy review; behaviour and
safeguarding logs; observation); then the analysis, threshold and recommendation
(``definitions.conclusion``).

A school's designated safeguarding lead (a partner user of that school) may fill it in for
their own school, at their own pace, and the council reviews it (``partner_completes``).
:func:`scorecard` counts each area's ratings, so a scorecard can be compared with the previous
one.

The indicators are ours, in plain words, after the toolkit's four areas; they speak of harm
between young people and harm outside school (the toolkit began with harmful sexual behaviour
and was widened to extra-familial harm).
"""

from contexts.models import Context
from safeguarding.subjects.models import Subject

from ..definitions import RAG, RAG_CHOICES, Definition, Question, Section, conclusion
from ..models import Assessment
from .common import context_outcome

#: What the colours mean, said at the top of every area.
RATINGS = (
    "Rate each statement. Red: not in place. Amber: partly in place, or in place but not "
    "working well. Green: in place and working, and you can show it."
)


def indicator(key: str, prompt: str, hint: str) -> Question:
    """One indicator of an area: a statement rated red/amber/green, with its evidence."""
    return Question(key, prompt, type=RAG, hint=hint)


STRUCTURES = Section(
    key="structures",
    title="Structures and systems",
    description="The school's policies, training, records and partnerships. " + RATINGS,
    questions=(
        indicator(
            "policies",
            "Our safeguarding and behaviour policies cover harm between pupils and harm "
            "outside school",
            "Including sexual harassment, exploitation and violence, online and offline.",
        ),
        indicator(
            "training",
            "All staff are trained to recognise and respond to harm between pupils and outside "
            "school",
            "Teaching and support staff, lunchtime supervisors, new and temporary staff.",
        ),
        indicator(
            "records",
            "Our records show where and with whom harm happens, not only to whom",
            "So that patterns in places, times and groups can be seen.",
        ),
        indicator(
            "partnerships",
            "We work with the council, police and local services on harm outside school",
            "For example, sharing what we know about places and groups, joining meetings.",
        ),
    ),
)

PREVENTION = Section(
    key="prevention",
    title="Prevention",
    description="What the school does so that harm does not happen. " + RATINGS,
    questions=(
        indicator(
            "curriculum",
            "Lessons cover healthy relationships, consent, exploitation and staying safe online",
            "Relationships, sex and health education, and how pupils rate it.",
        ),
        indicator(
            "culture",
            "Staff challenge sexist, racist and harmful language and behaviour every time",
            "Including the everyday kind that can be seen as 'banter'.",
        ),
        indicator(
            "spaces",
            "We know where pupils feel unsafe in and around school, and have made those places "
            "safer",
            "Corridors, toilets, the field, the routes and bus stops on the way home.",
        ),
        indicator(
            "families",
            "Parents and carers know what we do about harm outside school and how to raise a worry",
            "Letters, meetings, the website, what parents say.",
        ),
    ),
)

IDENTIFICATION = Section(
    key="identification",
    title="Identification",
    description="How the school notices harm early. " + RATINGS,
    questions=(
        indicator(
            "signs",
            "Staff notice the signs of harm between pupils and of exploitation",
            "Changes in attendance, friendships, behaviour or belongings.",
        ),
        indicator(
            "pupils_tell",
            "Pupils know how to tell us about harm and trust that we will act",
            "What pupils say in surveys, councils or groups.",
        ),
        indicator(
            "patterns",
            "We look at our records regularly for patterns in places, times and groups",
            "Who looks, how often, and what they did with what they found.",
        ),
    ),
)

RESPONSE = Section(
    key="response",
    title="Response and intervention",
    description="What the school does when harm happens. " + RATINGS,
    questions=(
        indicator(
            "support",
            "We support both the young person harmed and the young person who caused the harm",
            "Safety plans, a trusted adult, help to stay in school.",
        ),
        indicator(
            "context_response",
            "We change the places, supervision and routines where harm happened, not only "
            "respond to the young people",
            "For example, a change to supervision at the gates or to a timetable.",
        ),
        indicator(
            "referrals",
            "We refer to, and work with, children's social care and police when we should",
            "And hear back what happened.",
        ),
        indicator(
            "review",
            "We check whether our responses made pupils safer, and learn from it",
            "Pupil voice, fewer incidents, places now marked safe.",
        ),
    ),
)

AREAS = (STRUCTURES, PREVENTION, IDENTIFICATION, RESPONSE)


def scorecard(answers: dict) -> list[tuple[str, str, dict[str, int]]]:
    """The school's scorecard: for each area, in order, ``(section key, title, counts)`` where
    ``counts`` is ``{"red": n, "amber": n, "green": n, "not_rated": n}`` over its indicators.
    Two scorecards (this assessment's and the previous one's) compare area by area."""
    card = []
    for area in AREAS:
        counts = {value: 0 for value, _label in RAG_CHOICES} | {"not_rated": 0}
        for question in area.questions:
            rated = (answers.get(question.key) or {}).get("value")
            counts[rated if rated in counts else "not_rated"] += 1
        card.append((area.key, area.title, counts))
    return card


#: The order of the ratings, worst first: a move up it is better.
RANK = {"red": 0, "amber": 1, "green": 2}


def change(now: str | None, before: str | None) -> str:
    """One indicator's change from ``before`` to ``now`` (each ``"red"``, ``"amber"``,
    ``"green"`` or ``None``, not rated): ``"better"`` (towards green), ``"worse"``,
    ``"same"``, or ``""`` when either is not rated (nothing to compare)."""
    if now not in RANK or before not in RANK:
        return ""
    if RANK[now] > RANK[before]:
        return "better"
    if RANK[now] < RANK[before]:
        return "worse"
    return "same"


def compare(answers: dict, previous: dict | None) -> list[dict]:
    """This scorecard beside the previous one (``previous``: that assessment's answers, or
    ``None``), area by area in order: ``{"key", "title", "counts", "before"`` (its counts, or
    ``None``)``, "better", "worse", "same"`` (how many of its indicators moved)``,
    "change"`` (the area's: better if more indicators got better than worse, worse if the
    other way round, same if neither, "" if no indicator was rated both times)``,
    "indicators"``: each ``{"key", "prompt", "now", "before", "change"}``}."""
    before_card = {key: counts for key, _title, counts in scorecard(previous)} if previous else {}
    found = []
    for (key, title, counts), area in zip(scorecard(answers), AREAS, strict=True):
        indicators = []
        for question in area.questions:
            now = (answers.get(question.key) or {}).get("value")
            was = ((previous or {}).get(question.key) or {}).get("value")
            indicators.append(
                {
                    "key": question.key,
                    "prompt": question.prompt,
                    "now": now if now in RANK else "",
                    "before": was if was in RANK else "",
                    "change": change(now, was) if previous is not None else "",
                }
            )
        moved = {m: sum(1 for i in indicators if i["change"] == m) for m in RANK_CHANGES}
        if not any(i["change"] for i in indicators):
            area_change = ""  # no indicator rated both times
        elif moved["better"] > moved["worse"]:
            area_change = "better"
        elif moved["worse"] > moved["better"]:
            area_change = "worse"
        else:
            area_change = "same"
        found.append(
            {
                "key": key,
                "title": title,
                "counts": counts,
                "before": before_card.get(key),
                **moved,
                "change": area_change,
                "indicators": indicators,
            }
        )
    return found


RANK_CHANGES = ("better", "worse", "same")


def summary_context(assessment, user) -> dict:
    """The school's scorecard on its overview and print (``Definition.extra
    ["summary_context"]``), compared with the previous approved school assessment of the same
    school that ``user`` may see (``selectors.previous_approved``, one query):
    ``{"previous": Assessment | None, "areas": compare(...)}``."""
    from ..selectors import previous_approved

    previous = previous_approved(user, assessment)
    return {
        "previous": previous,
        "areas": compare(assessment.answers, previous.answers if previous else None),
    }


SCHOOL_V1 = Definition(
    kind=Assessment.Kind.SCHOOL.value,
    version=1,
    title="School assessment",
    purpose=(
        "A self-assessment for a school or college: how well its structures and systems, "
        "prevention, identification and response protect pupils from harm between young "
        "people and harm outside school. The school's designated safeguarding lead can fill "
        "it in at the school's own pace, rating each statement red, amber or green with the "
        "evidence, and the council reviews it with them. Scorecards compare over time."
    ),
    source=(
        "Beyond Referrals: school self-assessment toolkit (Contextual Safeguarding programme, "
        "University of Bedfordshire, now Durham University); PRACTICE.md"
    ),
    subject_kinds=(Subject.Kind.CONTEXT.value,),
    context_kinds=(Context.Kind.SCHOOL.value,),
    sections=(*AREAS, conclusion(threshold_prompt="Threshold level for this school")),
    outcome=context_outcome,
    partner_completes=True,
    extra={
        "scorecard": scorecard,
        "summary_template": "assessments/kinds/school_scorecard.html",
        "summary_context": summary_context,
    },
)
