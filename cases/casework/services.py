"""Casework services: opening, allocating, transferring and closing cases; actions."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Action,
    Allocation,
    Case,
    TransferRequest,
)
from safeguarding import versions
from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import Organisation, Team, User
from safeguarding.errors import ApplicationError, RecordNotFound
from safeguarding.notifications.services import (
    ActionAssigned,
    ActionOverdue,
    TransferDecided,
    TransferRequested,
    TransferWithdrawn,
    WorkAllocated,
    WorkTransferred,
)
from safeguarding.subjects.models import Subject


def _require_unless_system(user: User | None, obj, action: str) -> None:
    """``visibility.require`` for a person; ``None`` is the system (a task, a migration), which
    the services that accept it do not check. ``RecordNotFound`` if the person may not."""
    if user is not None:
        visibility.require(user, obj, action)


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
        WorkAllocated.record(
            authority=subject.authority,
            users=[worker],
            reference=subject.reference,
            link=subject.get_absolute_url(),
        )
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
    _require_unless_system(allocated_by, case, visibility.CHANGE)
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
    WorkAllocated.record(
        authority=case.subject.authority,
        users=[worker],
        reference=case.subject.reference,
        link=case.subject.get_absolute_url(),
    )
    return case


@transaction.atomic
def case_transfer(
    *, case: Case, to_team: Team, transferred_by: User | None, reason: str = ""
) -> Case:
    """Move a case to another team's unallocated queue; access moves with it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_unless_system(transferred_by, case, visibility.CHANGE)
    return _move_case(case=case, to_team=to_team, by=transferred_by, reason=reason)


def _move_case(*, case: Case, to_team: Team, by: User | None, reason: str) -> Case:
    """The move itself (the caller has locked the case and checked who may move it)."""
    if to_team.pk == case.team_id:
        raise ApplicationError({"to_team": "The case is already with this team."})
    if to_team.organisation_id != case.team.organisation_id:
        raise ApplicationError({"to_team": "Cases move between teams of the same authority."})
    now = timezone.now()
    _end_current_allocation(case, now)
    record = case.subject.concrete
    previous_worker = case.allocated_worker
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
        allocated_by=by,
        started_at=now,
        reason=reason,
    )
    grants.grant_team(record, to_team)
    # The worker who held it, and the managers of the team whose queue it joins.
    receiving_managers = to_team.members.filter(role=User.Role.TEAM_MANAGER, is_active=True)
    WorkTransferred.record(
        authority=case.subject.authority,
        users=[u for u in [previous_worker, *receiving_managers] if u is not None and u != by],
        reference=case.subject.reference,
        link=case.subject.get_absolute_url(),
    )
    return case


@transaction.atomic
def case_close(*, case: Case, closed_by: User | None, reason: str) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_unless_system(closed_by, case, visibility.CHANGE)
    if not case.can_move_to(Case.Status.CLOSED):
        raise ApplicationError("This case is already closed.")
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the case is closing."})
    now = timezone.now()
    _end_current_allocation(case, now)
    if case.allocated_worker_id:
        # The worker is no longer named on the record; the team keeps it as its history.
        grants.unname_user(case.subject.concrete, case.allocated_worker)
    case.status = Case.Status.CLOSED
    case.closed_at = now
    case.closure_reason = reason
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    return case


