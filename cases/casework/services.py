"""Casework services: opening, allocating, transferring and closing cases; actions; case
notes and documents."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.casework.documents import DocumentRefused, check_upload
from cases.models import (
    Action,
    Allocation,
    Case,
    CaseNote,
    CaseRiskChange,
    CaseStatusChange,
    Document,
    TransferRequest,
)
from safeguarding import versions
from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import Organisation, Team, User
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.notifications.services import (
    ActionAssigned,
    ActionOverdue,
    CaseClosureDecided,
    CaseClosureRequested,
    TransferDecided,
    TransferRequested,
    TransferWithdrawn,
    WorkAllocated,
    WorkTransferred,
)
from safeguarding.subjects.models import InformationSource, Reliability, Subject


def _require_unless_system(user: User | None, obj, action: str) -> None:
    """``visibility.require`` for a person; ``None`` is the system (a task, a migration), which
    the services that accept it do not check. ``RecordNotFound`` if the person may not."""
    if user is not None:
        visibility.require(user, obj, action)


def _name_on_restricted(record, by: User | None) -> None:
    """A restricted young person's automatic namings follow the work (the allocated worker,
    the holding team's managers): ``cases.restrictions.services.name_automatically``."""
    from cases.models import YoungPerson
    from cases.restrictions.services import name_automatically

    if isinstance(record, YoungPerson) and record.restricted:
        name_automatically(record, by=by)


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
    _name_on_restricted(record, opened_by)
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
    _name_on_restricted(record, allocated_by)
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
    # A restricted young person: the receiving team's managers are named, the previous team's
    # automatically-named managers and worker no longer are (someone named by hand stays).
    _name_on_restricted(record, by)
    # The worker who held it, and the managers of the team whose queue it joins.
    receiving_managers = to_team.members.filter(role=User.Role.TEAM_MANAGER, is_active=True)
    WorkTransferred.record(
        authority=case.subject.authority,
        users=[u for u in [previous_worker, *receiving_managers] if u is not None and u != by],
        reference=case.subject.reference,
        link=case.subject.get_absolute_url(),
    )
    return case


def _case_to_change(case: Case, by: User | None) -> Case:
    """The case, locked, once ``by`` may change it (``RecordNotFound`` if not; ``None`` is the
    system)."""
    case = Case.objects.select_for_update().select_related("subject", "team").get(pk=case.pk)
    _require_unless_system(by, case, visibility.CHANGE)
    return case


def _require_manager_of(user: User | None, case: Case, what: str) -> None:
    """Only a team manager of the case's team (or the system) does ``what``: ``NotAllowed``
    otherwise (the caller has checked the user may change the case)."""
    if user is not None and not (visibility.manages_team(user) and user.team_id == case.team_id):
        raise NotAllowed(f"Only a team manager of the case's team {what}.")


def _status_change(case: Case, kind: str, before: str, by: User | None, reason: str, **extra):
    return CaseStatusChange.objects.create(
        case=case,
        kind=kind,
        status_before=before,
        status_after=case.status,
        reason=reason,
        by=by,
        **extra,
    )


def _team_managers(team: Team, but: User | None = None) -> list[User]:
    managers = team.members.filter(role=User.Role.TEAM_MANAGER, is_active=True)
    return [m for m in managers if but is None or m.pk != but.pk]


def _finish_closure(case: Case, now) -> None:
    """What closing does to a locked case: the allocation ends and the worker is no longer named
    on the record (the team keeps it, as its history)."""
    _end_current_allocation(case, now)
    if case.allocated_worker_id:
        grants.unname_user(case.subject.concrete, case.allocated_worker)
    case.status = Case.Status.CLOSED
    case.closed_at = now
    case.save(update_fields=["status", "closed_at"])
    _name_on_restricted(case.subject.concrete, None)


@transaction.atomic
def case_close(*, case: Case, closed_by: User | None, reason: str) -> Case:
    """Close a case at once, without the sign-off step: a team manager of the case's team (or
    the system). Practitioners ask to close (:func:`case_close_request`), and a manager signs
    it off (:func:`case_close_sign_off`). ``RecordNotFound`` if ``closed_by`` may not change
    the case, ``NotAllowed`` if they do not manage its team, ``ApplicationError`` if it is
    closed already or the reason is blank."""
    case = _case_to_change(case, closed_by)
    _require_manager_of(closed_by, case, "closes a case without sign-off")
    if not case.can_move_to(Case.Status.CLOSED):
        raise ApplicationError("This case is already closed.")
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the case is closing."})
    before = case.status
    _finish_closure(case, timezone.now())
    case.closure_reason = reason.strip()
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    _status_change(case, CaseStatusChange.Kind.CLOSED, before, closed_by, case.closure_reason)
    return case


