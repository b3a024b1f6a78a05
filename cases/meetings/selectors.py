"""Reading meetings through the one rule: lists, a meeting's parts, a MACE panel's standing
agenda, a subject's meetings, and the clocks of My work and of a team manager's breaches. Each
is a fixed number of queries, whatever the rows."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
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
from safeguarding.subjects.models import Subject

from .clocks import breach_filter, clocks_of, with_follow_up

#: The most rows a list of My work shows.
LISTED = 50

#: From a row with a ``subject``: the subject and its young person, place or group (its name
#: and page), read in the same query.
SUBJECT_RECORDS = ("subject", *(f"subject__{a}" for a in Subject.RECORD_ACCESSORS.values()))


def meetings(user, *, kind: str = "", upcoming: bool | None = None) -> QuerySet:
    """The meetings ``user`` may see, soonest first for upcoming ones (``upcoming=True``),
    newest first otherwise; ``kind`` filters by ``Meeting.Kind``."""
    rows = visibility.restrict(user, Meeting).select_related("subject", "chair", "authority")
    if kind:
        rows = rows.filter(kind=kind)
    if upcoming is True:
        return rows.filter(status=Meeting.Status.SCHEDULED, ends_at__gte=timezone.now()).order_by(
            "starts_at", "pk"
        )
    if upcoming is False:
        rows = rows.exclude(status=Meeting.Status.SCHEDULED, ends_at__gte=timezone.now())
    return rows.order_by("-starts_at", "-pk")


def meeting_parts(user, meeting: Meeting) -> dict:
    """What the meeting page shows of ``meeting`` to ``user``: invitees, reports, agenda,
    decisions, minutes sections and actions, each through its rule (a partner: the shareable
    parts, its own reports, its organisation's actions). A dict of lists."""
    # The meeting's subjects first, then the rule on those alone: an OR of the two in one
    # query is read by scanning every subject of the borough (60 ms at scale 100).
    named = {meeting.subject_id} | set(
        AgendaItem.objects.filter(meeting=meeting).values_list("subject_id", flat=True)
    )
    named.discard(None)
    subjects_seen = (
        set(visibility.restrict(user, Subject).filter(pk__in=named).values_list("pk", flat=True))
        if named
        else set()
    )
    return {
        "invitees": list(
            visibility.restrict(user, Invitee)
            .filter(meeting=meeting)
            .select_related("user", "organisation")
        ),
        "reports": list(
            visibility.restrict(user, MeetingReport)
            .filter(meeting=meeting)
            .select_related("organisation", "sent_by")
        ),
        "agenda": list(
            visibility.restrict(user, AgendaItem)
            .filter(meeting=meeting)
            .select_related(*SUBJECT_RECORDS)
        ),
        "decisions": list(
            visibility.restrict(user, Decision)
            .filter(meeting=meeting)
            .select_related("made_by", "agenda_item__subject")
        ),
        "sections": list(visibility.restrict(user, MinutesSection).filter(meeting=meeting)),
        "actions": list(
            visibility.restrict(user, Action)
            .filter(meeting=meeting)
            .select_related("subject", "owner_user", "owner_organisation")
        ),
        "subjects_seen": subjects_seen,
    }


def standing_agenda(user, meeting: Meeting) -> list[AgendaItem]:
    """A MACE panel's agenda as the panel reads it: each item with ``latest_level`` (the
    young person's latest approved exploitation screening level, else the level a panel last
    agreed), ``open_actions`` (open actions about its subject) and ``last_reviewed_on`` (the
    day an earlier meeting last discussed it). One query."""
    screening = (
        Assessment.objects.filter(
            subject_id=OuterRef("subject_id"),
            kind=Assessment.Kind.SCREENING,
            status=Assessment.Status.APPROVED,
        )
        .order_by("-completed_on", "-pk")
        .values("level")[:1]
    )
    earlier = AgendaItem.objects.filter(
        subject_id=OuterRef("subject_id"),
        meeting__status__in=Meeting.HELD_STATUSES,
        meeting__starts_at__lt=meeting.starts_at,
    ).order_by("-meeting__starts_at", "-pk")
    open_actions = (
        Action.objects.filter(subject_id=OuterRef("subject_id"), status__in=Action.OPEN_STATUSES)
        .order_by()
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        visibility.restrict(user, AgendaItem)
        .filter(meeting=meeting)
        .select_related(*SUBJECT_RECORDS)
        .annotate(
            screening_level=Subquery(screening),
            panel_level=Subquery(earlier.exclude(level="").values("level")[:1]),
            open_actions=Subquery(open_actions),
            last_reviewed_on=Subquery(earlier.values("meeting__held_on")[:1]),
        )
    )


def meetings_about(user, subject: Subject) -> QuerySet:
    """The meetings ``user`` may see about ``subject``: as their subject, or on their agenda
    (a MACE panel), newest first."""
    return (
        visibility.restrict(user, Meeting)
        .filter(Q(subject=subject) | Q(agenda__subject=subject))
        .distinct()
        .select_related("chair", "subject")
        .order_by("-starts_at", "-pk")
    )


def my_clocks(user) -> list:
    """The running clocks (due or overdue) of the meetings ``user`` chairs, co-chairs or
    arranged, soonest due first. One query."""
    rows = with_follow_up(
        visibility.restrict(user, Meeting)
        .filter(Q(chair=user) | Q(co_chair=user) | Q(created_by=user))
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(
            Q(record_due_on__isnull=False, circulated_at__isnull=True)
            | Q(icpc_due_on__isnull=False, icpc_held_on__isnull=True)
            | Q(review_due_on__isnull=False)
        )
        .order_by("held_on", "pk")[: LISTED * 2]
    )
    clocks = [c for m in rows for c in clocks_of(m) if c.met_on is None]
    return sorted(clocks, key=lambda c: (c.due_on, c.meeting.pk))[:LISTED]


def team_breaches(user) -> list:
    """For a team manager: the breached clocks (running past their due day) of the meetings
    chaired or arranged by their team, longest overdue first. One query; nothing for anyone
    else."""
    if not visibility.manages_team(user) or not user.team_id:
        return []
    today = timezone.localdate()
    rows = with_follow_up(
        visibility.restrict(user, Meeting)
        .filter(Q(chair__team_id=user.team_id) | Q(created_by__team_id=user.team_id))
        .filter(breach_filter(today))
        .select_related("chair")
        .order_by("held_on", "pk")[: LISTED * 2]
    )
    clocks = [c for m in rows for c in clocks_of(m) if c.state(today) == "overdue"]
    return sorted(clocks, key=lambda c: (c.due_on, c.meeting.pk))[:LISTED]


def invited_meetings(user) -> QuerySet:
    """A partner's meetings: those it (or its organisation) is invited to, upcoming first."""
    return meetings(user).order_by("-starts_at", "-pk")
