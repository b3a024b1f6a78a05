"""Selectors read; every one of them starts from the visibility rule."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.accounts.models import User

from .models import Action, Allocation, Case, Concern, ConcernSubject, Referral


@dataclass(frozen=True)
class ChronologyEntry:
    when: datetime
    kind: str  # "concern", "referral", "allocation"
    title: str
    detail: str
    by: str
    obj: object


CHRONOLOGY_KINDS = {"concern": "Concerns", "referral": "Referrals", "allocation": "Allocations"}


def chronology_for_subject(
    *, user: User, subject, kind: str | None = None, harm: str | None = None
) -> list[ChronologyEntry]:
    """What happened to a subject, newest first, as far as ``user`` may see.

    ``kind`` keeps one kind of entry; ``harm`` (a harm category slug) keeps the concerns and
    referrals about that harm. A fixed number of queries whatever the number of entries.
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
    if harm:
        concerns = concerns.filter(harm_categories__slug=harm)
        referrals = referrals.filter(harm_categories__slug=harm)
        allocations = allocations.none()
    if kind in CHRONOLOGY_KINDS:
        concerns = concerns if kind == "concern" else concerns.none()
        referrals = referrals if kind == "referral" else referrals.none()
        allocations = allocations if kind == "allocation" else allocations.none()
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
    """My allocated open work, with the date of the latest concern I may see about each."""
    latest_concern = (
        visibility.restrict(user, Concern)
        .filter(involvements__subject=OuterRef("subject"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        visibility.restrict(user, Case)
        .filter(allocated_worker=user)
        .exclude(status=Case.Status.CLOSED)
        .annotate(last_concern_at=Subquery(latest_concern))
        .select_related("subject__youngperson", "subject__peergroup", "subject__context", "team")
        .order_by(F("next_review_due").asc(nulls_last=True))
    )


def subjects_linked_through_concerns(*, user: User, subject, model):
    """Young people, places or peer groups that share concerns with ``subject``."""
    concerns = visibility.restrict(user, Concern).filter(involvements__subject=subject)
    return (
        visibility.restrict(user, model)
        .filter(subject__concern_involvements__concern__in=concerns)
        .exclude(subject=subject)
        .annotate(shared_concerns=Count("subject__concern_involvements", distinct=True))
        .select_related("subject")
        .order_by("-shared_concerns")
    )


CONCERN_WINDOWS = (30, 90, 365)


def concern_counts_at(*, user: User, subject) -> dict[int, int]:
    """Concerns about a subject in the last 30, 90 and 365 days (one aggregate query)."""
    now = timezone.now()
    counts = (
        visibility.restrict(user, Concern)
        .filter(involvements__subject=subject)
        .aggregate(
            **{
                f"d{days}": Count(
                    "pk", filter=Q(occurred_at__gte=now - timedelta(days=days)), distinct=True
                )
                for days in CONCERN_WINDOWS
            }
        )
    )
    return {days: counts[f"d{days}"] for days in CONCERN_WINDOWS}


def my_open_actions(*, user: User):
    return (
        visibility.restrict(user, Action)
        .filter(owner_user=user, status__in=Action.OPEN_STATUSES)
        .select_related("subject__youngperson", "subject__peergroup", "subject__context")
        .order_by("due_on")
    )
