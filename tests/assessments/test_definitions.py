"""The declared assessment kinds of issue 14 (``cases/assessments/kinds/``): each kind and its
sections as PRACTICE.md describes them, their outcomes and own checks (the screening's scoring
rule at its boundaries, an override needs a reason, the weighting's heaviest context and its
ties), and the digest of every shipped version, so a shipped version is never edited (a changed
question is a new version: ``cases/assessments/definitions.py``)."""

from datetime import date

import pytest

from cases.assessments import definitions as d
from cases.assessments.kinds import school, screening, weighting
from cases.assessments.models import Assessment
from contexts.models import Context
from safeguarding.subjects.models import Subject

#: (kind, version) → ``Definition.digest()`` of every shipped version. A failing digest means a
#: shipped version was edited: declare a new version instead (and add its digest here).
SHIPPED = {
    ("peer_group", 1): "ebfbe3c9f75f366c0195a7b0ab5b174956f7f15deda94638bb3fb53b7e1ed28b",
    ("place", 1): "a1d72db8d06076721e6feb32971ef7fc6c9bd1f3d1c17048ee5f22ced1976116",
    ("school", 1): "e470190d9e393515b0b99d01d8f232f664472f692f134ee58725a0ecbcfc2b66",
    ("screening", 1): "f419d8243dc3e398496e8718685786c5cd1a4d0223e3ef40d5511467aa742410",
    ("weighting", 1): "b94ba30bc03a3e5fd00eecda437c56d28422b2fc963e8751fa4c92ce54e1b13f",
}

SECTIONS = {
    "place": ["young_people", "guardianship", "environment", "conclusion"],
    "peer_group": ["purpose", "functioning", "guardianship", "environment", "conclusion"],
    "school": ["structures", "prevention", "identification", "response", "conclusion"],
    "screening": [
        "missing",
        "education",
        "health",
        "relationships",
        "online",
        "behaviour",
        "grooming",
        "level",
    ],
    "weighting": ["weights", "conclusion"],
}

CONTEXT_KINDS = ("place", "peer_group", "school")


def answer(value, **parts):
    return {"value": value, **parts}


# --- what is declared -------------------------------------------------------------------------


def test_every_declared_version_is_shipped_unchanged():
    declared = {(x.kind, x.version): x.digest() for x in d.all_versions()}
    assert declared == SHIPPED


def test_every_kind_is_declared_at_version_1():
    assert {x.kind for x in d.current()} == set(Assessment.Kind.values)
    for kind in Assessment.Kind.values:
        assert d.definition(kind, 1).version == 1
        assert d.definition(kind).kind == kind


@pytest.mark.parametrize("kind", list(SECTIONS))
def test_sections_are_those_of_the_issue(kind):
    definition = d.definition(kind, 1)
    assert [s.key for s in definition.sections] == SECTIONS[kind]
    assert definition.title
    assert definition.purpose
    assert definition.source


@pytest.mark.parametrize("kind", list(SECTIONS))
def test_what_it_may_be_about_is_known(kind):
    definition = d.definition(kind, 1)
    assert definition.subject_kinds
    assert set(definition.subject_kinds) <= set(Subject.Kind.values)
    assert set(definition.context_kinds) <= set(Context.Kind.values)
    for question in definition.questions():
        assert set(question.subject_kinds) <= set(Subject.Kind.values)
        if question.type == d.LINKED_SUBJECTS:
            assert question.subject_kinds, question.key


def test_subjects_and_evidence_packs():
    place = d.definition("place", 1)
    assert place.subject_kinds == ("context",)
    assert "school" not in place.context_kinds
    assert "online" not in place.context_kinds
    assert {"park", "estate", "transport_hub", "transport_route", "shop", "other"} <= set(
        place.context_kinds
    )
    assert place.evidence == "cases.assessments.packs.place"
    assert d.definition("peer_group", 1).subject_kinds == ("peer_group",)
    assert d.definition("peer_group", 1).evidence == "cases.assessments.packs.peer_group"
    school_v1 = d.definition("school", 1)
    assert (school_v1.subject_kinds, school_v1.context_kinds) == (("context",), ("school",))
    assert school_v1.partner_completes
    assert not any(d.definition(k, 1).partner_completes for k in SECTIONS if k != "school")
    assert d.definition("screening", 1).subject_kinds == ("young_person",)
    assert d.definition("screening", 1).evidence == "cases.assessments.packs.young_person"
    assert set(d.definition("weighting", 1).subject_kinds) == {
        "young_person",
        "peer_group",
        "context",
    }


@pytest.mark.parametrize("kind", CONTEXT_KINDS)
def test_a_context_assessment_ends_with_the_conclusion(kind):
    definition = d.definition(kind, 1)
    keys = [q.key for q in definition.section("conclusion").questions]
    assert keys == [
        "analysis",
        "threshold",
        "recommendation",
        "recommendation_reason",
        "partner_summary",
    ]
    assert definition.question("threshold").choices == d.THRESHOLD_CHOICES