@transaction.atomic
def transfer_request(*, case: Case, to_team: Team, requested_by: User, reason: str):
    """Offer a case to another team. Nothing moves until its manager accepts."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    visibility.require(requested_by, case, visibility.CHANGE)
    if not visibility.manages_team(requested_by):
        raise RecordNotFound()
    errors = {}
    if to_team.pk == case.team_id:
        errors["to_team"] = "Choose another team."
    elif to_team.organisation_id != case.team.organisation_id:
        errors["to_team"] = "Choose a team of this authority."
    if not reason.strip():
        errors["reason"] = "Say why the case should move."
    if case.status == Case.Status.CLOSED:
        errors["to_team"] = "A closed case cannot be transferred."
    if case.transfer_requests.filter(status=TransferRequest.Status.PENDING).exists():
        errors["to_team"] = "A transfer of this case is already waiting for a decision."
    if errors:
        raise ApplicationError(errors)
    transfer = TransferRequest.objects.create(
        case=case, from_team=case.team, to_team=to_team, reason=reason, requested_by=requested_by
    )
    TransferRequested.record(
        authority=case.subject.authority,
        users=to_team.members.filter(role=User.Role.TEAM_MANAGER, is_active=True),
        reference=case.subject.reference,
        link=reverse("cases:transfer", args=[transfer.pk]),
    )
    return transfer


def _pending_transfer_for_update(request: TransferRequest, user: User) -> TransferRequest:
    request = TransferRequest.objects.select_for_update().get(pk=request.pk)
    visibility.require(user, request, visibility.CHANGE)
    if request.status != TransferRequest.Status.PENDING:
        raise ApplicationError("This transfer has already been decided.")
    return request


@transaction.atomic
def transfer_accept(*, request: TransferRequest, accepted_by: User) -> Case:
    """The receiving manager takes the case into their team's unallocated queue; access moves
    in this transaction."""
    request = _pending_transfer_for_update(request, accepted_by)
    if accepted_by.team_id != request.to_team_id:
        raise RecordNotFound()
    case = Case.objects.select_for_update().get(pk=request.case_id)
    if case.team_id != request.from_team_id or case.status == Case.Status.CLOSED:
        raise ApplicationError("The case has changed since the transfer was asked for.")
    _move_case(case=case, to_team=request.to_team, by=accepted_by, reason=request.reason)
    request.status = TransferRequest.Status.ACCEPTED
    request.decided_by, request.decided_at = accepted_by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    _tell_requester(request)
    return case


def _tell_requester(request: TransferRequest) -> None:
    TransferDecided.record(
        authority=request.case.subject.authority,
        users=[request.requested_by],
        reference=request.case.subject.reference,
        link=reverse("cases:transfer", args=[request.pk]),
    )


@transaction.atomic
def transfer_reject(*, request: TransferRequest, rejected_by: User, reason: str) -> None:
    request = _pending_transfer_for_update(request, rejected_by)
    if rejected_by.team_id != request.to_team_id:
        raise RecordNotFound()
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the transfer is rejected."})
    request.status = TransferRequest.Status.REJECTED
    request.decided_by, request.decided_at = rejected_by, timezone.now()
    request.decision_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _tell_requester(request)


@transaction.atomic
def transfer_withdraw(*, request: TransferRequest, withdrawn_by: User) -> None:
    """The offering team's manager takes back a transfer not yet decided; the receiving team's
    managers, who were asked, are told."""
    request = _pending_transfer_for_update(request, withdrawn_by)
    if withdrawn_by.team_id != request.from_team_id or not visibility.manages_team(withdrawn_by):
        raise RecordNotFound()
    request.status = TransferRequest.Status.WITHDRAWN
    request.decided_by, request.decided_at = withdrawn_by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    TransferWithdrawn.record(
        authority=request.case.subject.authority,
        users=request.to_team.members.filter(role=User.Role.TEAM_MANAGER, is_active=True),
        reference=request.case.subject.reference,
        link=reverse("cases:team"),
    )


#: What an action's version (its API ``ETag``) is made of: the fields of the action its
#: representation shows (``cases.api.serializers.ActionSerializer``).
ACTION_VERSION_FIELDS = (
    "description",
    "status",
    "due_on",
    "progress_note",
    "completed_at",
    "updated_at",
)

#: What the owner of an action may set it to (cancelling is the council's decision).
ACTION_PROGRESS_STATUSES = (Action.Status.OPEN, Action.Status.IN_PROGRESS, Action.Status.DONE)


@transaction.atomic
def action_record_progress(
    *,
    action: Action,
    by: User,
    status: str | None = None,
    progress_note: str | None = None,
    if_match: str | None = None,
) -> Action:
    """Record progress on an action: its status (not started, in progress, done) and a note.

    ``by`` must be able to change the action (its owner: a worker, or a partner organisation's
    user or API token), otherwise the action looks missing. A cancelled action cannot be
    changed this way. Moving to *done* records when; moving away from it clears that.

    ``if_match``: an ``If-Match`` header's value (the API's PATCH), compared under the row lock
    with the action's entity tag over :data:`ACTION_VERSION_FIELDS`: ``StaleRecord`` (nothing
    saved) if the action changed since it was read. ``None``: not checked.
    """
    action = Action.objects.select_for_update().get(pk=action.pk)
    visibility.require(by, action, visibility.CHANGE)
    versions.check_etag(action, ACTION_VERSION_FIELDS, if_match)
    if status is None and progress_note is None:
        return action
    if action.status == Action.Status.CANCELLED:
        raise ApplicationError("This action was cancelled: ask the council before working on it.")
    if status is not None and status not in ACTION_PROGRESS_STATUSES:
        raise ApplicationError({"status": "Choose not started, in progress or done."})
    fields = ["updated_at"]
    if status is not None and status != action.status:
        action.status = status
        action.completed_at = timezone.now() if status == Action.Status.DONE else None
        fields += ["status", "completed_at"]
    if progress_note is not None:
        action.progress_note = progress_note
        fields.append("progress_note")
    action.save(update_fields=fields)
    return action


@transaction.atomic
def action_assign(
    *,
    subject: Subject,
    description: str,
    due_on: date,
    assigned_by: User,
    owner_user: User | None = None,
    owner_organisation: Organisation | None = None,
) -> Action:
    """Give someone something to do about a subject by a date: a worker of the authority, or a
    partner organisation of it (the police, a school, a station's operator...). The owner is
    told (``ActionAssigned``). ``assigned_by`` must be able to change the subject."""
    visibility.require(assigned_by, subject.concrete, visibility.CHANGE)
    authority = subject.authority
    errors = {}
    if not description.strip():
        errors["description"] = "Say what must be done."
    if due_on < timezone.localdate():
        errors["due_on"] = "The due date must be today or in the future."
    if (owner_user is None) == (owner_organisation is None):
        errors["owner"] = "Choose a worker or an organisation to do it, one of the two."
    elif owner_user is not None and (
        owner_user.organisation_id != authority.pk or not owner_user.is_active
    ):
        errors["owner"] = "Choose a worker of this authority."
    elif owner_organisation is not None and (
        not owner_organisation.is_active
        or authority.pk not in (owner_organisation.pk, owner_organisation.authority_id)
    ):
        errors["owner"] = "Choose an organisation that works with this authority."
    if errors:
        raise ApplicationError(errors)
    action = Action.objects.create(
        subject=subject,
        description=description.strip(),
        due_on=due_on,
        owner_user=owner_user,
        owner_organisation=owner_organisation,
        created_by=assigned_by,
    )
    ActionAssigned.record(
        authority=authority,
        users=[owner_user] if owner_user and owner_user != assigned_by else [],
        organisations=[owner_organisation] if owner_organisation else [],
        reference=subject.reference,
        link=_action_link(action),
    )
    return action


def _action_link(action: Action) -> str:
    # Partner agencies work on actions through the API; staff on the subject's page.
    if action.owner_organisation_id:
        return reverse("api:action-detail", args=[action.pk])
    return action.subject.get_absolute_url()


def actions_notify_overdue(*, limit: int = 1000) -> int:
    """Tell each partner organisation, once, of its actions that are past their due date (run
    by Celery beat). Each action is marked in the transaction that records its notification, so
    an interrupted run neither repeats nor skips one. Returns how many were told."""
    today = timezone.localdate()
    due = Action.objects.filter(
        status__in=Action.OPEN_STATUSES,
        due_on__lt=today,
        owner_organisation__isnull=False,
        overdue_notified_at__isnull=True,
    ).order_by("due_on", "pk")
    told = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            action = (
                Action.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, overdue_notified_at__isnull=True)
                .select_related("subject__authority", "owner_organisation")
                .first()
            )
            if action is None:
                continue
            ActionOverdue.record(
                authority=action.subject.authority,
                organisations=[action.owner_organisation],
                reference=action.subject.reference,
                link=_action_link(action),
            )
            action.overdue_notified_at = timezone.now()
            action.save(update_fields=["overdue_notified_at"])
            told += 1
    return told
