"""Selectors read; every one of them starts from the visibility rule."""

from dataclasses import dataclass
from datetime import datetime

from safeguarding.accounts import visibility
from safeguarding.accounts.models import User

from .models import Allocation, Case, Concern, ConcernSubject, Referral


@dataclass(frozen=True)
class ChronologyEntry:
    when: datetime
    kind: str  # "concern", "referral", "allocation"
    title: str
    detail: str
    by: str
    obj: object


def chronology_for_subject(*, user: User, subject) -> list[ChronologyEntry]:
    """What happened to a subject, newest first, as far as ``user`` may see.

    A fixed number of queries whatever the number of entries.
    """
    concerns = (
        visibility.restrict(user, Concern)
        .filter(involvements__subject=subject)
        .select_related("logged_by")
        .prefetch_related("harm_categories")
        .distinct()
    )
    referrals = (
        visibility.restrict(user, Referral)
        .filter(about__subject=subject)
        .select_related("source_organisation")
        .distinct()
    )
    allocations = (
        visibility.restrict(user, Allocation)
        .filter(case__subject=subject)
        .select_related("team", "worker", "allocated_by")
    )
    entries = [
        ChronologyEntry(
            when=c.occurred_at,
            kind="concern",
            title="Concern: " + ", ".join(h.name for h in c.harm_categories.all()),
            detail=c.narrative,
            by=str(c.logged_by or ""),
            obj=c,
        )
        for c in concerns
    ]
    entries += [
        ChronologyEntry(
            when=r.received_at,
            kind="referral",
            title=f"Referral from {r.source_organisation}"
            + (f": {r.get_decision_display()}" if r.decision else f" ({r.get_status_display()})"),
            detail=r.decision_reason,
            by=r.referrer_name,
            obj=r,
        )
        for r in referrals
    ]
    entries += [
        ChronologyEntry(
            when=a.started_at,
            kind="allocation",
            title=(f"Allocated to {a.worker}" if a.worker else "Waiting for allocation")
            + f" ({a.team})",
            detail=a.reason,
            by=str(a.allocated_by or ""),
            obj=a,
        )
        for a in allocations
    ]
    return sorted(entries, key=lambda e: e.when, reverse=True)


def involvements_for_concern(*, user: User, concern: Concern):
    """The subjects of a concern the user may see (others are not even named)."""
    return (
        visibility.restrict(user, ConcernSubject)
        .filter(concern=concern)
        .select_related("subject__youngperson", "subject__peergroup", "subject__context")
    )


def my_open_cases(*, user: User):
    return (
        visibility.restrict(user, Case)
        .filter(allocated_worker=user)
        .exclude(status=Case.Status.CLOSED)
        .select_related("subject__youngperson", "subject__peergroup", "subject__context", "team")
        .order_by("next_review_due")
    )
