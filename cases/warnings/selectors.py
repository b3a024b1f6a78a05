"""Warning notes read through the rule: a subject's, and a team manager's lists."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import WarningNote
from safeguarding.accounts import visibility

#: "Due for review": the review date within this many days, or passed (a monthly list, as the
#: practice notes describe; the page offers other windows).
DUE_WITHIN_DAYS = 30
DUE_WINDOWS = (7, 30, 90)

#: Reading a warning's subject's name in a list: the three kinds, each one join.
_SUBJECT = ("subject__youngperson", "subject__context", "subject__peergroup")


def warnings_about(user, access) -> list[WarningNote]:
    """Every warning note on the subject of ``access`` (a ``visibility.SubjectAccess``) that
    ``user`` may see, in force first, then waiting, then the rest; newest first within each.
    One query."""
    order = {
        WarningNote.Status.AUTHORISED: 0,
        WarningNote.Status.PROPOSED: 1,
        WarningNote.Status.ENDED: 2,
        WarningNote.Status.DECLINED: 3,
    }
    rows = visibility.about(user, WarningNote, access).select_related(
        "proposed_by", "decided_by", "ended_by"
    )
    return sorted(rows, key=lambda w: (order[w.status], -w.proposed_at.timestamp(), -w.pk))


def _managers_list(user) -> QuerySet:
    """Warnings on the subjects the team manager may change (their team's), with what a row
    shows, in one query."""
    return visibility.restrict(user, WarningNote, visibility.CHANGE).select_related(
        "subject", *_SUBJECT, "proposed_by"
    )


def warnings_awaiting_authorisation(user) -> QuerySet:
    """Proposed warning notes a team manager may authorise or decline, oldest first. Empty for
    anyone else."""
    if not visibility.authorises_warnings(user):
        return WarningNote.objects.none()
    return (
        _managers_list(user)
        .filter(status=WarningNote.Status.PROPOSED)
        .order_by("proposed_at", "pk")
    )


def warnings_due_for_review(user, *, within_days: int = DUE_WITHIN_DAYS) -> QuerySet:
    """Warnings in force on a team manager's team's subjects whose review date is within
    ``within_days`` days of today (London) or has passed, soonest (most overdue) first. Empty
    for anyone else."""
    if not visibility.authorises_warnings(user):
        return WarningNote.objects.none()
    until = timezone.localdate() + timedelta(days=within_days)
    return (
        _managers_list(user)
        .filter(status=WarningNote.Status.AUTHORISED, review_on__lte=until)
        .order_by("review_on", "pk")
    )
