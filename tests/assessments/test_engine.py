"""The assessment engine (issue 14): starting an assessment (its due date in working days,
its evidence pack, what the last approved one answered, carried forward), saving sections as
you go and in any order, completing them, sending for sign-off, the manager's decision
(never the requester's), the chronology, and the pages — through the one rule, with query
counts that do not grow with what an assessment holds."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.assessments import definitions as d
from cases.assessments import services
from cases.models import Assessment, AssessmentEvent, AssessmentMention, EvidenceItem, HarmCategory
from cases.services import concern_log
from safeguarding.approvals.models import Approval
from safeguarding.approvals.services import approval_decide
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.working_days import add_working_days

from .helpers import post_data, section_answers

pytestmark = pytest.mark.world_per_module


def _place(world, name="team"):
    return world.records["contexts.context"][name]


def _concern_at(world, place, *young_people, by="sw"):
    return concern_log(
        logged_by=world.users[by],
        occurred_at=place.created_at,
        narrative="Seen at the place late at night",
        harm_categories=list(HarmCategory.objects.all()[:1]),
        source="police",
        reliability="reliable",
        location=place,
        young_people=[(yp, "at_risk") for yp in young_people],
    )


def _start(world, kind="place", subject=None, by="sw"):
    subject = subject or _place(world).subject
    return services.assessment_start(subject=subject, kind=kind, by=world.users[by])


def _complete(assessment, user, subjects=()):
    definition = assessment.definition
    for section in definition.sections:
        problems = services.assessment_save_section(
            assessment=assessment,
            section=section.key,
            answers=section_answers(definition, section.key, subjects),
            complete=True,
            by=user,
        )
        assert problems == {}, problems
    assessment.refresh_from_db()
    return assessment


def _approval(assessment):
    return Approval.objects.get(
        target_type=ContentType.objects.get_for_model(Assessment),
        target_id=assessment.pk,
        status="requested",
    )


def _clear_world_assessments(world):
    """The world has a draft place assessment of team one's place: approve it out of the way
    where a test starts a new one."""
    Assessment.objects.filter(subject=_place(world).subject).exclude(status="approved").update(
        status="approved", completed_on=date.today()
    )


# --- starting --------------------------------------------------------------------------------


def test_an_assessment_is_due_in_working_days_and_opens_with_its_evidence_pack(world):
    _clear_world_assessments(world)
    yp = world.records["cases.youngperson"]["own"]
    _concern_at(world, _place(world), yp)
    assessment = _start(world)
    assert assessment.status == "draft"
    assert assessment.version == d.definition("place").version
    assert assessment.due_on == add_working_days(assessment.started_on, 45)
    kinds = set(assessment.evidence.values_list("kind", flat=True))
    assert {"concerns", "young_person", "guardian"} <= kinds
    linked = assessment.evidence.filter(kind="young_person").get()
    assert linked.linked_subject == yp.subject
    assert yp.given_name not in linked.text and yp.family_name not in linked.text
    assert AssessmentEvent.objects.filter(assessment=assessment, kind="started").exists()


def test_the_due_date_follows_the_setting(world, settings):
    _clear_world_assessments(world)
    settings.ASSESSMENT_DUE_WORKING_DAYS = 10
    assessment = _start(world)
    assert assessment.due_on == add_working_days(assessment.started_on, 10)


def test_one_assessment_of_a_kind_at_a_time(world):
    with pytest.raises(ApplicationError) as raised:
        _start(world)  # the world's draft place assessment is in progress
    assert raised.value.code == "in_progress"
    assert raised.value.params["assessment"] == world.records["cases.assessment"]["place_team"]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("sm", NotAllowed),
        ("admin", NotAllowed),
        ("sw3", RecordNotFound),
        ("partner", RecordNotFound),
    ],
)
def test_who_may_not_start_one(world, who, error):
    _clear_world_assessments(world)
    with pytest.raises(error):
        _start(world, by=who)


def test_a_kind_is_only_for_its_subjects(world):
    yp = world.records["cases.youngperson"]["team"]
    with pytest.raises(ApplicationError):
        _start(world, kind="place", subject=yp.subject, by="sw2")
    assert [x.kind for x in services.kinds_for(yp.subject)] == ["screening", "weighting"]
    assert [x.kind for x in services.kinds_for(_place(world).subject)] == ["place", "weighting"]


# --- carried forward -------------------------------------------------------------------------


def test_the_last_approved_answers_are_carried_forward_until_changed(world):
    _clear_world_assessments(world)
    sw = world.users["sw"]
    first = _complete(_start(world), sw)
    Assessment.objects.filter(pk=first.pk).update(status="approved", completed_on=date.today())
    second = _start(world)
    assert second.answers["who_uses"] == {
        "value": "Answer to who_uses.",
        "carried_from": first.reference,
    }
    assert "analysis" not in second.answers  # a conclusion is reached afresh
    # Saved unchanged: still carried; changed: its own.
    answers = section_answers(second.definition, "young_people")
    answers["what_happens"] = {"value": "Something new."}
    services.assessment_save_section(
        assessment=second, section="young_people", answers=answers, complete=False, by=sw
    )
    second.refresh_from_db()
    assert second.answers["who_uses"]["carried_from"] == first.reference
    assert second.answers["what_happens"] == {"value": "Something new."}


# --- saving as you go ------------------------------------------------------------------------


def test_a_section_is_saved_whatever_is_missing_and_completed_only_when_answered(world):
    assessment = world.records["cases.assessment"]["place_team"]
    sw = world.users["sw"]
    problems = services.assessment_save_section(
        assessment=assessment,
        section="young_people",
        answers={"who_uses": {"value": "Year 9s after school."}},
        complete=True,
        by=sw,
    )
    assessment.refresh_from_db()
    assert assessment.answers["who_uses"] == {"value": "Year 9s after school."}
    assert "what_happens" in problems and "who_uses" not in problems
    assert "young_people" not in assessment.sections_done
    # A red/amber/green answer needs its evidence.
    rag = next(
        q for q in assessment.definition.section("young_people").questions if q.type == d.RAG
    )
    answers = section_answers(assessment.definition, "young_people")
    answers[rag.key] = {"value": "red"}
    problems = services.assessment_save_section(
        assessment=assessment, section="young_people", answers=answers, complete=True, by=sw
    )
    assert list(problems) == [rag.key]
    assert "evidence" in problems[rag.key].lower()
    answers = section_answers(assessment.definition, "young_people")
    assert (
        services.assessment_save_section(
            assessment=assessment, section="young_people", answers=answers, complete=True, by=sw
        )
        == {}
    )
    assessment.refresh_from_db()
    assert assessment.sections_done == ["young_people"]


def test_sections_complete_in_any_order_and_keep_the_definitions_order(world):
    assessment = world.records["cases.assessment"]["place_team"]
    sw = world.users["sw"]
    for key in ("conclusion", "young_people"):
        services.assessment_save_section(
            assessment=assessment,
            section=key,
            answers=section_answers(assessment.definition, key),
            complete=True,
            by=sw,
        )
    assessment.refresh_from_db()
    assert assessment.sections_done == ["young_people", "conclusion"]


def test_only_those_who_may_change_it_save_it(world):
    assessment = world.records["cases.assessment"]["place_team"]
    for who in ("sw3", "sm", "partner", "admin"):
        with pytest.raises(RecordNotFound):
            services.assessment_save_section(
                assessment=assessment,
                section="young_people",
                answers={},
                complete=False,
                by=world.users[who],
            )


# --- evidence --------------------------------------------------------------------------------


def test_evidence_is_kept_changed_or_dropped(world):
    item = world.records["cases.evidenceitem"]["place_team"]
    sw = world.users["sw"]
    with pytest.raises(ApplicationError):
        services.evidence_decide(item=item, state="edited", text="", by=sw)
    item = services.evidence_decide(item=item, state="edited", text="In my words.", by=sw)
    assert (item.state, item.shown_text, item.kept) == ("edited", "In my words.", True)
    item = services.evidence_decide(item=item, state="dropped", by=sw)
    assert (item.state, item.edited_text, item.kept) == ("dropped", "", False)
    with pytest.raises(RecordNotFound):
        services.evidence_decide(item=item, state="accepted", by=world.users["sw3"])


# --- sign-off --------------------------------------------------------------------------------


def test_an_incomplete_assessment_is_not_sent(world):
    assessment = world.records["cases.assessment"]["place_team"]
    with pytest.raises(ApplicationError) as raised:
        services.assessment_submit(assessment=assessment, by=world.users["sw"])
    assert set(raised.value.message_dict) == {s.key for s in assessment.definition.sections}


def test_sent_returned_changed_resent_and_approved_by_another(world):
    sw, tm = world.users["sw"], world.users["tm"]
    yp = world.records["cases.youngperson"]["own"]
    assessment = _complete(world.records["cases.assessment"]["place_team"], sw, [yp.reference])
    services.assessment_submit(assessment=assessment, by=sw, note="Ready")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert assessment.threshold == d.THRESHOLD_CHOICES[0][0]
    assert assessment.recommendation == d.RECOMMENDATION_CHOICES[0][0]
    assert set(
        AssessmentMention.objects.filter(assessment=assessment).values_list("subject", flat=True)
    ) == {yp.subject_id}
    # Nothing can be changed while it waits.
    with pytest.raises(ApplicationError):
        services.assessment_save_section(
            assessment=assessment, section="conclusion", answers={}, complete=False, by=sw
        )
    with pytest.raises(ApplicationError):
        approval_decide(approval=_approval(assessment), by=tm, approve=False, comments="")
    approval_decide(
        approval=_approval(assessment), by=tm, approve=False, comments="Say more about lighting"
    )
    assessment.refresh_from_db()
    assert assessment.status == "returned"
    assert assessment.events.filter(kind="returned", note="Say more about lighting").exists()
    services.assessment_save_section(
        assessment=assessment,
        section="environment",
        answers=section_answers(assessment.definition, "environment"),
        complete=True,
        by=sw,
    )
    services.assessment_submit(assessment=assessment, by=sw)
    approval_decide(approval=_approval(assessment), by=tm, approve=True, comments="")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.completed_on) == ("approved", date.today())
    assert [e.kind for e in assessment.events.order_by("at", "pk")] == [
        "started",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]


def test_the_requester_never_signs_off(world):
    tm = world.users["tm"]
    assessment = _complete(world.records["cases.assessment"]["place_team"], tm)
    services.assessment_submit(assessment=assessment, by=tm)
    with pytest.raises(NotAllowed):
        approval_decide(approval=_approval(assessment), by=tm, approve=True, comments="")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


# --- chronology ------------------------------------------------------------------------------


def test_each_step_is_in_the_chronology_and_named_subjects_see_a_mention(world, client):
    sw = world.users["sw"]
    yp = world.records["cases.youngperson"]["own"]
    assessment = _complete(world.records["cases.assessment"]["place_team"], sw, [yp.reference])
    services.assessment_submit(assessment=assessment, by=sw)
    client.force_login(sw)
    place_page = client.get(_place(world).get_absolute_url() + "?type=assessment")
    assert "Neighbourhood or place assessment sent for sign-off" in place_page.content.decode()
    yp_page = client.get(yp.get_absolute_url() + "?type=assessment_mention").content.decode()
    assert "Named in a neighbourhood or place assessment" in yp_page
    # Another team's worker, who may not see the place or its assessment, reads no mention.
    client.force_login(world.users["sw3"])
    assert client.get(yp.get_absolute_url()).status_code == 404


# --- pages -----------------------------------------------------------------------------------


def _url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=[assessment.pk, *args])


def test_the_pages_of_a_draft(world, client):
    assessment = world.records["cases.assessment"]["place_team"]
    client.force_login(world.users["sw"])
    page = client.get(_url("assessment", assessment)).content.decode()
    assert "Evidence pack" in page and "Check and send for sign-off" in page
    for section in assessment.definition.sections:
        assert client.get(_url("section", assessment, section.key)).status_code == 200
    assert client.get(_url("evidence", assessment)).status_code == 200
    assert client.get(_url("submit", assessment)).status_code == 200
    assert client.get(_url("print", assessment)).status_code == 200
    assert client.get(_url("section", assessment, "nope")).status_code == 404
    assert client.get(_url("decision", assessment)).status_code == 404  # nothing to decide


def test_a_section_saved_with_a_bad_date_keeps_what_was_typed(world, client):
    assessment = world.records["cases.assessment"]["yp_own"]  # a screening: its review date
    client.force_login(world.users["sw"])
    data = post_data(assessment.definition, "level")
    data["next_review_on_month"] = "13"
    data["level_override_reason"] = "Typed before the date was wrong"
    data["complete"] = "1"
    response = client.post(_url("section", assessment, "level"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Typed before the date was wrong" in body
    assert "The date must be a real date" in body
    assessment.refresh_from_db()
    assert assessment.answers["level_override_reason"]["value"] == "Typed before the date was wrong"
    assert "level" not in assessment.sections_done


def test_completing_every_section_through_the_pages_and_sending(world, client):
    assessment = world.records["cases.assessment"]["place_team"]
    client.force_login(world.users["sw"])
    for section in assessment.definition.sections:
        response = client.post(
            _url("section", assessment, section.key),
            {**post_data(assessment.definition, section.key), "complete": "1"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(_url("submit", assessment), {"note": "Please look"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    client.force_login(world.users["tm"])
    page = client.get(reverse("home")).content.decode()
    assert assessment.reference in page
    response = client.post(_url("decision", assessment), {"decision": "return", "comments": ""})
    assert response.status_code == 200 and "Say what needs to change" in response.content.decode()
    response = client.post(_url("decision", assessment), {"decision": "approve"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "approved"


def test_the_evidence_pack_page_keeps_changes_and_drops(world, client):
    _clear_world_assessments(world)
    yp = world.records["cases.youngperson"]["own"]
    _concern_at(world, _place(world), yp)
    assessment = _start(world)
    items = list(assessment.evidence.order_by("pk"))
    assert len(items) >= 3
    client.force_login(world.users["sw"])
    data = {
        f"state_{items[0].pk}": "dropped",
        f"state_{items[1].pk}": "edited",
        f"text_{items[1].pk}": "Reworded by the worker",
        "keep_rest": "1",
    }
    assert client.post(_url("evidence", assessment), data).status_code == 302
    states = dict(assessment.evidence.values_list("pk", "state"))
    assert states[items[0].pk] == "dropped" and states[items[1].pk] == "edited"
    assert all(states[i.pk] == "accepted" for i in items[2:])
    # Changed with nothing typed: refused, at the item.
    data = {f"state_{items[0].pk}": "edited", f"text_{items[0].pk}": ""}
    response = client.post(_url("evidence", assessment), data)
    assert response.status_code == 200


def test_the_guardian_reads_the_approved_summary_naming_no_young_person(world, client):
    sw, tm = world.users["sw"], world.users["tm"]
    yp = world.records["cases.youngperson"]["own"]
    assessment = _complete(world.records["cases.assessment"]["place_team"], sw, [yp.reference])
    services.assessment_save_section(
        assessment=assessment,
        section="conclusion",
        answers={
            **section_answers(assessment.definition, "conclusion"),
            "analysis": {"value": f"{yp.given_name} {yp.family_name} is seen here most nights."},
            "partner_summary": {"value": "More staff at closing time would help."},
        },
        complete=True,
        by=sw,
    )
    services.assessment_submit(assessment=assessment, by=sw)
    client.force_login(world.users["partner"])
    assert client.get(_url("assessment", assessment)).status_code == 404  # not yet approved
    approval_decide(approval=_approval(assessment), by=tm, approve=True, comments="")
    for name in ("assessment", "print"):
        page = client.get(_url(name, assessment)).content.decode()
        assert "More staff at closing time would help." in page
        assert yp.family_name not in page and "seen here most nights" not in page
    assert client.get(_url("evidence", assessment)).status_code == 404
    assert client.get(_url("section", assessment, "conclusion")).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_whatever_the_pack_holds(world, client):
    assessment = world.records["cases.assessment"]["place_team"]
    client.force_login(world.users["sw"])
    urls = [
        _url("assessment", assessment),
        _url("section", assessment, "young_people"),
        _url("evidence", assessment),
        _url("submit", assessment),
    ]
    subjects = [world.records["subjects.subject"][n] for n in ("yp_own", "pg_team", "ctx_other")]

    def add(count):
        EvidenceItem.objects.bulk_create(
            EvidenceItem(
                assessment=assessment,
                section="young_people",
                kind="young_person",
                text=f"Extra {n}",
                source="police",
                reliability="reliable",
                linked_subject=subjects[n % 3],
                state="accepted",
            )
            for n in range(count)
        )

    add(3)
    before = [_queries(client, url) for url in urls]
    add(30)
    assert [_queries(client, url) for url in urls] == before


def test_every_page_that_shows_an_assessment_is_an_audited_read(world, client):
    from auditlog.models import LogEntry

    assessment = world.records["cases.assessment"]["place_team"]
    client.force_login(world.users["sw"])
    reads = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(Assessment),
        object_pk=str(assessment.pk),
    )
    for url in (
        _url("assessment", assessment),
        _url("print", assessment),
        _url("section", assessment, "young_people"),
        _url("evidence", assessment),
        _url("submit", assessment),
    ):
        before = reads.count()
        client.get(url)
        assert reads.count() == before + 1, url


def test_the_page_saves_itself_while_someone_types_and_keeps_a_complete_section_complete(
    world, client
):
    assessment = world.records["cases.assessment"]["place_team"]
    client.force_login(world.users["sw"])
    url = _url("section", assessment, "young_people")
    data = post_data(assessment.definition, "young_people")
    assert client.post(url, {**data, "complete": "1"}).status_code == 302
    data["who_uses"] = "Typed a moment ago"
    response = client.post(url, {**data, "autosave": "1"})
    assert response.status_code == 200 and response.json()["saved"] is True
    assessment.refresh_from_db()
    assert assessment.answers["who_uses"]["value"] == "Typed a moment ago"
    assert assessment.sections_done == ["young_people"]
    # A required answer emptied while typing: saved, and the section is no longer complete.
    data["who_uses"] = ""
    response = client.post(url, {**data, "autosave": "1"})
    assert response.json()["saved"] is True
    assessment.refresh_from_db()
    assert "who_uses" not in assessment.answers
    assert assessment.sections_done == []
