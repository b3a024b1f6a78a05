"""A plan started from a meeting's decision (PRACTICE.md, "Meetings": a context conference
"agrees safety goals and the context plan"): the decision is kept on the plan, the goals are
drafted from the assessment the conference was held from, and the meeting's open actions about
the subject become the plan's responses."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.meetings import services as meetings
from cases.models import Meeting, Plan
from cases.plans import services
from safeguarding.errors import ApplicationError, RecordNotFound

pytestmark = pytest.mark.world_per_module


def _at(day: date, hour: int):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _conference(world):
    """A context conference held from the world's approved place assessment, with a decision
    and a partner's action; the place's plans in progress are ended first (one at a time)."""
    tm, partner = world.users["tm"], world.users["partner"]
    assessment = world.records["cases.assessment"]["place_approved"]
    Plan.objects.filter(subject=assessment.subject).update(
        status=Plan.Status.ENDED, ended_on=timezone.localdate()
    )
    soon = timezone.localdate() + timedelta(days=7)
    meeting = meetings.meeting_schedule(
        by=tm,
        kind="context_conference",
        subject=assessment.subject,
        starts_at=_at(soon, 10),
        ends_at=_at(soon, 11),
        chair=tm,
        location="Civic Centre",
        source_assessment=assessment,
    )
    police = meetings.meeting_invite(by=tm, meeting=meeting, organisation=partner.organisation)
    day = timezone.localdate() - timedelta(days=3)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=_at(day, 10), ends_at=_at(day, 11))
    meeting.refresh_from_db()
    meetings.meeting_hold(by=tm, meeting=meeting, held_on=day, attendance={police.pk: "attended"})
    decision = meetings.decision_record(
        by=tm, meeting=meeting, text="A context safety plan.", reason="Repeated concerns."
    )
    action = meetings.meeting_action_add(
        by=tm,
        meeting=meeting,
        description="Patrols on Friday nights.",
        due_on=timezone.localdate() + timedelta(days=14),
        owner_organisation=partner.organisation,
    )
    return meeting, decision, action, assessment


def test_a_plan_started_from_a_conference_decision_takes_its_assessment_and_actions(world):
    meeting, decision, action, assessment = _conference(world)
    plan = services.plan_start(
        subject=assessment.subject, by=world.users["tm"], source_decision=decision
    )
    assert plan.source_decision == decision
    assert plan.source_assessment == assessment  # the conference was held from it
    assert plan.goals.exists()  # drafted from the assessment's sides
    action.refresh_from_db()
    assert action.plan == plan and action.goal is None  # a response, not yet under a goal
    started = plan.events.get(kind="started")
    assert meeting.reference in started.note and assessment.reference in started.note


def test_a_plan_is_not_started_from_a_decision_it_may_not_come_from(world):
    tm = world.users["tm"]
    _meeting, decision, _action, assessment = _conference(world)
    other = world.records["cases.youngperson"]["own"].subject
    Plan.objects.filter(subject=other).update(
        status=Plan.Status.ENDED, ended_on=timezone.localdate()
    )
    with pytest.raises(ApplicationError) as elsewhere:
        services.plan_start(subject=other, by=tm, source_decision=decision)
    assert "another record" in str(elsewhere.value.message_dict["source_decision"])
    with pytest.raises(RecordNotFound):  # team two's worker sees neither
        services.plan_start(
            subject=assessment.subject, by=world.users["sw3"], source_decision=decision
        )
    assert not Plan.objects.filter(source_decision=decision).exists()


def test_the_meeting_page_starts_a_plan_from_a_decision(world, client):
    meeting, decision, _action, assessment = _conference(world)
    client.force_login(world.users["tm"])
    page = client.get(meeting.get_absolute_url()).content.decode()
    start = reverse("plans:start", args=[assessment.subject.reference]) + f"?decision={decision.pk}"
    assert f'href="{start}"' in page and "Start a plan from this decision" in page
    form = client.get(start)
    assert form.status_code == 200
    assert meeting.reference in form.content.decode()
    assert form.context["form"].initial["source_assessment"] == str(assessment.pk)
    response = client.post(start, {"source_assessment": str(assessment.pk)})
    plan = Plan.objects.get(source_decision=decision)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    shown = client.get(plan.get_absolute_url()).content.decode()
    assert "Agreed at" in shown and meeting.reference in shown
    assert "Patrols on Friday nights." in shown
    # A partner invited to the conference is offered no such link, nor the start page.
    client.force_login(world.users["partner"])
    assert (
        "Start a plan from this decision"
        not in client.get(meeting.get_absolute_url()).content.decode()
    )
    assert client.get(start).status_code == 404
    # A decision that is not a number, or that the worker may not see, is a 404.
    client.force_login(world.users["tm"])
    base = reverse("plans:start", args=[assessment.subject.reference])
    assert client.get(base + "?decision=x").status_code == 404
    client.force_login(world.users["sw3"])
    assert client.get(start).status_code == 404