#: What the risk form edits: its version is over these (lost updates).
CASE_RISK_FIELDS = ("risk", "next_review_due")


@transaction.atomic
def case_risk_set(
    *,
    case: Case,
    by: User,
    risk: str,
    next_review_due: date | None,
    reason: str,
    version: str | None = None,
) -> CaseRiskChange:
    """Set a case's risk level and next review date, with why; the change is kept
    (:class:`~cases.models.CaseRiskChange`, in the chronology and on the case's page).

    Who: whoever may change the case (its allocated worker, a team manager of its team):
    ``RecordNotFound`` for anyone else. ``ApplicationError`` (by field) for a closed case, a
    risk level not of ``Case.Risk``, no review date or one before today (a review is planned,
    not recorded after the fact), a blank reason, or a change that changes nothing.
    ``StaleRecord`` (nothing saved) if ``version`` (the risk and review date the form was read
    at: :func:`safeguarding.versions.version`) is no longer the case's; ``None``: not checked.
    """
    case = _case_to_change(case, by)
    versions.check(case, CASE_RISK_FIELDS, version)
    if case.status == Case.Status.CLOSED:
        raise ApplicationError(
            "This case is closed: its risk and review date are kept as they were."
        )
    errors = {}
    if risk not in Case.Risk.values:
        errors["risk"] = "Choose the risk level"
    if next_review_due is None:
        errors["next_review_due"] = "Enter the date of the next review"
    elif next_review_due < timezone.localdate():
        errors["next_review_due"] = "The date of the next review must be today or in the future"
    if not reason.strip():
        errors["reason"] = "Say why the risk level or review date is changing"
    if not errors and risk == case.risk and next_review_due == case.next_review_due:
        errors["risk"] = "Change the risk level or the date of the next review (or both)"
    if errors:
        raise ApplicationError(errors)
    change = CaseRiskChange.objects.create(
        case=case,
        risk_before=case.risk,
        risk_after=risk,
        next_review_due_before=case.next_review_due,
        next_review_due_after=next_review_due,
        reason=reason.strip(),
        changed_by=by,
    )
    case.risk, case.next_review_due = risk, next_review_due
    case.save(update_fields=["risk", "next_review_due"])
    return change


def open_actions_on(case: Case):
    """The actions on the case's subject that are not done or cancelled, soonest due first:
    what a worker asking to close the case hands over or ends first."""
    return (
        Action.objects.filter(subject_id=case.subject_id, status__in=Action.OPEN_STATUSES)
        .select_related("owner_user", "owner_organisation")
        .order_by("due_on", "pk")
    )


@transaction.atomic
def case_close_request(
    *, case: Case, by: User, reason: str, open_actions_handed_over: bool = False
) -> CaseStatusChange:
    """Ask to close a case (open → closing), with the closure reason; a team manager of the
    case's team signs it off or returns it. The team's managers (but the asker) are told
    (``CaseClosureRequested``: the reference and a link only).

    Who: whoever may change the case (its allocated worker, a team manager of its team):
    ``RecordNotFound`` for anyone else. ``ApplicationError`` (by field) if the case is not
    open, a transfer of it is waiting, the reason is blank, or actions on the subject are
    still open and ``open_actions_handed_over`` was not confirmed (they stay with their owners:
    the worker confirms they are handed over, or ends them first).
    """
    case = _case_to_change(case, by)
    if case.status == Case.Status.CLOSING:
        raise ApplicationError("This case is already waiting for its closure to be signed off.")
    if case.status == Case.Status.CLOSED:
        raise ApplicationError("This case is closed.")
    if case.transfer_requests.filter(status=TransferRequest.Status.PENDING).exists():
        raise ApplicationError(
            "A transfer of this case is waiting for a decision: it must be decided or "
            "withdrawn before the case can close."
        )
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the case should close"
    if not open_actions_handed_over and open_actions_on(case).exists():
        errors["open_actions_handed_over"] = (
            "Confirm the open actions are handed over, or end them before asking to close"
        )
    if errors:
        raise ApplicationError(errors)
    case.status = Case.Status.CLOSING
    case.closure_reason = reason.strip()
    case.save(update_fields=["status", "closure_reason"])
    change = _status_change(
        case,
        CaseStatusChange.Kind.CLOSE_REQUESTED,
        Case.Status.OPEN,
        by,
        case.closure_reason,
        open_actions_handed_over=bool(open_actions_handed_over),
    )
    CaseClosureRequested.record(
        authority=case.subject.authority,
        users=_team_managers(case.team, but=by),
        reference=case.subject.reference,
        link=reverse("cases:case-sign-off", args=[case.pk]),
    )
    return change


