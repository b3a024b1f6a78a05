"""Services write (selectors read). Views, the API and tasks all call these."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import Team, User
from safeguarding.errors import ApplicationError

from .models import Allocation, Case


def _require(user, obj, action: str) -> None:
    if user is not None and not visibility.can(user, obj, action):
        # Indistinguishable from a missing record.
        raise Http404("No such record")


@transaction.atomic
def case_open(
    *,
    subject,
    team: Team,
    opened_by: User | None,
    worker: User | None = None,
    risk: str = Case.Risk.NOT_ASSESSED,
    reason: str = "",
) -> Case:
    """Open an episode of work on a subject for a team, allocated or in the team's queue.

    The team is granted the subject record, and the worker (if any) is named on it, in this
    transaction.
    """
    if Case.objects.filter(subject=subject).exclude(status=Case.Status.CLOSED).exists():
        raise ApplicationError({"subject": "There is already an open case for this subject."})
    if worker is not None and worker.team_id != team.pk:
        raise ApplicationError({"worker": "The worker must be a member of the team."})
    case = Case.objects.create(
        subject=subject, team=team, allocated_worker=worker, opened_by=opened_by, risk=risk
    )
    Allocation.objects.create(
        case=case, team=team, worker=worker, allocated_by=opened_by, reason=reason or "Case opened"
    )
    record = subject.concrete
    grants.grant_team(record, team)
    if worker is not None:
        grants.name_user(record, worker)
    return case


def _end_current_allocation(case: Case, now) -> Allocation | None:
    current = case.allocations.filter(ended_at__isnull=True).select_for_update().first()
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    return current


@transaction.atomic
def case_allocate(*, case: Case, worker: User, allocated_by: User | None, reason: str = "") -> Case:
    """Allocate (or reallocate) a case to a worker of its team.

    The previous worker stops being named on the record and the new one is named, in the same
    transaction as the allocation row. ``allocated_by`` must be able to change the case.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(allocated_by, case, visibility.CHANGE)
    if case.status == Case.Status.CLOSED:
        raise ApplicationError("A closed case cannot be allocated.")
    if worker.team_id != case.team_id or not worker.is_active:
        raise ApplicationError({"worker": "Allocate to an active member of the case's team."})
    if worker.pk == case.allocated_worker_id:
        raise ApplicationError({"worker": "The case is already allocated to this worker."})
    now = timezone.now()
    _end_current_allocation(case, now)
    record = case.subject.concrete
    if case.allocated_worker_id:
        grants.unname_user(record, case.allocated_worker)
    case.allocated_worker = worker
    case.save(update_fields=["allocated_worker"])
    Allocation.objects.create(
        case=case,
        team=case.team,
        worker=worker,
        allocated_by=allocated_by,
        started_at=now,
        reason=reason,
    )
    grants.name_user(record, worker)
    return case


@transaction.atomic
def case_transfer(
    *, case: Case, to_team: Team, transferred_by: User | None, reason: str = ""
) -> Case:
    """Move a case to another team's unallocated queue; access moves with it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(transferred_by, case, visibility.CHANGE)
    if to_team.pk == case.team_id:
        raise ApplicationError({"to_team": "The case is already with this team."})
    if to_team.organisation_id != case.team.organisation_id:
        raise ApplicationError({"to_team": "Cases move between teams of the same authority."})
    now = timezone.now()
    _end_current_allocation(case, now)
    record = case.subject.concrete
    if case.allocated_worker_id:
        grants.unname_user(record, case.allocated_worker)
    grants.revoke_team(record, case.team)
    case.team = to_team
    case.allocated_worker = None
    case.save(update_fields=["team", "allocated_worker"])
    Allocation.objects.create(
        case=case,
        team=to_team,
        worker=None,
        allocated_by=transferred_by,
        started_at=now,
        reason=reason,
    )
    grants.grant_team(record, to_team)
    return case


@transaction.atomic
def case_close(*, case: Case, closed_by: User | None, reason: str) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(closed_by, case, visibility.CHANGE)
    if not case.can_move_to(Case.Status.CLOSED):
        raise ApplicationError("This case is already closed.")
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the case is closing."})
    now = timezone.now()
    _end_current_allocation(case, now)
    case.status = Case.Status.CLOSED
    case.closed_at = now
    case.closure_reason = reason
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    return case