@pytest.mark.parametrize("kind", ["place", "peer_group"])
def test_each_side_has_open_questions_and_a_summary(kind):
    definition = d.definition(kind, 1)
    for key in ("guardianship", "environment", "young_people", "functioning"):
        try:
            side = definition.section(key)
        except LookupError:
            continue
        types = [q.type for q in side.questions]
        assert types.count(d.TEXT) >= 2, key
        assert types.count(d.RAG) + types.count(d.RATING) == 1, key
        assert side.questions[-1].type in (d.RAG, d.RATING), key
        assert sum(q.required for q in side.questions) >= 2, key


def test_a_place_links_the_young_people_groups_and_places():
    place = d.definition("place", 1)
    assert set(place.question("young_people_linked").subject_kinds) == {
        "young_person",
        "peer_group",
    }
    assert place.question("places_linked").subject_kinds == ("context",)


def test_a_peer_group_assessment_states_its_purpose_and_the_actions_that_follow():
    purpose = d.definition("peer_group", 1).section("purpose")
    why, actions = purpose.questions[0], purpose.questions[1]
    assert (why.type, why.required) == (d.CHOICE, True)
    assert {value for value, _ in why.choices} == {"plan_safety", "coordinate"}
    assert (actions.type, actions.required) == (d.TEXT, True)


def test_school_areas_are_rated_red_amber_green():
    for area in school.AREAS:
        assert 3 <= len(area.questions) <= 5, area.key
        assert all(q.type == d.RAG and q.required for q in area.questions), area.key


def test_screening_domains():
    definition = d.definition("screening", 1)
    for section in definition.sections[:-1]:
        *indicators, judgement = section.questions
        assert 2 <= len(indicators) <= 5, section.key
        assert all(q.type == d.INDICATOR and q.domain == section.key for q in indicators)
        assert judgement.key == f"{section.key}_judgement"
        assert (judgement.type, judgement.required) == (d.TEXT, False)
    level = definition.section("level")
    assert [q.key for q in level.questions] == [
        "level_override",
        "level_override_reason",
        "next_review_on",
    ]
    override, reason, review = level.questions
    assert (override.type, override.choices, override.required) == (
        d.CHOICE,
        d.LEVEL_CHOICES,
        False,
    )
    assert (reason.type, reason.required) == (d.TEXT, False)
    assert (review.type, review.required) == (d.DATE, True)
    assert definition.extra["reviews"] == {"low": 42, "medium": 28, "high": 14}


def test_weighting_asks_a_weight_per_context_then_an_analysis():
    definition = d.definition("weighting", 1)
    assert [q.key for q in definition.section("weights").questions] == [
        "weight_family",
        "weight_peer_group",
        "weight_school",
        "weight_place",
        "weight_online",
        "weight_other",
    ]
    assert all(q.type == d.WEIGHT for q in definition.section("weights").questions)
    assert [q.key for q in definition.section("conclusion").questions] == ["analysis"]


# --- outcomes and checks ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", CONTEXT_KINDS)
def test_a_context_assessment_sets_its_threshold_and_recommendation(kind):
    definition = d.definition(kind, 1)
    answers = {
        "analysis": answer("Fictional analysis."),
        "threshold": answer("universal_plus"),
        "recommendation": answer("context_conference"),
    }
    assert definition.outcome(answers) == {
        "threshold": "universal_plus",
        "recommendation": "context_conference",
    }
    assert definition.outcome({}) == {"threshold": "", "recommendation": ""}


def test_school_scorecard_counts_each_area():
    answers = {
        "policies": answer("green", evidence="Policy reviewed in 2026."),
        "training": answer("amber", evidence="Half the staff trained."),
        "records": answer("red", evidence="Only victims recorded."),
        "curriculum": answer("green", evidence="Pupil survey."),
    }
    card = school.scorecard(answers)
    assert [key for key, _title, _counts in card] == [
        "structures",
        "prevention",
        "identification",
        "response",
    ]
    assert card[0][2] == {"red": 1, "amber": 1, "green": 1, "not_rated": 1}
    assert card[1][2] == {"red": 0, "amber": 0, "green": 1, "not_rated": 3}
    assert card[3][2]["not_rated"] == len(school.RESPONSE.questions)
    assert d.definition("school", 1).extra["scorecard"] is school.scorecard


KEYS = [q.key for q in screening.indicators()]


def indicators(*values):
    """Answers to the first indicators: each ``value`` a ``(value, when)`` pair, with
    evidence."""
    return {
        key: answer(value, when=when, evidence="Fictional, from a case note.")
        for key, (value, when) in zip(KEYS, values, strict=False)
    }


YES, POSSIBLE = ("yes", "current"), ("possible", "current")
OLD_YES, OLD_POSSIBLE = ("yes", "historic"), ("possible", "historic")


