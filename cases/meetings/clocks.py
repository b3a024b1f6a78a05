"""Meetings' clocks (PRACTICE.md "Meetings"; numbers in settings, counted in working days of
England by ``safeguarding.working_days`` or in months):

* **Record circulated** (a strategy discussion): within ``STRATEGY_RECORD_CIRCULATED_WORKING_DAYS``
  (1) working day of the discussion (Working Together to Safeguard Children 2023);
* **Minutes circulated** (every other meeting): within ``MINUTES_CIRCULATED_WORKING_DAYS`` (2);
* **Initial child protection conference** (a strategy discussion that decided one): within
  ``ICPC_DUE_WORKING_DAYS`` (15) working days of the discussion (Working Together 2023);
* **Review conference** (a context conference): the first review within
  ``CONTEXT_CONFERENCE_FIRST_REVIEW_MONTHS`` (3) months, then every
  ``CONTEXT_CONFERENCE_REVIEW_MONTHS`` (6) at most; met when a conference following it is held.

The due days are set on the meeting when it is held (``services.meeting_hold``,
``services.decision_record``), so a list of clocks is worked out from one query
(:func:`with_follow_up` annotates the review's holding).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from .models import Meeting


@dataclass(frozen=True)
class Clock:
    """One clock of one meeting: ``name``, ``due_on``, and ``met_on`` (the day it stopped,
    ``None`` while it runs)."""

    meeting: Meeting
    name: str
    due_on: date
    met_on: date | None

    def state(self, today: date | None = None) -> str:
        """``met``, ``late`` (met after its due day), ``due`` (running) or ``overdue``
        (running past its due day: a breach)."""
        today = today or timezone.localdate()
        if self.met_on is not None:
            return "late" if self.met_on > self.due_on else "met"
        return "overdue" if today > self.due_on else "due"

    @property
    def breached(self) -> bool:
        return self.state() in ("late", "overdue")

    @property
    def label(self) -> str:
        return {
            "met": "Met",
            "late": "Met late",
            "due": "Due",
            "overdue": "Overdue",
        }[self.state()]

    @property
    def tag(self) -> str:
        return {"met": "green", "late": "orange", "due": "blue", "overdue": "red"}[self.state()]


def with_follow_up(meetings: QuerySet) -> QuerySet:
    """``meetings`` with ``follow_up_held_on``: the day the first held meeting following each
    (its review conference) was held, or ``None``."""
    following = (
        Meeting.objects.filter(previous=OuterRef("pk"), status__in=Meeting.HELD_STATUSES)
        .order_by("held_on")
        .values("held_on")[:1]
    )
    return meetings.annotate(follow_up_held_on=Subquery(following))


def clocks_of(meeting: Meeting) -> list[Clock]:
    """The clocks of one meeting (read with :func:`with_follow_up` for the review's; without
    it the review clock counts as running). No query."""
    clocks = []
    if meeting.record_due_on:
        clocks.append(
            Clock(
                meeting,
                "Record circulated"
                if meeting.kind == Meeting.Kind.STRATEGY
                else "Minutes circulated",
                meeting.record_due_on,
                timezone.localdate(meeting.circulated_at) if meeting.circulated_at else None,
            )
        )
    if meeting.icpc_due_on:
        clocks.append(
            Clock(
                meeting,
                "Initial child protection conference",
                meeting.icpc_due_on,
                meeting.icpc_held_on,
            )
        )
    if meeting.review_due_on:
        clocks.append(
            Clock(
                meeting,
                "Review conference",
                meeting.review_due_on,
                getattr(meeting, "follow_up_held_on", None),
            )
        )
    return clocks


def breach_filter(today: date):
    """The condition that a meeting has a running clock past its due day (database side)."""
    from django.db.models import Exists, Q

    following_held = Exists(
        Meeting.objects.filter(previous=OuterRef("pk"), status__in=Meeting.HELD_STATUSES)
    )
    return (
        Q(record_due_on__lt=today, circulated_at__isnull=True)
        | Q(icpc_due_on__lt=today, icpc_held_on__isnull=True)
        | (Q(review_due_on__lt=today) & ~following_held)
    ) & ~Q(status=Meeting.Status.CANCELLED)
