"""The exploitation screening, on one young person (PRACTICE.md, "Exploitation screening").

Indicators grouped by domain (missing episodes, education, health, relationships and peers,
online, behaviour, signs of grooming), each answered yes / possible / no / not known, current
(the last 6 months) or historic, with the evidence — what is known and where it comes from —
kept apart from the worker's professional judgement, a question of its own at the end of each
domain (``<domain>_judgement``). The evidence pack (``cases.assessments.packs.young_person``:
missing episodes, concerns by harm, group memberships, previous screening answers) sits beside
the domains.

The last section shows the suggested level (:func:`suggested_level`), lets the worker choose a
different one with a reason (:func:`validate`), and sets the next review date; a manager
agrees it in the sign-off.

**The scoring rule is ours** — a default, not a published one; councils' tools differ, and a
council that wants another declares a new version. Each indicator answered "yes" scores 2 and
"possible" 1; one that is historic scores half that; "no" and "not known" score nothing (an
indicator answered without saying when counts as current). The suggested level is **low**
below :data:`MEDIUM_FROM` (4: two current yeses), **medium** from 4, **high** from
:data:`HIGH_FROM` (10: five current yeses). It only suggests: the worker knows the young person
and overrides it with a reason, and a manager agrees (PRACTICE.md).
"""

from datetime import date, timedelta

from safeguarding.subjects.models import Subject

from ..definitions import (
    CHOICE,
    DATE,
    INDICATOR,
    LEVEL_CHOICES,
    TEXT,
    Definition,
    Question,
    Section,
)
from ..models import Assessment
from .common import value

#: Points for an indicator's answer when it is current; a historic one scores half.
POINTS = {"yes": 2, "possible": 1}
#: The score from which the suggested level is medium, and high (:func:`suggested_level`).
MEDIUM_FROM = 4
HIGH_FROM = 10
#: Days from the screening to its suggested next review, by level: 6 weeks at low risk, 4 at
#: medium, 2 at high (PRACTICE.md: 4 to 6 weeks at low risk is common; high risk goes to the
#: next MACE panel, usually sooner). Ours, a default.
REVIEWS = {"low": 42, "medium": 28, "high": 14}

INDICATORS_HELP = (
    " For each, answer yes, possible, no or not known; say whether it is current (the last 6 "
    "months) or historic; and record what is known and where it comes from. Keep your own view "
    "for the last question."
)


def domain(key: str, title: str, about: str, indicators: tuple[tuple[str, str, str], ...]):
    """A domain's section: its indicators (``(key, prompt, hint)``), then the worker's
    professional judgement (``<key>_judgement``, optional), kept apart from the evidence."""
    return Section(
        key=key,
        title=title,
        description=about + INDICATORS_HELP,
        questions=(
            *(
                Question(q_key, prompt, type=INDICATOR, hint=hint, domain=key)
                for q_key, prompt, hint in indicators
            ),
            Question(
                f"{key}_judgement",
                "Your professional judgement",
                type=TEXT,
                hint="What you make of these indicators, and anything they do not show.",
                required=False,
            ),
        ),
    )