def _closing_case_for_manager(case: Case, by: User) -> Case:
    case = _case_to_change(case, by)
    _require_manager_of(by, case, "signs off or returns a case's closure")
    if case.status != Case.Status.CLOSING:
        raise ApplicationError("This case is not waiting for its closure to be signed off.")
    return case


def _tell_of_closure_decision(case: Case, by: User) -> None:
    """The one who asked to close, and the allocated worker, are told (but not ``by``)."""
    asked = (
        case.status_changes.filter(kind=CaseStatusChange.Kind.CLOSE_REQUESTED)
        .select_related("by")
        .last()
    )
    users = {u.pk: u for u in (asked and asked.by, case.allocated_worker) if u is not None}
    users.pop(by.pk, None)
    CaseClosureDecided.record(
        authority=case.subject.authority,
        users=users.values(),
        reference=case.subject.reference,
        link=case.get_absolute_url(),
    )


@transaction.atomic
def case_close_sign_off(*, case: Case, by: User, comment: str = "") -> Case:
    """Sign off a case's closure (closing → closed, ``closed_at`` now), with the reason asked
    for; the allocation ends and the worker is no longer named on the record (the team keeps
    it). Who: a team manager of the case's team (``NotAllowed`` for the allocated worker,
    ``RecordNotFound`` for whoever may not change the case). ``ApplicationError`` if the case
    is not waiting for sign-off."""
    case = _closing_case_for_manager(case, by)
    _finish_closure(case, timezone.now())
    case.save(update_fields=["status", "closed_at"])
    _status_change(case, CaseStatusChange.Kind.SIGNED_OFF, Case.Status.CLOSING, by, comment.strip())
    _tell_of_closure_decision(case, by)
    return case


@transaction.atomic
def case_close_return(*, case: Case, by: User, comment: str) -> Case:
    """Return a closure to the worker (closing → open) with a comment saying what must happen
    first; the comment is kept (:class:`~cases.models.CaseStatusChange`) and shown on the case.
    Who and errors: as :func:`case_close_sign_off`, and the comment is required."""
    case = _closing_case_for_manager(case, by)
    if not comment.strip():
        raise ApplicationError({"comment": "Say what must be done before the case can close"})
    case.status = Case.Status.OPEN
    case.closure_reason = ""
    case.save(update_fields=["status", "closure_reason"])
    _status_change(case, CaseStatusChange.Kind.RETURNED, Case.Status.CLOSING, by, comment.strip())
    _tell_of_closure_decision(case, by)
    return case


def reopen_until(case: Case):
    """The last moment a closed case may be reopened (``closed_at`` + ``CASE_REOPEN_DAYS``)."""
    return case.closed_at + timedelta(days=settings.CASE_REOPEN_DAYS)


def may_reopen(case: Case, now=None) -> bool:
    """Whether a closed case is still within the reopening period (local policy)."""
    return (
        case.status == Case.Status.CLOSED
        and case.closed_at is not None
        and (now or timezone.now()) <= reopen_until(case)
    )


