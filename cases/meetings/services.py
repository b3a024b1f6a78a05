"""Meeting services: arrange (schedule), invite, change or cancel, receive a report, hold
(with attendance), the agenda's discussion, decisions, actions, minutes (drafted, approved by
the chair, circulated) and an initial child protection conference's holding. Each writes in
one transaction and reads through the one rule (``visibility.meeting_rule``).

Who may do what:

* **arrange**: a social worker or team manager; about a subject they may change (a MACE panel
  has no subject: any of them, for their authority). The chair is council staff of the
  authority; a co-chair may be a partner's user (the police co-chair a MACE panel).
* **invite, change, cancel, hold, agenda, decisions, actions, minutes**: whoever may change
  the meeting (the rule's CHANGE: its chair, co-chair or organiser, or staff who may change
  its subject);
* **approve the minutes**: the chair or co-chair only;
* **send a report**: an invitee (a person, or a user of an invited organisation) before the
  meeting is held.

Refusals: ``RecordNotFound`` (not visible, or not this user's to change), ``NotAllowed`` (the
role may not do this at all), ``ApplicationError`` (a message per field).
"""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Action,
    AgendaItem,
    Assessment,
    Decision,
    Invitee,
    Meeting,
    MeetingReport,
    MinutesSection,
)
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.notifications.services import (
    ActionAssigned,
    MeetingCancelled,
    MeetingChanged,
    MeetingInvited,
    MeetingMinutesCirculated,
)
from safeguarding.subjects.models import Subject
from safeguarding.working_days import add_working_days

#: The kinds of subject each kind of meeting may be about (``None``: a MACE panel, no subject).
SUBJECT_KINDS = {
    Meeting.Kind.STRATEGY: (Subject.Kind.YOUNG_PERSON,),
    Meeting.Kind.CONTEXT_CONFERENCE: (Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP),
    Meeting.Kind.PROFESSIONALS: (
        Subject.Kind.YOUNG_PERSON,
        Subject.Kind.CONTEXT,
        Subject.Kind.PEER_GROUP,
    ),
    Meeting.Kind.MACE: (),
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day: 30
    November plus 3 months is 28 or 29 February)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _changeable(by: User, meeting: Meeting) -> Meeting:
    """The meeting, locked, if ``by`` may change it; ``RecordNotFound`` otherwise."""
    try:
        return visibility.restrict(
            by, Meeting.objects.select_for_update(of=("self",)), "change"
        ).get(pk=meeting.pk)
    except Meeting.DoesNotExist:
        raise RecordNotFound("No such meeting") from None


def _link(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.pk])


def _tell_invitees(kind, meeting: Meeting, invitees, *, skip: User | None = None) -> None:
    """Record ``kind`` for each invitee: a person at their work address, an organisation on its
    channels, an email-only invitee at their address (with their organisation, or the
    authority that invited them when they speak for none)."""
    users, organisations, emails = [], [], []
    for invitee in invitees:
        if invitee.user_id:
            if invitee.user != skip:
                users.append(invitee.user)
        elif invitee.email:
            emails.append((invitee.organisation or meeting.authority, invitee.email))
        elif invitee.organisation_id:
            organisations.append(invitee.organisation)
    kind.record(
        authority=meeting.authority,
        reference=meeting.reference,
        link=_link(meeting),
        users=users,
        organisations=organisations,
        emails=emails,
    )


def _check_times(starts_at: datetime, ends_at: datetime, errors: dict) -> None:
    if starts_at is None:
        errors["starts_at"] = "Enter when the meeting starts."
    if ends_at is None:
        errors["ends_at"] = "Enter when the meeting ends."
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The meeting must end after it starts."