DOMAINS = (
    domain(
        "missing",
        "Missing episodes",
        "Times the young person has been missing, away or unaccounted for.",
        (
            (
                "missing_from_home",
                "Have they gone missing from home or care?",
                "Including staying out overnight or coming back late with no explanation. The "
                "evidence pack lists recorded missing episodes.",
            ),
            (
                "missing_found_away",
                "Have they been found out of the area, or somewhere with no reason to be there?",
                "Another town, an address the family does not know, a place of concern.",
            ),
            (
                "missing_wont_say",
                "Do they refuse to say where they have been, or who with?",
                "Including at a return home interview.",
            ),
        ),
    ),
    domain(
        "education",
        "Education",
        "School or college: attendance, exclusions and changes.",
        (
            (
                "education_absent",
                "Are they missing school or college, or has their attendance dropped?",
                "Unauthorised absence, arriving late, leaving during the day.",
            ),
            (
                "education_excluded",
                "Have they been excluded, put on a part-time timetable, or are they out of "
                "education?",
                "Including moves to alternative provision or between schools.",
            ),
            (
                "education_change",
                "Has their behaviour or progress at school changed suddenly?",
                "",
            ),
        ),
    ),
    domain(
        "health",
        "Health",
        "Physical, sexual and emotional health, drugs and alcohol.",
        (
            (
                "health_substances",
                "Are they using drugs or alcohol, or have they been found with them?",
                "",
            ),
            (
                "health_injuries",
                "Do they have injuries they cannot or will not explain?",
                "",
            ),
            (
                "health_sexual",
                "Have they had a sexually transmitted infection, a pregnancy or a termination?",
                "Or repeated visits to sexual health services.",
            ),
            (
                "health_emotional",
                "Are there signs of emotional distress?",
                "Self-harm, low mood, anxiety, poor sleep, talk of suicide.",
            ),
        ),
    ),
    domain(
        "relationships",
        "Relationships and peers",
        "The people the young person spends time with, and those they have drifted from.",
        (
            (
                "relationships_older",
                "Do they have friendships or relationships with older people who cause concern?",
                "",
            ),
            (
                "relationships_peers",
                "Do they spend time with young people who are being exploited?",
                "The evidence pack lists their groups and relationships.",
            ),
            (
                "relationships_withdrawn",
                "Have they pulled away from their family or usual friends?",
                "",
            ),
            (
                "relationships_controlling",
                "Are they in a relationship that seems controlling or abusive?",
                "",
            ),
        ),
    ),
    domain(
        "online",
        "Online",
        "Phones, social media, gaming and messaging.",
        (
            (
                "online_contact",
                "Are they in contact online with people they do not know, or much older people?",
                "",
            ),
            (
                "online_images",
                "Have they shared, or been pressured to share, sexual images?",
                "Or been threatened with images being shared.",
            ),
            (
                "online_phones",
                "Do they have more than one phone, or are they secretive about their phone?",
                "Phones that change often, many calls or messages at all hours.",
            ),
        ),
    ),
    domain(
        "behaviour",
        "Behaviour",
        "Changes in how the young person behaves, and any offending or violence.",
        (
            (
                "behaviour_change",
                "Has their behaviour or mood changed suddenly?",
                "More secretive, withdrawn or aggressive; new language or new friends.",
            ),
            (
                "behaviour_offending",
                "Have they been arrested, or involved in offending?",
                "Especially with others, in another area, or for drugs.",
            ),
            (
                "behaviour_violence",
                "Have they carried a weapon, or been involved in violence?",
                "As a victim, a witness or taking part.",
            ),
        ),
    ),
    domain(
        "grooming",
        "Signs of grooming",
        "Signs that someone is drawing the young person in, or controlling them.",
        (
            (
                "grooming_gifts",
                "Do they have money, clothes, phones or gifts they cannot account for?",
                "",
            ),
            (
                "grooming_debt",
                "Do they owe, or believe they owe, someone money or a favour?",
                "Including after losing drugs or money they were holding.",
            ),
            (
                "grooming_lifts",
                "Are they picked up or dropped off by people the family does not know?",
                "In cars or taxis, or given tickets for trains or buses.",
            ),
            (
                "grooming_control",
                "Do they seem afraid of, or controlled by, someone?",
                "Answers calls at once, has to go when called, is scared to talk.",
            ),
        ),
    ),
)

LEVEL = Section(
    key="level",
    title="Level and next review",
    description=(
        "The screening suggests a level from the indicators. You know the young person: if you "
        "disagree, choose a different level and say why. Your manager agrees the level."
    ),
    questions=(
        Question(
            "level_override",
            "Do you agree with the suggested level? Choose a different level only if you disagree",
            type=CHOICE,
            choices=LEVEL_CHOICES,
            hint="A current yes counts 2 and a possible 1, historic ones half. Below 4 suggests "
            "low, from 4 medium, from 10 high.",
            required=False,
        ),
        Question(
            "level_override_reason",
            "Why a different level?",
            hint="Needed if you chose a level other than the suggested one.",
            required=False,
        ),
        Question(
            "next_review_on",
            "When should the screening be reviewed?",
            type=DATE,
            hint="Usually in 6 weeks at low, 4 weeks at medium and 2 weeks at high, or at the "
            "next MACE panel. Screen again sooner if anything changes.",
        ),
    ),
)


def indicators() -> list[Question]:
    """The screening's indicator questions, in order."""
    return [q for section in DOMAINS for q in section.questions if q.type == INDICATOR]


def score(answers: dict) -> float:
    """The screening's score (the rule in the module docstring): a current yes 2, a current
    possible 1, historic ones half; anything else 0. A multiple of 0.5."""
    total = 0.0
    for question in indicators():
        answer = answers.get(question.key) or {}
        points = POINTS.get(answer.get("value"), 0)
        total += points / 2 if answer.get("when") == "historic" else points
    return total


def suggested_level(answers: dict) -> str:
    """``"low"``, ``"medium"`` or ``"high"`` from :func:`score`: medium from
    :data:`MEDIUM_FROM`, high from :data:`HIGH_FROM`."""
    points = score(answers)
    if points >= HIGH_FROM:
        return "high"
    if points >= MEDIUM_FROM:
        return "medium"
    return "low"


def review_on(level: str, today: date) -> date:
    """The suggested next review date for a screening at ``level`` done ``today``
    (:data:`REVIEWS`)."""
    return today + timedelta(days=REVIEWS[level])