@transaction.atomic
def case_reopen(*, case: Case, by: User, reason: str) -> Case:
    """Reopen a closed case (closed → open) into its team's unallocated queue, with why.

    Local policy (``settings.CASE_REOPEN_DAYS``, 28 days by default): within that period after
    the closure a team manager of the case's team may reopen it (a closure in error, or
    circumstances that changed within weeks); after it, new work is a new episode
    (:func:`case_open_episode`). ``NotAllowed`` for anyone but a team manager of the team,
    ``RecordNotFound`` for whoever may not change the case; ``ApplicationError`` if the case is
    not closed, closed too long ago, the subject has another open case, or the reason is
    blank."""
    case = _case_to_change(case, by)
    _require_manager_of(by, case, "reopens a case")
    if case.status != Case.Status.CLOSED:
        raise ApplicationError("This case is not closed.")
    if not may_reopen(case):
        raise ApplicationError(
            f"This case closed more than {settings.CASE_REOPEN_DAYS} days ago: "
            "open a new case instead."
        )
    if Case.objects.filter(subject_id=case.subject_id).exclude(status=Case.Status.CLOSED).exists():
        raise ApplicationError("There is already an open case for this subject.")
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the case is reopening"})
    now = timezone.now()
    case.status, case.closed_at, case.closure_reason = Case.Status.OPEN, None, ""
    case.allocated_worker = None
    case.save(update_fields=["status", "closed_at", "closure_reason", "allocated_worker"])
    Allocation.objects.create(
        case=case, team=case.team, worker=None, allocated_by=by, started_at=now, reason="Reopened"
    )
    grants.grant_team(case.subject.concrete, case.team)
    _name_on_restricted(case.subject.concrete, by)
    _status_change(case, CaseStatusChange.Kind.REOPENED, Case.Status.CLOSED, by, reason.strip())
    return case


@transaction.atomic
def case_open_episode(
    *, subject: Subject, by: User, reason: str, worker: User | None = None
) -> Case:
    """Open a new episode of work (a new case) on a subject for the team manager's own team,
    allocated to ``worker`` or waiting in the team's queue (:func:`case_open`).

    Who: a team manager (``NotAllowed`` otherwise) who may change the subject's record
    (``RecordNotFound`` if not). ``ApplicationError`` if the subject has an open case, the
    worker is not of the team, or the reason is blank."""
    if not visibility.manages_team(by):
        raise NotAllowed("Only a team manager opens a case.")
    visibility.require(by, subject.concrete, visibility.CHANGE)
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the work is starting"})
    return case_open(
        subject=subject, team=by.team, opened_by=by, worker=worker, reason=reason.strip()
    )


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
    version: str | None = None,
) -> Action:
    """Record progress on an action: its status (not started, in progress, done) and a note.

    ``by`` must be able to change the action (its owner: a worker, or a partner organisation's
    user or API token), otherwise the action looks missing. A cancelled action cannot be
    changed this way. Moving to *done* records when; moving away from it clears that.

    ``if_match``: an ``If-Match`` header's value (the API's PATCH), compared under the row lock
    with the action's entity tag over :data:`ACTION_VERSION_FIELDS`: ``StaleRecord`` (nothing
    saved) if the action changed since it was read. ``None``: not checked. ``version``: the web
    form's (:func:`safeguarding.versions.version` over its status and note), likewise.
    """
    action = Action.objects.select_for_update().get(pk=action.pk)
    visibility.require(by, action, visibility.CHANGE)
    versions.check_etag(action, ACTION_VERSION_FIELDS, if_match)
    versions.check(action, ("status", "progress_note"), version)
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


def _require_note_writer(user: User, subject: Subject) -> None:
    """Case notes and documents are written by staff who keep them and may change the subject
    (``visibility.noted``): ``RecordNotFound`` for anyone else, as if there were no subject."""
    if not visibility.keeps_case_notes(user):
        raise RecordNotFound()
    visibility.require(user, subject.concrete, visibility.CHANGE)