@transaction.atomic
def meeting_schedule(
    *,
    by: User,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    chair: User,
    subject: Subject | None = None,
    co_chair: User | None = None,
    title: str = "",
    location: str = "",
    online: bool = False,
    previous: Meeting | None = None,
    source_assessment: Assessment | None = None,
) -> Meeting:
    """Arrange a meeting (status scheduled). A context conference is ``initial`` unless it
    follows an earlier one (``previous``: ``review``); one held from an approved assessment
    names it (``source_assessment``, of the same subject). Refuses a subject of the wrong kind,
    a chair who is not council staff of the authority, an end before the start, and a
    meeting with neither a location nor online."""
    if not visibility.meeting_workers(by):
        raise NotAllowed("Only social workers and team managers arrange meetings.")
    errors: dict[str, str] = {}
    if kind not in Meeting.Kind.values:
        raise ApplicationError({"kind": "Choose the kind of meeting."})
    allowed = SUBJECT_KINDS[kind]
    if allowed:
        if subject is None:
            errors["subject"] = "Choose who or what the meeting is about."
        elif subject.kind not in allowed:
            errors["subject"] = (
                f"A {Meeting.Kind(kind).label.lower()} is not about a "
                f"{subject.get_kind_display().lower()}."
            )
        else:
            visibility.require(by, subject.concrete, visibility.CHANGE)
    elif subject is not None:
        errors["subject"] = "A MACE panel has an agenda instead of one subject."
    elif not title.strip():
        errors["title"] = "Give the panel a name, for example 'North MACE panel'."
    _check_times(starts_at, ends_at, errors)
    if not location.strip() and not online:
        errors["location"] = "Say where the meeting is, or that it is online."
    authority = by.organisation
    if chair is None or chair.role not in User.STAFF_ROLES or chair.organisation_id != authority.pk:
        errors["chair"] = "Choose a chair from the council's staff."
    if co_chair is not None and (co_chair == chair or not co_chair.is_active):
        errors["co_chair"] = "Choose a different co-chair, or none."
    if previous is not None and (
        previous.kind != kind or previous.subject_id != (subject and subject.pk)
    ):
        errors["previous"] = "A meeting can only follow an earlier one of its kind, about the same."
    if source_assessment is not None and (
        source_assessment.status != Assessment.Status.APPROVED
        or subject is None
        or source_assessment.subject_id != subject.pk
    ):
        errors["source_assessment"] = "Hold it from an approved assessment of the same subject."
    if errors:
        raise ApplicationError(errors)
    stage = ""
    if kind == Meeting.Kind.CONTEXT_CONFERENCE:
        stage = Meeting.Stage.REVIEW if previous else Meeting.Stage.INITIAL
    return Meeting.objects.create(
        kind=kind,
        stage=stage,
        subject=subject,
        authority=authority,
        title=title.strip(),
        previous=previous,
        source_assessment=source_assessment,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        online=online,
        chair=chair,
        co_chair=co_chair,
        created_by=by,
    )