def validate(answers: dict) -> dict[str, str]:
    """The screening's own checks, question key → message (empty: none):

    * a level other than the suggested one needs a reason (``level_override_reason``);
      choosing the suggested level is agreeing with it, and needs none;
    * an indicator answered yes or possible needs its evidence: what is known, and its
      source."""
    problems = {}
    override = value(answers, "level_override")
    if (
        override
        and override != suggested_level(answers)
        and not str(value(answers, "level_override_reason")).strip()
    ):
        problems["level_override_reason"] = (
            "Say why you chose a different level from the suggested one"
        )
    for question in indicators():
        answer = answers.get(question.key) or {}
        if answer.get("value") in POINTS and not str(answer.get("evidence") or "").strip():
            problems[question.key] = (
                f"Say what is known, and where it comes from: {question.prompt}"
            )
    return problems


def section_context(section: str, answers: dict, today: date) -> dict:
    """The level section's page (``Definition.extra["section_context"]``): the level the
    answers so far suggest and its score, shown before its questions
    (``templates/assessments/kinds/screening_level.html``). ``{}`` on other sections.

    ``{"suggested_level": "medium", "suggested_label": "Medium", "score": 6.0,
    "score_text": "6"}`` (``score_text``: the score as it reads, "6" or "6.5")."""
    if section != LEVEL.key:
        return {}
    suggested = suggested_level(answers)
    points = score(answers)
    return {
        "suggested_level": suggested,
        "suggested_label": dict(LEVEL_CHOICES)[suggested],
        "score": points,
        "score_text": f"{points:g}",
    }


def initial(section: str, answers: dict, today: date) -> dict:
    """The level section's pre-filled answers (``Definition.extra["initial"]``): the next
    review date :func:`review_on` suggests for the level chosen (or, if none is chosen, the
    suggested one) from ``today``. The engine uses it only while the question is
    unanswered."""
    if section != LEVEL.key:
        return {}
    level = value(answers, "level_override") or suggested_level(answers)
    return {"next_review_on": {"value": review_on(level, today).isoformat()}}


def outcome(answers: dict) -> dict:
    """The ``Assessment`` columns the screening sets: ``level_suggested`` (the rule),
    ``level`` (the worker's choice if they made one, otherwise the suggested level) and
    ``next_review_on`` (a ``date``, or ``None`` if not answered)."""
    suggested = suggested_level(answers)
    review = value(answers, "next_review_on", None)
    return {
        "level_suggested": suggested,
        "level": value(answers, "level_override") or suggested,
        "next_review_on": date.fromisoformat(review) if review else None,
    }


def summary_context(assessment, user) -> dict:
    """The screening's overview (``Definition.extra["summary_context"]``): the score, the
    suggested level, the level chosen and, if it differs, the worker's reason; and per
    domain, how many indicators were answered yes or possible (current, historic). No
    queries."""
    answers = assessment.answers
    suggested = suggested_level(answers)
    chosen = value(answers, "level_override") or suggested
    domains = []
    for section in DOMAINS:
        found = {"current": 0, "historic": 0}
        for question in section.questions:
            answer = answers.get(question.key) or {}
            if question.type == INDICATOR and answer.get("value") in POINTS:
                found["historic" if answer.get("when") == "historic" else "current"] += 1
        domains.append({"key": section.key, "title": section.title, **found})
    labels = dict(LEVEL_CHOICES)
    return {
        "score_text": f"{score(answers):g}",
        "suggested_level": suggested,
        "suggested_label": labels[suggested],
        "chosen_level": chosen,
        "chosen_label": labels.get(chosen, chosen),
        "reason": value(answers, "level_override_reason") if chosen != suggested else "",
        "domains": domains,
    }


SCREENING_V1 = Definition(
    kind=Assessment.Kind.SCREENING.value,
    version=1,
    title="Exploitation screening",
    purpose=(
        "A quick check of how far one young person may be being exploited, for sex or for "
        "crime. Go through the signs in each area of their life, record what is known and "
        "where it comes from, and give your own view apart from it. The screening suggests a "
        "level of risk (low, medium or high); you can choose a different level if you say why, "
        "and your manager agrees it. Screen again when something new is known, and at the "
        "review date."
    ),
    source=(
        "PRACTICE.md (exploitation screening); indicators after the exploitation screening "
        "tools councils publish; scoring rule ours"
    ),
    subject_kinds=(Subject.Kind.YOUNG_PERSON.value,),
    sections=(*DOMAINS, LEVEL),
    evidence="cases.assessments.packs.young_person",
    outcome=outcome,
    extra={
        "validate": validate,
        "reviews": REVIEWS,
        "score": score,
        "suggested_level": suggested_level,
        "review_on": review_on,
        "section_context": section_context,
        "section_templates": {LEVEL.key: "assessments/kinds/screening_level.html"},
        "initial": initial,
        "summary_template": "assessments/kinds/screening_summary.html",
        "summary_context": summary_context,
    },
)
