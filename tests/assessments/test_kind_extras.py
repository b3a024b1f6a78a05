"""What each kind adds to the engine (issue 14), through its ``Definition.extra`` hooks: the
exploitation screening's suggested level and pre-filled review date on its level page and its
level beside the evidence on the overview; the context weighting's picture and table with its
first target; the school assessment's scorecard compared with the previous one, and the
designated safeguarding lead's own flow from the school's page and My work to the council's
sign-off — through the one rule (another school's lead, and a police guardian of the same
school, see nothing of it; the lead never sees evidence items); and overview pages whose query
counts do not grow with the answers or the earlier assessments."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.assessments import definitions as d
from cases.assessments import selectors, services
from cases.assessments.kinds import school, screening, weighting
from cases.models import Assessment, EvidenceItem
from contexts.models import Context, ContextGuardian
from safeguarding.accounts import grants
from safeguarding.accounts.models import Organisation, User
from safeguarding.approvals.models import Approval
from safeguarding.errors import RecordNotFound
from tests.conftest import make_user

from .helpers import post_data, section_answers

pytestmark = pytest.mark.world_per_module


def _url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=[assessment.pk, *args])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


def _approval(assessment):
    return Approval.objects.get(
        target_type=ContentType.objects.get_for_model(Assessment),
        target_id=assessment.pk,
        status="requested",
    )


def _complete(assessment, user, answers_by_section=None):
    """Every section answered (``answers_by_section``: section key → answers, instead of the
    helpers' valid answers) and marked complete."""
    definition = assessment.definition
    for section in definition.sections:
        answers = (answers_by_section or {}).get(section.key) or section_answers(
            definition, section.key
        )
        problems = services.assessment_save_section(
            assessment=assessment, section=section.key, answers=answers, complete=True, by=user
        )
        assert problems == {}, problems
    assessment.refresh_from_db()
    return assessment


def _approved(subject, kind, answers, *, days_ago=30, by=None, organisation=None, **fields):
    """An approved assessment written straight to the table (a history to compare with)."""
    done = timezone.localdate() - timedelta(days=days_ago)
    return Assessment.objects.create(
        subject=subject,
        kind=kind,
        version=d.definition(kind).version,
        status="approved",
        answers=answers,
        sections_done=[s.key for s in d.definition(kind).sections],
        started_on=done - timedelta(days=10),
        due_on=done + timedelta(days=30),
        completed_on=done,
        started_by=by,
        organisation=organisation,
        **fields,
    )


# --- exploitation screening ----------------------------------------------------------------

YES = {"value": "yes", "when": "current", "evidence": "Seen by police with older males."}
HISTORIC_POSSIBLE = {"value": "possible", "when": "historic", "evidence": "School log, 2025."}


def _indicators(n, answer=YES):
    return {q.key: dict(answer) for q in screening.indicators()[:n]}


def test_the_level_page_hooks_suggest_a_level_and_a_review_date():
    today = date(2026, 11, 30)
    answers = _indicators(3) | {
        screening.indicators()[3].key: dict(HISTORIC_POSSIBLE)  # half a point
    }
    context = screening.section_context("level", answers, today)
    assert context == {
        "suggested_level": "medium",
        "suggested_label": "Medium",
        "score": 6.5,
        "score_text": "6.5",
    }
    assert screening.section_context("missing", answers, today) == {}
    assert screening.initial("level", answers, today) == {
        "next_review_on": {"value": "2026-12-28"}  # 4 weeks at medium
    }
    chosen_high = answers | {"level_override": {"value": "high"}}
    assert screening.initial("level", chosen_high, today) == {
        "next_review_on": {"value": "2026-12-14"}  # the level chosen: 2 weeks at high
    }
    assert screening.initial("missing", answers, today) == {}
    extra = d.definition("screening").extra
    assert extra["section_templates"]["level"] and extra["summary_template"]


def test_the_level_page_shows_the_suggestion_and_prefills_the_review_date(world, client):
    assessment = world.records["cases.assessment"]["yp_own"]  # a draft screening
    sw = world.users["sw"]
    services.assessment_save_section(
        assessment=assessment,
        section="missing",
        answers={q.key: dict(YES) for q in assessment.definition.section("missing").questions[:3]},
        complete=False,
        by=sw,
    )
    client.force_login(sw)
    page = client.get(_url("section", assessment, "level")).content.decode()
    assert "Suggested level:" in page and "Medium</strong> (score 6)" in page
    assert "Choose a different level only if you disagree, and say why" in page
    assert page.index('id="suggested-level"') < page.index('name="level_override"')
    review = timezone.localdate() + timedelta(days=28)
    assert 'id="prefilled-next_review_on"' in page
    for part, number in (("day", review.day), ("month", review.month), ("year", review.year)):
        assert f'name="next_review_on_{part}" value="{number}"' in page
    # Pre-filled is not saved until the practitioner saves the section …
    assessment.refresh_from_db()
    assert "next_review_on" not in assessment.answers
    # … and a date they chose is kept, not pre-filled over.
    chosen = timezone.localdate() + timedelta(days=10)
    response = client.post(
        _url("section", assessment, "level"),
        {
            "next_review_on_day": chosen.day,
            "next_review_on_month": chosen.month,
            "next_review_on_year": chosen.year,
            "save": "1",
        },
    )
    assert response.status_code == 302
    page = client.get(_url("section", assessment, "level")).content.decode()
    assert 'id="prefilled-next_review_on"' not in page
    assert f'name="next_review_on_day" value="{chosen.day}"' in page  # the stored answer
    assessment.refresh_from_db()
    assert assessment.answers["next_review_on"] == {"value": chosen.isoformat()}
    # Other sections have no suggestion.
    page = client.get(_url("section", assessment, "missing")).content.decode()
    assert "Suggested level:" not in page and "Pre-filled" not in page


def test_the_screening_overview_keeps_evidence_apart_from_judgement(world, client):
    assessment = world.records["cases.assessment"]["yp_own"]
    sw, tm = world.users["sw"], world.users["tm"]
    missing = assessment.definition.section("missing")
    answers = {
        "missing": {
            **section_answers(assessment.definition, "missing"),
            missing.questions[0].key: dict(YES),
            missing.questions[1].key: dict(YES),
            "missing_judgement": {"value": "I think the pattern is getting worse."},
        },
        "level": {
            "level_override": {"value": "high"},
            "level_override_reason": {"value": "He was found in another county last week."},
            "next_review_on": {"value": (date.today() + timedelta(days=14)).isoformat()},
        },
    }
    _complete(assessment, sw, answers)
    services.assessment_submit(assessment=assessment, by=sw)
    from safeguarding.approvals.services import approval_decide

    approval_decide(approval=_approval(assessment), by=tm, approve=True, comments="")
    assessment.refresh_from_db()
    assert (assessment.level_suggested, assessment.level) == ("medium", "high")
    client.force_login(sw)
    for name in ("assessment", "print"):
        page = client.get(_url(name, assessment)).content.decode()
        assert "Suggested by the indicators" in page and "Medium (score 4)" in page
        assert "He was found in another county last week." in page
        assert "<strong>Evidence:</strong> Seen by police with older males." in page
        assert "Your professional judgement" in page
        assert "I think the pattern is getting worse." in page
        # The evidence of an indicator and the judgement are different rows.
        assert page.index("Seen by police with older males.") < page.index(
            "I think the pattern is getting worse."
        )
    # The young person's page: the level and its chart (with a second screening, a chart).
    _approved(assessment.subject, "screening", {}, days_ago=60, level="low")
    page = client.get(assessment.subject.get_absolute_url()).content.decode()
    assert "Levels over time as a table" in page
    assert 'viewBox="0 0 120 70"' in page and 'width="100%"' in page
    assert '<rect x="60" y="5" width="40" height="55"' in page  # the later one, high


# --- context weighting -----------------------------------------------------------------------

WEIGHTS = {
    "weight_family": {"value": 2, "reason": "Mum is worried but protective."},
    "weight_peer_group": {"value": 6, "reason": "His friends carry for older boys."},
    "weight_school": {"value": 0},
    "weight_place": {"value": 8, "reason": "The estate's stairwells are where he is groomed."},
    "weight_online": {"value": 6, "reason": "Contacted on Snapchat."},
    "weight_other": {"value": 0},
}


def test_the_weighting_is_drawn_heaviest_first_with_its_first_target():
    assessment = Assessment(kind="weighting", version=1, answers=WEIGHTS)
    context = weighting.summary_context(assessment, None)
    assert [r["key"] for r in context["weights"]] == [
        "place",
        "peer_group",  # a tie keeps the declared order
        "online",
        "family",
        "school",
        "other",
    ]
    assert [r["first"] for r in context["weights"]] == [True] + [False] * 5
    assert context["first_target"] == "Neighbourhood and places"
    nothing = weighting.summary_context(Assessment(kind="weighting", version=1, answers={}), None)
    assert nothing["first_target"] == "" and not any(r["first"] for r in nothing["weights"])


def test_the_weighting_picture_and_table(world, client):
    sw = world.users["sw"]
    subject = world.records["subjects.subject"]["yp_own"]
    assessment = services.assessment_start(subject=subject, kind="weighting", by=sw)
    _complete(assessment, sw, {"weights": WEIGHTS})
    services.assessment_submit(assessment=assessment, by=sw)
    client.force_login(sw)
    for name in ("assessment", "print"):
        page = client.get(_url(name, assessment)).content.decode()
        assert "What drives the harm" in page
        assert "The heaviest is <strong>Neighbourhood and places</strong>" in page
        # The picture: a bar out of 100 per context, heaviest first, the first target red.
        assert '<rect x="0" y="0" width="80" height="4" fill="#d4351c"/>' in page
        assert '<rect x="0" y="0" width="60" height="4" fill="#1d70b8"/>' in page
        assert page.index("The estate&#x27;s stairwells") < page.index("His friends carry")
        # The same data as a table, and the first target marked in both.
        assert "The weights as a table, heaviest first" in page
        assert page.count("First target</strong>") == 2
        assert "No reason given" in page  # school, 0


# --- school assessment -----------------------------------------------------------------------


@pytest.fixture
def schools(world):
    """A school place worked with by team one, guarded by Test Academy (its safeguarding lead
    is partner2) and by the police (partner); another school with its own lead."""
    la = world.records["accounts.organisation"]["la"]
    academy = world.records["accounts.organisation"]["p2"]
    police = world.records["accounts.organisation"]["p1"]
    place = Context(authority=la, name="Test High School", kind=Context.Kind.SCHOOL)
    place.save()
    grants.grant_team(place, world.records["accounts.team"]["t1"])
    ContextGuardian.objects.create(context=place, organisation=academy)
    ContextGuardian.objects.create(context=place, organisation=police)
    other_org = Organisation.objects.create(
        name="Other School", kind=Organisation.Kind.SCHOOL, authority=la
    )
    other_place = Context(authority=la, name="Other School site", kind=Context.Kind.SCHOOL)
    other_place.save()
    grants.grant_team(other_place, world.records["accounts.team"]["t1"])
    ContextGuardian.objects.create(context=other_place, organisation=other_org)
    return {
        "place": place,
        "other_place": other_place,
        "dsl": world.records["accounts.user"]["partner2"],
        "other_dsl": make_user("other_dsl", User.Role.PARTNER, other_org),
        "police": world.users["partner"],
        "tm": world.users["tm"],
        "sw": world.users["sw"],
    }


def _rag(value):
    return {"value": value, "evidence": f"Evidence for {value}."}


def test_the_scorecard_compares_area_by_area_and_indicator_by_indicator():
    first, second, *rest = [q.key for q in school.STRUCTURES.questions]
    before = {first: _rag("red"), second: _rag("green")} | {k: _rag("amber") for k in rest}
    now = {first: _rag("amber"), second: _rag("green")} | {k: _rag("amber") for k in rest}
    areas = school.compare(now, before)
    structures = areas[0]
    assert structures["key"] == "structures"
    assert structures["counts"]["amber"] == len(rest) + 1 and structures["counts"]["red"] == 0
    assert structures["before"]["red"] == 1
    assert (structures["better"], structures["worse"], structures["change"]) == (1, 0, "better")
    assert [i["change"] for i in structures["indicators"]][:2] == ["better", "same"]
    # An area not rated either time: nothing to compare.
    assert areas[1]["change"] == "" and areas[1]["indicators"][0]["change"] == ""
    worse = school.compare({first: _rag("red")}, {first: _rag("green")})[0]
    assert worse["change"] == "worse" and worse["indicators"][0]["change"] == "worse"
    alone = school.compare(now, None)[0]
    assert alone["before"] is None and alone["change"] == ""
    assert school.change("green", "red") == "better" and school.change(None, "red") == ""


def test_the_safeguarding_lead_is_offered_their_schools_assessment(world, client, schools):
    dsl, place = schools["dsl"], schools["place"]
    assert list(selectors.schools_to_assess(dsl)) == [place]  # not the park it also guards
    assert list(selectors.schools_to_assess(schools["police"])) == []
    assert list(selectors.schools_to_assess(schools["other_dsl"])) == [schools["other_place"]]
    assert list(selectors.schools_to_assess(schools["sw"])) == []
    start = reverse("assessments:start", args=[place.subject.reference])
    client.force_login(dsl)
    home = client.get(reverse("home")).content.decode()
    assert "Start your school's assessment: Test High School" in home
    assert start in home
    assert start in client.get(place.get_absolute_url()).content.decode()
    assert client.get(start).status_code == 200
    # Once one is in progress, My work says so instead (only one at a time).
    services.assessment_start(subject=place.subject, kind="school", by=dsl)
    assert [p.in_progress for p in selectors.schools_to_assess(dsl)] == [True]
    home = client.get(reverse("home")).content.decode()
    # Listed under "Your school's assessments" with the school's name and its reference.
    mine = selectors.school_assessments(dsl).get(subject=place.subject)
    assert '<td class="govuk-table__cell">Test High School</td>' in home
    assert mine.reference in home
    assert "Test High School: your school&#x27;s assessment is in progress" not in home
    assert "Test High School: your school's assessment is in progress" in home
    assert start not in home
    # An ended guardianship ends the offer.
    ContextGuardian.objects.filter(context=place, organisation=dsl.organisation).update(
        ended_on=date.today()
    )
    assert list(selectors.schools_to_assess(dsl)) == []
    client.force_login(schools["police"])
    home = client.get(reverse("home")).content.decode()
    assert "Start your school" not in home
    assert client.get(start).status_code == 404


def test_the_safeguarding_lead_fills_it_in_and_the_council_signs_it_off(world, client, schools):
    dsl, place, tm = schools["dsl"], schools["place"], schools["tm"]
    client.force_login(dsl)
    response = client.post(
        reverse("assessments:start", args=[place.subject.reference]), {"kind": "school"}
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(subject=place.subject, kind="school")
    assert assessment.organisation == dsl.organisation and assessment.started_by == dsl
    assert response["Location"] == assessment.get_absolute_url()
    # The council's evidence is never the school's to read (none is drafted for a school
    # assessment; one written here stays hidden).
    EvidenceItem.objects.create(
        assessment=assessment,
        kind="concerns",
        text="Police intelligence about the gates",
        source="police",
        reliability="reliable",
        state="accepted",
    )
    assert selectors.evidence_pack(dsl, assessment) == []
    assert "Police intelligence" not in client.get(_url("evidence", assessment)).content.decode()
    for section in assessment.definition.sections:
        page = client.get(_url("section", assessment, section.key)).content.decode()
        assert "Police intelligence" not in page
        response = client.post(
            _url("section", assessment, section.key),
            {**post_data(assessment.definition, section.key), "complete": "1"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(_url("assessment", assessment)).content.decode()
    assert "Police intelligence" not in page and "Check and send for sign-off" in page
    response = client.post(_url("submit", assessment), {"note": "Our first go"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert client.get(_url("decision", assessment)).status_code == 404  # not theirs to decide
    for name in ("assessment", "print"):
        page = client.get(_url(name, assessment)).content.decode()
        assert "Scorecard" in page and "no earlier approved school assessment" in page
        assert "Police intelligence" not in page

    # The team manager of the team that works with the school returns it, then approves it.
    client.force_login(tm)
    assert assessment.reference in client.get(reverse("home")).content.decode()
    response = client.post(
        _url("decision", assessment), {"decision": "return", "comments": "Add pupil voice"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "returned"
    client.force_login(dsl)
    page = client.get(_url("assessment", assessment)).content.decode()
    assert "Returned with comments" in page
    assert "Add pupil voice" in page  # the school reads what it must change
    assert assessment.reference in page
    response = client.post(
        _url("section", assessment, "prevention"),
        {**post_data(assessment.definition, "prevention"), "complete": "1"},
    )
    assert response.status_code == 302
    assert client.post(_url("submit", assessment), {"note": ""}).status_code == 302
    client.force_login(tm)
    assert client.post(_url("decision", assessment), {"decision": "approve"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    # Approved, it is no longer the school's to change.
    with pytest.raises(RecordNotFound):
        services.assessment_save_section(
            assessment=assessment, section="structures", answers={}, complete=False, by=dsl
        )

    # Next year's, carried forward and changed, reads against this one.
    assessment.completed_on = date.today() - timedelta(days=1)
    assessment.save(update_fields=["completed_on"])
    second = services.assessment_start(subject=place.subject, kind="school", by=dsl)
    first_key = school.STRUCTURES.questions[0].key
    second_key = school.STRUCTURES.questions[1].key
    answers = {
        "structures": {
            **section_answers(second.definition, "structures"),
            first_key: _rag("green"),
            second_key: _rag("red"),
        }
    }
    _complete(second, dsl, answers)
    services.assessment_submit(assessment=second, by=dsl)
    for who in (dsl, tm):
        client.force_login(who)
        page = client.get(_url("assessment", second)).content.decode()
        assert (
            f'Compared with <a class="govuk-link" href="{assessment.get_absolute_url()}">' in page
        )
        assert f"approved {assessment.completed_on:%-d %B %Y}" in page
        assert "Each statement, before and now" in page
        assert "Better</strong>" in page and "Worse</strong>" in page and "Same</strong>" in page
        assert "1 better, 1 worse" in page
    assert f"({assessment.reference})" in page  # council staff read the reference


def test_no_one_else_sees_the_schools_assessment(world, client, schools):
    dsl, place = schools["dsl"], schools["place"]
    assessment = services.assessment_start(subject=place.subject, kind="school", by=dsl)
    _complete(assessment, dsl)
    services.assessment_submit(assessment=assessment, by=dsl)
    from safeguarding.approvals.services import approval_decide

    approval_decide(approval=_approval(assessment), by=schools["tm"], approve=True, comments="")
    urls = [_url(n, assessment) for n in ("assessment", "print", "evidence", "submit")]
    urls.append(_url("section", assessment, "structures"))
    for who in ("other_dsl", "police"):
        user = schools[who]
        assert not Assessment.objects.filter(pk=assessment.pk).filter(
            pk__in=selectors.visibility.restrict(user, Assessment).values("pk")
        )
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        with pytest.raises(RecordNotFound):
            services.assessment_start(subject=place.subject, kind="school", by=user)
    # Nor may a lead start one for another school's place.
    client.force_login(schools["other_dsl"])
    start = reverse("assessments:start", args=[place.subject.reference])
    assert client.get(start).status_code == 404
    # The police guardian's page of the place lists no school assessment.
    client.force_login(schools["police"])
    page = client.get(place.get_absolute_url()).content.decode()
    assert assessment.reference not in page


# --- query counts ----------------------------------------------------------------------------


def _overview_costs(client, assessment, grow):
    urls = [_url("assessment", assessment), _url("print", assessment)]
    before = [_queries(client, url) for url in urls]
    grow()
    after = [_queries(client, url) for url in urls]
    return before, after


def test_the_overview_of_each_kind_costs_the_same_however_much_it_holds(world, client, schools):
    sw, dsl = schools["sw"], schools["dsl"]
    subject = world.records["subjects.subject"]["yp_own"]

    def submitted(kind, subj, by, few):
        found = Assessment.objects.create(
            subject=subj,
            kind=kind,
            version=d.definition(kind).version,
            status="submitted",
            answers=few,
            sections_done=[s.key for s in d.definition(kind).sections],
            started_on=date.today(),
            due_on=date.today() + timedelta(days=40),
            started_by=by,
            organisation=dsl.organisation if kind == "school" else None,
        )
        return found

    def every_answer(kind):
        definition = d.definition(kind)
        return {
            k: v for s in definition.sections for k, v in section_answers(definition, s.key).items()
        }

    cases = [
        ("screening", subject, sw, sw),
        ("weighting", subject, sw, sw),
        ("school", schools["place"].subject, dsl, dsl),
        ("place", world.records["subjects.subject"]["ctx_team"], sw, sw),
        ("peer_group", world.records["subjects.subject"]["pg_team"], sw, sw),
    ]
    for kind, subj, by, viewer in cases:
        first_key = d.definition(kind).questions()[0].key
        assessment = submitted(kind, subj, by, {first_key: every_answer(kind)[first_key]})
        client.force_login(viewer)

        def grow(assessment=assessment, kind=kind, subj=subj, by=by):
            Assessment.objects.filter(pk=assessment.pk).update(answers=every_answer(kind))
            for n in range(3):
                _approved(
                    subj,
                    kind,
                    every_answer(kind),
                    days_ago=10 + n,
                    by=by,
                    organisation=dsl.organisation if kind == "school" else None,
                )

        before, after = _overview_costs(client, assessment, grow)
        assert before == after, kind