@transaction.atomic
def meeting_invite(
    *,
    by: User,
    meeting: Meeting,
    user: User | None = None,
    organisation: Organisation | None = None,
    name: str = "",
    role: str = "",
    email: str = "",
) -> Invitee:
    """Invite a person with an account (``user``), an organisation (its channels are told),
    or someone with no account (``email``, ``name`` and ``role``, with their ``organisation``
    if they speak for one). They are told at once (``meeting.invited``, with a calendar
    invitation)."""
    meeting = _changeable(by, meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError("Invitations are sent before the meeting is held.")
    errors = {}
    authority = meeting.authority_id
    if user is not None:
        if not user.is_active or authority not in (
            user.organisation_id,
            user.organisation and user.organisation.authority_id,
        ):
            errors["user"] = "Choose someone who works for or with this authority."
        elif meeting.invitees.filter(user=user).exists():
            errors["user"] = "They are already invited."
    elif organisation is None and not email.strip():
        errors["email"] = "Choose a person or an organisation, or enter an email address."
    if organisation is not None and authority not in (organisation.pk, organisation.authority_id):
        errors["organisation"] = "Choose an organisation that works with this authority."
    if email.strip() and user is None and not name.strip():
        errors["name"] = "Enter the name of the person invited."
    if errors:
        raise ApplicationError(errors)
    invitee = Invitee.objects.create(
        meeting=meeting,
        user=user,
        organisation=organisation if user is None else (organisation or user.organisation),
        name=name.strip(),
        role=role.strip(),
        email="" if user is not None else email.strip(),
    )
    _tell_invitees(MeetingInvited, meeting, [invitee], skip=by)
    return invitee


@transaction.atomic
def meeting_change(
    *,
    by: User,
    meeting: Meeting,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    online: bool,
) -> Meeting:
    """Move a scheduled meeting or change where it is: its calendar entry's sequence goes up
    and every invitee is told (``meeting.changed``)."""
    meeting = _changeable(by, meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError("Only a meeting not yet held can be moved.")
    errors: dict[str, str] = {}
    _check_times(starts_at, ends_at, errors)
    if not location.strip() and not online:
        errors["location"] = "Say where the meeting is, or that it is online."
    if errors:
        raise ApplicationError(errors)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.location, meeting.online = location.strip(), online
    meeting.sequence = F("sequence") + 1
    meeting.save(update_fields=["starts_at", "ends_at", "location", "online", "sequence"])
    meeting.refresh_from_db()
    _tell_invitees(
        MeetingChanged, meeting, meeting.invitees.select_related("user", "organisation"), skip=by
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, by: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a meeting not yet held, with the reason (the council's); invitees are told
    (``meeting.cancelled``, the calendar entry withdrawn)."""
    meeting = _changeable(by, meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError("Only a meeting not yet held can be cancelled.")
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the meeting is cancelled."})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_reason = reason.strip()
    meeting.sequence = F("sequence") + 1
    meeting.save(update_fields=["status", "cancelled_reason", "sequence"])
    meeting.refresh_from_db()
    _tell_invitees(
        MeetingCancelled, meeting, meeting.invitees.select_related("user", "organisation"), skip=by
    )
    return meeting


def invitation_of(user: User, meeting: Meeting) -> Invitee | None:
    """The invitee row through which ``user`` is invited: their own, else their
    organisation's (the organisation's own invitation first, then a colleague's: an
    organisation whose officer is invited by name may send its report through its system);
    ``None`` if neither."""
    own = meeting.invitees.filter(user=user).first()
    if own is not None or not user.organisation_id:
        return own
    return (
        meeting.invitees.filter(organisation_id=user.organisation_id)
        .order_by(F("user").asc(nulls_first=True), "pk")
        .first()
    )


@transaction.atomic
def meeting_report_send(*, by: User, meeting: Meeting, text: str) -> MeetingReport:
    """An invitee's report for the meeting, received now. Refused once the meeting is held or
    cancelled, and from anyone not invited (themselves or through their organisation)."""
    meeting = visibility.restrict(by, Meeting).filter(pk=meeting.pk).first()
    invitee = invitation_of(by, meeting) if meeting is not None else None
    if invitee is None:
        raise RecordNotFound("No such meeting")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError("Reports are sent before the meeting is held.")
    if not text.strip():
        raise ApplicationError({"text": "Enter your report."})
    return MeetingReport.objects.create(
        meeting=meeting,
        invitee=invitee,
        organisation=by.organisation if by.organisation_id else None,
        text=text.strip(),
        sent_by=by,
    )


@transaction.atomic
def meeting_hold(
    *, by: User, meeting: Meeting, attendance: dict[int, str], held_on: date | None = None
) -> Meeting:
    """Record that the meeting was held (on ``held_on``, default the day it started) and who
    came (invitee id → ``Invitee.Attendance``). Its clocks start: the record or minutes are due
    ``STRATEGY_RECORD_CIRCULATED_WORKING_DAYS`` (a strategy discussion) or
    ``MINUTES_CIRCULATED_WORKING_DAYS`` working days after; a context conference's review is
    due ``CONTEXT_CONFERENCE_FIRST_REVIEW_MONTHS`` (initial) or ``..._REVIEW_MONTHS`` (review)
    months after."""
    meeting = _changeable(by, meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError("This meeting has already been held or was cancelled.")
    held_on = held_on or timezone.localdate(meeting.starts_at)
    if held_on > timezone.localdate():
        raise ApplicationError({"held_on": "A meeting cannot be held in the future."})
    invitees = {i.pk: i for i in meeting.invitees.all()}
    unknown = set(attendance) - set(invitees)
    bad = [v for v in attendance.values() if v not in Invitee.Attendance.values]
    if unknown or bad:
        raise ApplicationError({"attendance": "Choose the attendance of each invitee."})
    changed = []
    for pk, value in attendance.items():
        invitees[pk].attendance = value
        changed.append(invitees[pk])
    Invitee.objects.bulk_update(changed, ["attendance"])
    days = (
        settings.STRATEGY_RECORD_CIRCULATED_WORKING_DAYS
        if meeting.kind == Meeting.Kind.STRATEGY
        else settings.MINUTES_CIRCULATED_WORKING_DAYS
    )
    meeting.status = Meeting.Status.HELD
    meeting.held_on = held_on
    meeting.record_due_on = add_working_days(held_on, days)
    if meeting.kind == Meeting.Kind.CONTEXT_CONFERENCE:
        months = (
            settings.CONTEXT_CONFERENCE_FIRST_REVIEW_MONTHS
            if meeting.stage == Meeting.Stage.INITIAL
            else settings.CONTEXT_CONFERENCE_REVIEW_MONTHS
        )
        meeting.review_due_on = add_months(held_on, months)
    meeting.save(update_fields=["status", "held_on", "record_due_on", "review_due_on"])
    return meeting


def _open_for_minutes(meeting: Meeting) -> None:
    if meeting.status not in (Meeting.Status.HELD, Meeting.Status.MINUTES_DRAFTED):
        raise ApplicationError(
            "This is recorded once the meeting is held and until its minutes are approved."
        )


@transaction.atomic
def agenda_item_add(
    *,
    by: User,
    meeting: Meeting,
    subject: Subject | None = None,
    reference: str = "",
    theme: str = "",
    minutes_allowed: int = 10,
    shareable: bool = False,
) -> AgendaItem:
    """Add an item to the agenda: a subject the user may see, a person of concern by
    reference only (never a name), or a theme; with its time box in minutes."""
    meeting = _changeable(by, meeting)
    if meeting.status in (
        Meeting.Status.CANCELLED,
        Meeting.Status.MINUTES_APPROVED,
        Meeting.Status.CIRCULATED,
    ):
        raise ApplicationError("The agenda of this meeting is closed.")
    given = [x for x in (subject, reference.strip(), theme.strip()) if x]
    if len(given) != 1:
        raise ApplicationError(
            {"subject": "Choose a young person, place or group, or a reference, or a theme: one."}
        )
    if subject is not None:
        visibility.require(by, subject.concrete, visibility.VIEW)
        if subject.authority_id != meeting.authority_id:
            raise RecordNotFound("No such subject")
    if not 1 <= int(minutes_allowed) <= 240:
        raise ApplicationError({"minutes_allowed": "Allow between 1 and 240 minutes."})
    last = meeting.agenda.aggregate(last=Max("position"))["last"] or 0
    return AgendaItem.objects.create(
        meeting=meeting,
        position=last + 1,
        subject=subject,
        reference=reference.strip(),
        theme=theme.strip(),
        minutes_allowed=int(minutes_allowed),
        shareable=shareable,
    )


@transaction.atomic
def agenda_item_record(
    *, by: User, item: AgendaItem, discussion: str, update: str, level: str = "", shareable: bool
) -> AgendaItem:
    """What was said about an item and what changed (a MACE panel's agreed screening level:
    low, medium or high), once the meeting is held."""
    meeting = _changeable(by, item.meeting)
    _open_for_minutes(meeting)
    if level not in ("", "low", "medium", "high"):
        raise ApplicationError({"level": "Choose low, medium or high."})
    item.discussion, item.update, item.level = discussion.strip(), update.strip(), level
    item.shareable = shareable
    item.save(update_fields=["discussion", "update", "level", "shareable"])
    return item


@transaction.atomic
def decision_record(
    *,
    by: User,
    meeting: Meeting,
    text: str,
    reason: str,
    dissent: str = "",
    outcome: str = "",
    icpc: bool = False,
    shareable: bool = False,
    agenda_item: AgendaItem | None = None,
) -> Decision:
    """A decision of a held meeting with its reasons and any dissent. A strategy discussion's
    decision says its outcome (section 47 enquiry, extra-familial pathway or no further
    action); one deciding an initial child protection conference sets the conference's due day,
    ``ICPC_DUE_WORKING_DAYS`` working days after the discussion (Working Together 2023)."""
    meeting = _changeable(by, meeting)
    _open_for_minutes(meeting)
    errors = {}
    if not text.strip():
        errors["text"] = "Say what was decided."
    if not reason.strip():
        errors["reason"] = "Give the reasons for the decision."
    if meeting.kind == Meeting.Kind.STRATEGY:
        if outcome not in Decision.Outcome.values:
            errors["outcome"] = "Choose what the strategy discussion decided."
        if icpc and outcome != Decision.Outcome.SECTION_47:
            errors["icpc"] = "An initial child protection conference follows a section 47 enquiry."
    elif outcome or icpc:
        errors["outcome"] = "Only a strategy discussion decides an outcome."
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = "Choose an item of this meeting's agenda."
    if errors:
        raise ApplicationError(errors)
    decision = Decision.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text.strip(),
        reason=reason.strip(),
        dissent=dissent.strip(),
        outcome=outcome,
        icpc=icpc,
        shareable=shareable,
        made_by=by,
    )
    if icpc and meeting.icpc_due_on is None:
        meeting.icpc_due_on = add_working_days(meeting.held_on, settings.ICPC_DUE_WORKING_DAYS)
        meeting.save(update_fields=["icpc_due_on"])
    return decision


@transaction.atomic
def icpc_held(*, by: User, meeting: Meeting, held_on: date) -> Meeting:
    """Record the day the initial child protection conference a strategy discussion decided on
    was held (its clock stops)."""
    meeting = _changeable(by, meeting)
    if meeting.icpc_due_on is None:
        raise ApplicationError("This strategy discussion decided no conference.")
    if held_on < meeting.held_on or held_on > timezone.localdate():
        raise ApplicationError({"held_on": "Enter a day between the discussion and today."})
    meeting.icpc_held_on = held_on
    meeting.save(update_fields=["icpc_held_on"])
    return meeting


@transaction.atomic
def meeting_action_add(
    *,
    by: User,
    meeting: Meeting,
    description: str,
    due_on: date,
    subject: Subject | None = None,
    owner_user: User | None = None,
    owner_organisation: Organisation | None = None,
) -> Action:
    """An action the meeting agreed (``cases.Action`` with ``meeting``): about the meeting's
    subject, or for a MACE panel one of its agenda's subjects; owned by a worker of the
    authority or a partner organisation; its owner is told (``action.assigned``)."""
    meeting = _changeable(by, meeting)
    _open_for_minutes(meeting)
    subject = subject or meeting.subject
    errors = {}
    if subject is None:
        errors["subject"] = "Choose which young person, place or group the action is about."
    elif subject.pk != meeting.subject_id and not meeting.agenda.filter(subject=subject).exists():
        errors["subject"] = "Choose a subject on this meeting's agenda."
    if not description.strip():
        errors["description"] = "Say what must be done."
    if due_on is None or due_on < timezone.localdate():
        errors["due_on"] = "The due date must be today or in the future."
    if (owner_user is None) == (owner_organisation is None):
        errors["owner"] = "Choose a worker or an organisation to do it, one of the two."
    elif owner_user is not None and (
        owner_user.organisation_id != meeting.authority_id or not owner_user.is_active
    ):
        errors["owner"] = "Choose a worker of this authority."
    elif owner_organisation is not None and (
        not owner_organisation.is_active
        or meeting.authority_id not in (owner_organisation.pk, owner_organisation.authority_id)
    ):
        errors["owner"] = "Choose an organisation that works with this authority."
    if errors:
        raise ApplicationError(errors)
    action = Action.objects.create(
        subject=subject,
        meeting=meeting,
        description=description.strip(),
        due_on=due_on,
        owner_user=owner_user,
        owner_organisation=owner_organisation,
        created_by=by,
    )
    ActionAssigned.record(
        authority=meeting.authority,
        users=[owner_user] if owner_user and owner_user != by else [],
        organisations=[owner_organisation] if owner_organisation else [],
        reference=meeting.reference,
        link=(
            reverse("api:action-detail", args=[action.pk]) if owner_organisation else _link(meeting)
        ),
    )
    return action


@transaction.atomic
def minutes_draft(
    *,
    by: User,
    meeting: Meeting,
    summary: str,
    sections: list[tuple[str, str, bool]] = (),
    next_meeting_on: date | None = None,
) -> Meeting:
    """Write (or rewrite) the minutes: a summary (the council's) and sections, each
    ``(heading, text, shareable)``; and the next meeting's date. Sections are replaced whole.
    Allowed while held or drafted (not once approved)."""
    meeting = _changeable(by, meeting)
    _open_for_minutes(meeting)
    errors = {}
    if not summary.strip():
        errors["summary"] = "Write a summary of the meeting."
    if any(not heading.strip() or not text.strip() for heading, text, _ in sections):
        errors["sections"] = "Give each section of the minutes a heading and its text."
    if next_meeting_on is not None and next_meeting_on <= meeting.held_on:
        errors["next_meeting_on"] = "The next meeting must be after this one."
    if errors:
        raise ApplicationError(errors)
    meeting.minutes.all().delete()
    MinutesSection.objects.bulk_create(
        MinutesSection(meeting=meeting, position=i, heading=h.strip(), text=t.strip(), shareable=s)
        for i, (h, t, s) in enumerate(sections, start=1)
    )
    meeting.minutes_summary = summary.strip()
    meeting.next_meeting_on = next_meeting_on
    meeting.status = Meeting.Status.MINUTES_DRAFTED
    meeting.minutes_drafted_at = timezone.now()
    meeting.save(
        update_fields=["minutes_summary", "next_meeting_on", "status", "minutes_drafted_at"]
    )
    return meeting


@transaction.atomic
def minutes_approve(*, by: User, meeting: Meeting) -> Meeting:
    """The chair (or co-chair) approves the drafted minutes; nobody else may."""
    meeting = _changeable(by, meeting)
    if by.pk not in (meeting.chair_id, meeting.co_chair_id):
        raise NotAllowed("Only the chair approves the minutes.")
    if meeting.status != Meeting.Status.MINUTES_DRAFTED:
        raise ApplicationError("There are no drafted minutes to approve.")
    meeting.status = Meeting.Status.MINUTES_APPROVED
    meeting.minutes_approved_at = timezone.now()
    meeting.minutes_approved_by = by
    meeting.save(update_fields=["status", "minutes_approved_at", "minutes_approved_by"])
    return meeting


@transaction.atomic
def minutes_circulate(*, by: User, meeting: Meeting) -> Meeting:
    """Send the approved minutes to every invitee (``meeting.minutes_circulated``: the
    reference and a link; partners read the shareable parts only). Stops the record clock."""
    meeting = _changeable(by, meeting)
    if meeting.status != Meeting.Status.MINUTES_APPROVED:
        raise ApplicationError("The minutes are circulated once the chair has approved them.")
    meeting.status = Meeting.Status.CIRCULATED
    meeting.circulated_at = timezone.now()
    meeting.save(update_fields=["status", "circulated_at"])
    _tell_invitees(
        MeetingMinutesCirculated,
        meeting,
        meeting.invitees.select_related("user", "organisation"),
        skip=by,
    )
    return meeting
