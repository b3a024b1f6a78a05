"""Meetings (cases/meetings): each kind end to end through the services, the clocks in working
days (bank holidays skipped), the outbox's invitations and minutes with their calendar
invitation, and what a partner may see and do."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from cases.meetings import clocks, selectors, services
from cases.models import Meeting
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.notifications import delivery
from safeguarding.notifications.models import Notification

pytestmark = pytest.mark.world_per_module

#: A Friday before the summer bank holiday of 2026 (Monday 31 August).
FRIDAY = date(2026, 8, 28)


def _at(day: date, hour: int = 10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _yp(world, name="own"):
    return world.records["cases.youngperson"][name].subject


def _place(world, name="team"):
    return world.records["contexts.context"][name].subject


def _schedule(world, kind="strategy", subject=None, by="sw", day=None, **extra):
    day = day or timezone.localdate() + timedelta(days=7)
    if kind != "mace" and subject is None:
        subject = _yp(world) if kind == "strategy" else _place(world)
    return services.meeting_schedule(
        by=world.users[by],
        kind=kind,
        subject=subject,
        starts_at=_at(day),
        ends_at=_at(day, 11),
        chair=world.users[extra.pop("chair", by)],
        location=extra.pop("location", "Civic Centre, room 2"),
        **extra,
    )


def _past(meeting, day=FRIDAY):
    """Move a scheduled meeting into the past (arranging one in the past is not offered)."""
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=_at(day), ends_at=_at(day, 11))
    meeting.refresh_from_db()
    return meeting


# --- each kind end to end --------------------------------------------------------------------


def test_a_strategy_discussion_from_arranging_to_circulated_record(
    world, django_capture_on_commit_callbacks
):
    sw, partner = world.users["sw"], world.users["partner"]
    meeting = _schedule(world)
    assert meeting.status == "scheduled" and meeting.reference.startswith("MTG-")
    with django_capture_on_commit_callbacks(execute=False):
        invitee = services.meeting_invite(by=sw, meeting=meeting, user=partner)
    assert Notification.objects.filter(
        event_type="meeting.invited", recipient_user=partner, reference=meeting.reference
    ).exists()
    report = services.meeting_report_send(by=partner, meeting=meeting, text="Police report.")
    assert report.invitee == invitee and report.organisation == partner.organisation
    _past(meeting)
    services.meeting_hold(
        by=sw, meeting=meeting, held_on=FRIDAY, attendance={invitee.pk: "attended"}
    )
    meeting.refresh_from_db()
    # One working day after Friday 28 August 2026: Monday 31 is the summer bank holiday.
    assert meeting.record_due_on == date(2026, 9, 1)
    decision = services.decision_record(
        by=sw,
        meeting=meeting,
        text="Start a section 47 enquiry.",
        reason="Significant harm is suspected.",
        dissent="Health would have used the extra-familial pathway.",
        outcome="section_47",
        icpc=True,
    )
    meeting.refresh_from_db()
    # 15 working days after 28 August 2026, the bank holiday skipped.
    assert meeting.icpc_due_on == date(2026, 9, 21)
    assert decision.dissent
    action = services.meeting_action_add(
        by=sw,
        meeting=meeting,
        description="Share the nominal record.",
        due_on=timezone.localdate() + timedelta(days=5),
        owner_organisation=partner.organisation,
    )
    assert action.meeting == meeting and action.subject == meeting.subject
    services.minutes_draft(
        by=sw, meeting=meeting, summary="Record.", sections=[("Outcome", "S47.", True)]
    )
    services.minutes_approve(by=sw, meeting=meeting)
    with django_capture_on_commit_callbacks(execute=False):
        services.minutes_circulate(by=sw, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == "circulated"
    assert Notification.objects.filter(
        event_type="meeting.minutes_circulated", recipient_user=partner
    ).exists()
    record, icpc = clocks.clocks_of(meeting)
    assert record.name == "Record circulated" and record.state() == "late"
    assert icpc.state() == "overdue" and icpc.breached
    services.icpc_held(by=sw, meeting=meeting, held_on=date(2026, 9, 18))
    meeting.refresh_from_db()
    assert clocks.clocks_of(meeting)[1].state() == "met"


def test_a_context_conference_held_from_an_approved_place_assessment(world):
    tm, partner = world.users["tm"], world.users["partner"]
    assessment = world.records["cases.assessment"]["place_approved"]
    meeting = _schedule(world, "context_conference", by="tm", source_assessment=assessment)
    assert meeting.stage == "initial" and meeting.source_assessment == assessment
    police = services.meeting_invite(by=tm, meeting=meeting, organisation=partner.organisation)
    resident = services.meeting_invite(
        by=tm,
        meeting=meeting,
        name="Pat Resident",
        role="Residents' association chair",
        email="pat@residents.example",
    )
    item = services.agenda_item_add(by=tm, meeting=meeting, theme="Lighting in the car park")
    _past(meeting)
    services.meeting_hold(
        by=tm,
        meeting=meeting,
        held_on=FRIDAY,
        attendance={police.pk: "attended", resident.pk: "apologies"},
    )
    meeting.refresh_from_db()
    assert meeting.record_due_on == date(2026, 9, 2)  # 2 working days, bank holiday skipped
    assert meeting.review_due_on == date(2026, 11, 28)  # 3 months
    services.agenda_item_record(
        by=tm,
        item=item,
        discussion="Lights out since May.",
        update="Council to fix.",
        shareable=True,
    )
    services.decision_record(
        by=tm,
        meeting=meeting,
        text="A context safety plan.",
        reason="Repeated concerns.",
        shareable=True,
    )
    services.meeting_action_add(
        by=tm,
        meeting=meeting,
        description="Patrols on Friday nights.",
        due_on=timezone.localdate() + timedelta(days=14),
        owner_organisation=partner.organisation,
    )
    services.minutes_draft(
        by=tm,
        meeting=meeting,
        summary="Agreed the plan.",
        sections=[("Plan", "Shared.", True), ("Council only", "Private.", False)],
        next_meeting_on=date(2026, 11, 20),
    )
    services.minutes_approve(by=tm, meeting=meeting)
    services.minutes_circulate(by=tm, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == "circulated" and meeting.next_meeting_on == date(2026, 11, 20)
    # The review was due by 28 November 2026 and none is held: a breach for the team manager.
    breached = selectors.team_breaches(tm)
    assert any(c.meeting == meeting and c.name == "Review conference" for c in breached)
    review = _schedule(world, "context_conference", by="tm", previous=meeting)
    assert review.stage == "review"
    _past(review, date(2026, 11, 27))
    services.meeting_hold(by=tm, meeting=review, held_on=date(2026, 11, 27), attendance={})
    review.refresh_from_db()
    assert review.review_due_on == date(2027, 5, 27)  # then every 6 months
    again = clocks.with_follow_up(Meeting.objects.filter(pk=meeting.pk)).get()
    assert [c.state() for c in clocks.clocks_of(again) if c.name == "Review conference"] == ["met"]


def test_a_mace_panel_with_a_standing_agenda(world):
    tm = world.users["tm"]
    yp = _yp(world)
    first = _schedule(world, "mace", by="tm", title="North MACE panel", online=True, location="")
    services.agenda_item_add(by=tm, meeting=first, subject=yp, minutes_allowed=15)
    services.agenda_item_add(by=tm, meeting=first, reference="NOM-4471")
    _past(first)
    services.meeting_hold(by=tm, meeting=first, held_on=FRIDAY, attendance={})
    (item, _) = first.agenda.all()
    services.agenda_item_record(
        by=tm,
        item=item,
        discussion="Missing twice.",
        update="Raised.",
        level="high",
        shareable=False,
    )
    services.meeting_action_add(
        by=tm,
        meeting=first,
        subject=yp,
        description="Return home interview.",
        due_on=timezone.localdate() + timedelta(days=3),
        owner_user=world.users["sw"],
    )
    second = _schedule(
        world, "mace", by="tm", title="North MACE panel", previous=first, location="Police station"
    )
    services.agenda_item_add(by=tm, meeting=second, subject=yp)
    (row,) = [i for i in selectors.standing_agenda(tm, second) if i.subject_id == yp.pk]
    assert row.panel_level == "high"
    assert row.last_reviewed_on == FRIDAY
    assert row.open_actions >= 1
    with pytest.raises(ApplicationError):
        services.agenda_item_add(by=tm, meeting=second, reference="NOM-1", theme="Both")


def test_a_professionals_meeting_is_cancelled_and_invitees_told(
    world, django_capture_on_commit_callbacks
):
    sw = world.users["sw"]
    meeting = _schedule(world, "professionals")
    services.meeting_invite(by=sw, meeting=meeting, user=world.users["sw2"])
    later = timezone.localdate() + timedelta(days=9)
    with django_capture_on_commit_callbacks(execute=False):
        services.meeting_change(
            by=sw,
            meeting=meeting,
            starts_at=_at(later),
            ends_at=_at(later, 12),
            location="",
            online=True,
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.where == "Online"
    with django_capture_on_commit_callbacks(execute=False):
        services.meeting_cancel(by=sw, meeting=meeting, reason="The family moved away.")
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.sequence == 2
    events = set(
        Notification.objects.filter(reference=meeting.reference).values_list(
            "event_type", flat=True
        )
    )
    assert {"meeting.invited", "meeting.changed", "meeting.cancelled"} <= events
    with pytest.raises(ApplicationError):
        services.meeting_hold(by=sw, meeting=meeting, attendance={})


# --- refusals --------------------------------------------------------------------------------


def test_what_the_services_refuse(world):
    sw, partner = world.users["sw"], world.users["partner"]
    with pytest.raises(NotAllowed):
        _schedule(world, by="partner", chair="sw")
    with pytest.raises(NotAllowed):
        _schedule(world, by="sm")
    with pytest.raises(ApplicationError) as error:
        _schedule(world, "strategy", subject=_place(world))
    assert "subject" in error.value.message_dict
    with pytest.raises(ApplicationError) as error:
        _schedule(world, chair="partner")
    assert "chair" in error.value.message_dict
    with pytest.raises(ApplicationError):
        _schedule(world, "mace", title="")
    # Team two's young person is not sw's to change.
    with pytest.raises(RecordNotFound):
        _schedule(world, subject=_yp(world, "other"))
    meeting = _schedule(world)
    # A partner not invited may not send a report; nor see the meeting.
    with pytest.raises(RecordNotFound):
        services.meeting_report_send(by=partner, meeting=meeting, text="Hello")
    assert not visibility.can(partner, meeting)
    with pytest.raises(ApplicationError):
        services.decision_record(by=sw, meeting=meeting, text="x", reason="y", outcome="nfa")
    _past(meeting)
    services.meeting_hold(by=sw, meeting=meeting, held_on=FRIDAY, attendance={})
    with pytest.raises(ApplicationError) as error:
        services.decision_record(
            by=sw, meeting=meeting, text="x", reason="y", outcome="nfa", icpc=True
        )
    assert "icpc" in error.value.message_dict
    with pytest.raises(ApplicationError):
        services.minutes_approve(by=sw, meeting=meeting)  # nothing drafted yet
    services.minutes_draft(by=sw, meeting=meeting, summary="Done.")
    with pytest.raises(RecordNotFound):
        services.minutes_approve(by=world.users["sw3"], meeting=meeting)
    # The team manager may change it (the subject is their team's) but is not the chair.
    with pytest.raises(NotAllowed):
        services.minutes_approve(by=world.users["tm"], meeting=meeting)
    with pytest.raises(ApplicationError):
        services.minutes_circulate(by=sw, meeting=meeting)


# --- partners ---------------------------------------------------------------------------------


def test_a_partner_sees_only_invited_meetings_and_shareable_parts(world):
    sw, partner = world.users["sw"], world.users["partner"]
    meeting = _schedule(world)
    other = _schedule(world)
    services.meeting_invite(by=sw, meeting=meeting, organisation=partner.organisation)
    services.agenda_item_add(by=sw, meeting=meeting, theme="Shared theme", shareable=True)
    services.agenda_item_add(by=sw, meeting=meeting, theme="Council theme")
    services.meeting_report_send(by=partner, meeting=meeting, text="From the police")
    mine = set(selectors.invited_meetings(partner).values_list("pk", flat=True))
    assert meeting.pk in mine and other.pk not in mine
    parts = selectors.meeting_parts(partner, meeting)
    assert [i.theme for i in parts["agenda"]] == ["Shared theme"]
    assert [r.text for r in parts["reports"]] == ["From the police"]
    assert not visibility.can(partner, meeting, visibility.CHANGE)


# --- the outbox and the calendar invitation ----------------------------------------------------


def test_the_invitation_email_carries_a_calendar_entry_without_the_childs_details(
    world, django_capture_on_commit_callbacks
):
    sw = world.users["sw"]
    yp = world.records["cases.youngperson"]["own"]
    meeting = _schedule(world)
    with django_capture_on_commit_callbacks(execute=False):
        services.meeting_invite(
            by=sw, meeting=meeting, name="Dr Lee", role="GP", email="lee@surgery.example"
        )
    row = Notification.objects.get(event_type="meeting.invited", email="lee@surgery.example")
    # An email-only invitee with no organisation: the inviting authority is the recipient.
    assert row.recipient_organisation == meeting.authority
    mail.outbox = []
    delivery.send_email(row)
    (message,) = mail.outbox
    (filename, content, mimetype) = message.attachments[0]
    assert filename == "meeting.ics" and mimetype.startswith("text/calendar; method=REQUEST")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"Strategy discussion {meeting.reference}"
    assert str(event["UID"]).startswith(meeting.reference + "@")
    assert int(event["SEQUENCE"]) == 0
    # The place as typed stays in the app (it may be a family's home).
    assert "Civic Centre" not in content and str(event["LOCATION"]) == "Sign in to see where"
    everything = message.subject + message.body + content
    for detail in (yp.given_name, yp.family_name, yp.subject.reference):
        assert detail not in everything
    with django_capture_on_commit_callbacks(execute=False):
        services.meeting_cancel(by=sw, meeting=meeting, reason="Not needed.")
    cancelled = Notification.objects.get(
        event_type="meeting.cancelled", email="lee@surgery.example"
    )
    mail.outbox = []
    delivery.send_email(cancelled)
    content = mail.outbox[0].attachments[0][1]
    calendar = Calendar.from_ical(content)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1
    assert "Not needed" not in content


# --- clocks ------------------------------------------------------------------------------------


def test_my_work_lists_my_running_clocks_and_managers_their_teams_breaches(world):
    sw, tm = world.users["sw"], world.users["tm"]
    meeting = _past(_schedule(world))
    services.meeting_hold(by=sw, meeting=meeting, held_on=FRIDAY, attendance={})
    mine = selectors.my_clocks(sw)
    assert [(c.meeting, c.name, c.state()) for c in mine if c.meeting == meeting] == [
        (meeting, "Record circulated", "overdue")
    ]
    assert any(c.meeting == meeting for c in selectors.team_breaches(tm))
    assert selectors.team_breaches(sw) == []  # not a team manager


def test_the_settings_decide_the_clocks(world, settings):
    settings.MINUTES_CIRCULATED_WORKING_DAYS = 5
    meeting = _past(_schedule(world, "professionals"))
    services.meeting_hold(by=world.users["sw"], meeting=meeting, held_on=FRIDAY, attendance={})
    meeting.refresh_from_db()
    assert meeting.record_due_on == date(2026, 9, 7)


def test_add_months_keeps_to_the_end_of_a_short_month():
    assert services.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert services.add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
