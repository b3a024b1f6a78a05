"""My work, team caseloads, transfers. Every selector starts from the visibility rule."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from cases.models import (
    Action,
    Allocation,
    Case,
    TransferRequest,
)
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User


def my_open_cases(*, user: User):
    """My allocated open work, with the date of the latest concern I may see about each."""
    return open_cases_allocated_to(user=user, worker=user)


def open_cases_allocated_to(*, user: User, worker: User):
    """A worker's open work as ``user`` may see it, with the latest concern about each
    (``last_concern_at``, a few index probes per row). Soonest review first, then those with
    no review date; the order is total, so pages neither repeat nor skip a row."""
    return (
        visibility.restrict(user, Case)
        .filter(allocated_worker=worker)
        .exclude(status=Case.Status.CLOSED)
        .annotate(last_concern_at=visibility.latest_concern_at(user))
        .select_related("subject__youngperson", "subject__peergroup", "subject__context", "team")
        .order_by(F("next_review_due").asc(nulls_last=True), "pk")
    )


def my_open_actions(*, user: User):
    return (
        visibility.restrict(user, Action)
        .filter(owner_user=user, status__in=Action.OPEN_STATUSES)
        .select_related("subject__youngperson", "subject__peergroup", "subject__context")
        .order_by("due_on")
    )


def organisation_actions(*, user: User):
    """The actions assigned to the user's organisation (a partner agency's My work), through
    the rule: those still to do first (soonest due first), then done, then cancelled (the
    council's decision, shown so the partner knows). A total order, for paging."""
    done_last = DbCase(
        When(status=Action.Status.DONE, then=Value(1)),
        When(status=Action.Status.CANCELLED, then=Value(2)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        visibility.restrict(user, Action)
        .filter(owner_organisation_id=user.organisation_id)
        .select_related("subject")
        .order_by(done_last, "due_on", "pk")
    )


#: How much each case counts towards a weighted caseload, by risk (shown on the page).
RISK_WEIGHTS = {
    Case.Risk.HIGH: 3,
    Case.Risk.MEDIUM: 2,
    Case.Risk.LOW: 1,
    Case.Risk.NOT_ASSESSED: 2,  # unknown risk is treated as medium until assessed
}


@dataclass(frozen=True)
class WorkerLoad:
    worker: User
    open_cases: int = 0
    high_risk: int = 0
    reviews_overdue: int = 0
    new_this_week: int = 0
    weighted: int = 0


def team_members(*, team):
    """The team's practitioners (social workers and team managers), by name: the rows of the
    team caseload."""
    return User.objects.filter(
        team=team, is_active=True, role__in=[User.Role.SOCIAL_WORKER, User.Role.TEAM_MANAGER]
    ).order_by("last_name", "first_name", "pk")


def caseload_for_team(*, user: User, team, members=None) -> list[WorkerLoad]:
    """One row per member of the team, or per one of ``members`` (a page of
    :func:`team_members`) in its order: their open work, computed in the database. Two
    queries whatever the number of cases: the members (unless ``members`` were fetched
    already) and their counts."""
    if members is None:
        members = team_members(team=team)
    members = list(members)
    today = timezone.localdate()
    week_ago = timezone.now() - timedelta(days=7)
    recently_allocated = Exists(
        Allocation.objects.filter(
            case=OuterRef("pk"),
            worker=OuterRef("allocated_worker"),
            ended_at__isnull=True,
            started_at__gte=week_ago,
        )
    )
    weight = DbCase(
        *(When(risk=risk, then=Value(w)) for risk, w in RISK_WEIGHTS.items()),
        default=Value(1),
        output_field=IntegerField(),
    )
    rows = (
        visibility.restrict(user, Case)
        .filter(team=team, allocated_worker__in=[m.pk for m in members])
        .exclude(status=Case.Status.CLOSED)
        .annotate(is_new=recently_allocated, weight=weight)
        .values("allocated_worker")
        .annotate(
            open_cases=Count("pk"),
            high_risk=Count("pk", filter=Q(risk=Case.Risk.HIGH)),
            reviews_overdue=Count("pk", filter=Q(next_review_due__lt=today)),
            new_this_week=Count("pk", filter=Q(is_new=True)),
            weighted=Sum("weight"),
        )
        .order_by()
    )
    by_worker = {row.pop("allocated_worker"): row for row in rows}
    return [WorkerLoad(worker=m, **by_worker.get(m.pk, {})) for m in members]


def unallocated_cases(*, user: User, team):
    """The team's open work that nobody holds, longest waiting first (a total order)."""
    return (
        visibility.restrict(user, Case)
        .filter(team=team, allocated_worker__isnull=True)
        .exclude(status=Case.Status.CLOSED)
        .select_related("subject__youngperson", "subject__peergroup", "subject__context")
        .order_by("opened_at", "pk")
    )


def cases_awaiting_sign_off(*, user: User, team):
    """The team's cases whose closure waits for a manager's sign-off, longest waiting first
    (by when the case was opened: a total order). Read a page at a time; a few rows."""
    return (
        visibility.restrict(user, Case)
        .filter(team=team, status=Case.Status.CLOSING)
        .select_related(
            "subject__youngperson", "subject__peergroup", "subject__context", "allocated_worker"
        )
        .order_by("opened_at", "pk")
    )


def transfers_waiting(*, user: User, team):
    """Transfers offered to the team, and those it offered, not yet decided."""
    pending = visibility.restrict(user, TransferRequest).filter(
        status=TransferRequest.Status.PENDING
    )
    related = ("case__subject", "from_team", "to_team", "requested_by")
    return (
        pending.filter(to_team=team).select_related(*related),
        pending.filter(from_team=team).select_related(*related),
    )