@transaction.atomic
def case_note_add(
    *,
    subject: Subject,
    kind: str,
    occurred_at,
    text: str,
    source: str,
    reliability: str,
    by: User,
    present: str = "",
    seen: bool | None = None,
    seen_alone: bool | None = None,
) -> CaseNote:
    """Write a case note on a young person, a place or a peer group.

    ``by`` must be able to change the subject (``RecordNotFound`` otherwise). ``occurred_at``
    (an aware datetime) must not be in the future. Management oversight is recorded by team
    managers only. ``seen``/``seen_alone`` are about a young person only (``None`` for a place
    or group); a visit to a young person says whether they were seen; seen alone needs seen
    (*Working Together to Safeguard Children* 2023: visits record whether the child was seen,
    and seen alone). ``ApplicationError`` names the field at fault.
    """
    _require_note_writer(by, subject)
    errors = {}
    if kind not in CaseNote.Kind.values:
        errors["kind"] = "Select what kind of note this is"
    elif kind == CaseNote.Kind.OVERSIGHT and not visibility.manages_team(by):
        errors["kind"] = "Only a team manager can record management oversight"
    if occurred_at is None:
        errors["occurred_at"] = "Enter when it happened"
    elif occurred_at > timezone.now():
        errors["occurred_at"] = "The date and time must be in the past"
    if not text.strip():
        errors["text"] = "Enter the note"
    if source not in InformationSource.values:
        errors["source"] = "Select where the information came from"
    if reliability not in Reliability.values:
        errors["reliability"] = "Select how reliable the information is"
    if subject.kind != Subject.Kind.YOUNG_PERSON:
        if seen is not None or seen_alone is not None:
            errors["seen"] = "Only a young person is seen: leave this out for a place or a group"
    else:
        if kind == CaseNote.Kind.VISIT and seen is None:
            errors["seen"] = "Select whether the young person was seen"
        if seen_alone and not seen:
            errors["seen_alone"] = "A young person seen alone was seen: select yes for seen"
    if errors:
        raise ApplicationError(errors)
    return CaseNote.objects.create(
        subject=subject,
        kind=kind,
        occurred_at=occurred_at,
        present=present.strip(),
        seen=seen,
        seen_alone=seen_alone if seen else (False if seen is False else None),
        text=text.strip(),
        source=source,
        reliability=reliability,
        written_by=by,
    )


def may_strike(user: User, note: CaseNote) -> bool:
    """Whether ``user`` may strike out ``note`` if they may change its subject: its author, or
    a team manager."""
    return note.written_by_id == user.pk or visibility.manages_team(user)


@transaction.atomic
def case_note_strike(*, note: CaseNote, by: User, reason: str) -> CaseNote:
    """Strike out a note written in error, saying why. Never deleted: it stays on the record,
    shown struck through with the reason. By its author or a team manager who may change the
    subject (``RecordNotFound`` if they may not change it; ``NotAllowed`` if they are neither);
    ``ApplicationError`` if it is already struck out or the reason is blank."""
    note = CaseNote.objects.select_for_update().get(pk=note.pk)
    visibility.require(by, note, visibility.CHANGE)
    if not may_strike(by, note):
        raise NotAllowed("Only the person who wrote a note, or a team manager, can strike it out.")
    if note.is_struck:
        raise ApplicationError("This note has already been struck out.")
    if not reason.strip():
        raise ApplicationError({"reason": "Enter why the note was written in error"})
    note.struck_at, note.struck_by, note.strike_reason = timezone.now(), by, reason.strip()
    note.save(update_fields=["struck_at", "struck_by", "strike_reason"])
    return note


@transaction.atomic
def document_add(
    *, subject: Subject, upload, title: str, by: User, case_note: CaseNote | None = None
) -> Document:
    """Keep a document on a subject, or on one of its case notes.

    ``upload``: a Django ``UploadedFile`` (its ``name`` as given; its browser content type is
    ignored). Its type is sniffed from its bytes and checked against its name, and its size
    against ``settings.DOCUMENT_MAX_BYTES`` (:func:`cases.casework.documents.check_upload`);
    it is stored through the ``documents`` storage under a random name. ``by`` must be able to
    change the subject; a note must be one of the subject's. ``ApplicationError`` names the
    field at fault (``file``, ``title``, ``case_note``).
    """
    _require_note_writer(by, subject)
    if case_note is not None:
        visibility.require(by, case_note, visibility.VIEW)
        if case_note.subject_id != subject.pk:
            raise ApplicationError({"case_note": "Choose a note about this record"})
    errors = {}
    if not title.strip():
        errors["title"] = "Enter what the document is"
    try:
        checked = check_upload(upload, upload.name or "")
    except DocumentRefused as refused:
        errors["file"] = str(refused)
    if errors:
        raise ApplicationError(errors)
    document = Document(
        subject=subject,
        case_note=case_note,
        title=title.strip(),
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
    )
    upload.seek(0)
    document.file.save("document", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    # (Should the transaction be rolled back after this, the stored file, named at random,
    # is left with no row naming it: nothing can reach it.)
    return document