@pytest.mark.parametrize(
    ("values", "points", "level"),
    [
        ((), 0, "low"),
        ((("no", ""), ("not_known", "")), 0, "low"),
        ((YES, POSSIBLE, OLD_POSSIBLE), 3.5, "low"),
        ((YES, YES), 4, "medium"),
        ((OLD_YES, OLD_YES, OLD_YES, OLD_YES), 4, "medium"),
        ((YES, POSSIBLE, OLD_YES), 4, "medium"),
        ((YES, YES, YES, YES, POSSIBLE, OLD_POSSIBLE), 9.5, "medium"),
        ((YES, YES, YES, YES, YES), 10, "high"),
        ((YES,) * 4 + (POSSIBLE, POSSIBLE), 10, "high"),
    ],
)
def test_screening_suggests_a_level_from_the_declared_rule(values, points, level):
    answers = indicators(*values)
    assert screening.score(answers) == points
    assert screening.suggested_level(answers) == level
    assert screening.outcome(answers)["level_suggested"] == level


def test_an_indicator_answered_without_when_counts_as_current():
    answers = {KEYS[0]: answer("yes", evidence="x"), KEYS[1]: answer("yes", evidence="x")}
    assert screening.score(answers) == 4


def test_the_screening_outcome_is_the_override_if_chosen_else_the_suggestion():
    answers = indicators(YES, YES) | {"next_review_on": answer("2027-01-11")}
    assert screening.outcome(answers) == {
        "level_suggested": "medium",
        "level": "medium",
        "next_review_on": date(2027, 1, 11),
    }
    answers |= {
        "level_override": answer("high"),
        "level_override_reason": answer("Fictional: seen with an adult of concern yesterday."),
    }
    assert screening.outcome(answers) == {
        "level_suggested": "medium",
        "level": "high",
        "next_review_on": date(2027, 1, 11),
    }
    assert screening.outcome({})["next_review_on"] is None


def test_a_different_level_needs_a_reason():
    answers = indicators(YES, YES) | {"level_override": answer("low")}
    assert screening.validate(answers) == {
        "level_override_reason": "Say why you chose a different level from the suggested one"
    }
    answers["level_override_reason"] = answer("  ")
    assert "level_override_reason" in screening.validate(answers)
    answers["level_override_reason"] = answer("Fictional reason.")
    assert screening.validate(answers) == {}
    # Choosing the suggested level is agreeing with it.
    assert screening.validate(indicators(YES, YES) | {"level_override": answer("medium")}) == {}
    assert d.definition("screening", 1).extra["validate"] is screening.validate


def test_a_yes_or_possible_indicator_needs_its_evidence():
    answers = {
        KEYS[0]: answer("yes", when="current"),
        KEYS[1]: answer("possible", when="historic", evidence=" "),
        KEYS[2]: answer("no"),
        KEYS[3]: answer("not_known"),
    }
    assert set(screening.validate(answers)) == {KEYS[0], KEYS[1]}


def test_the_suggested_review_follows_the_level():
    today = date(2026, 11, 30)
    assert screening.review_on("low", today) == date(2027, 1, 11)
    assert screening.review_on("medium", today) == date(2026, 12, 28)
    assert screening.review_on("high", today) == date(2026, 12, 14)


def weights(**given):
    return {f"weight_{key}": answer(w, reason=f"Fictional: {key}.") for key, w in given.items()}


def test_weighting_heaviest_first_and_its_first_target():
    answers = weights(family=2, peer_group=7, school=0, place=9, online=4)
    rows = weighting.heaviest(answers)
    assert [(key, weight) for key, _label, weight, _reason in rows] == [
        ("place", 9),
        ("peer_group", 7),
        ("online", 4),
        ("family", 2),
        ("school", 0),
        ("other", 0),
    ]
    assert rows[0] == ("place", "Neighbourhood and places", 9, "Fictional: place.")
    assert rows[-1] == ("other", "Anything else", 0, "")
    assert weighting.outcome(answers) == {"first_target": "place"}
    assert weighting.validate(answers) == {}
    assert d.definition("weighting", 1).extra["heaviest"] is weighting.heaviest


def test_weighting_ties_keep_the_declared_order():
    answers = weights(family=3, peer_group=8, school=8, place=8, online=1, other=8)
    keys = [key for key, *_ in weighting.heaviest(answers)]
    assert keys == ["peer_group", "school", "place", "other", "family", "online"]
    assert weighting.outcome(answers) == {"first_target": "peer_group"}


def test_a_weighting_with_nothing_weighed_has_no_first_target():
    for answers in ({}, weights(family=0, online=0)):
        assert weighting.outcome(answers) == {"first_target": ""}
        assert weighting.validate(answers) == {
            "weight_family": "Give at least one context a weight above 0"
        }
