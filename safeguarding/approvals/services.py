"""Sign-off services: ask for it, decide it (approve or return with comments), withdraw it.
Each runs in one transaction and records its notifications in it (references and links only).

Who may do what (the rule for approvals is ``visibility.signed_off``):

* **request**: whoever may change the subject (``visibility.require(by, subject.concrete,
  CHANGE)``). A caller whose user may change the *target* but not the subject (a partner
  agency's safeguarding lead asking for sign-off of their own school's assessment) checks that
  access itself and passes ``check=False``;
* **decide**: a team manager (``visibility.signs_off``) who may change the subject (its team
  holds it), never the one who asked (PRACTICE.md: "never by the requester"; the database
  refuses it too, ``approval_not_decided_by_requester``);
* **withdraw**: the one who asked, while it waits.

Refusals: ``RecordNotFound`` (not visible, or not for this user to decide: the two look the
same), ``NotAllowed`` (the role, or being the requester, forbids it), ``ApplicationError`` (a
message, by field where there is one). A target whose model is not registered
(``registry.register``) is a programming error: ``LookupError``.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.notifications.services import ApprovalDecided, ApprovalRequested
from safeguarding.subjects.models import Subject

from . import registry
from .models import Approval

#: Why a second request for the same target is refused.
ALREADY_WAITING = "This is already waiting for sign-off."
#: What a manager returning work without comments is told.
SAY_WHAT_NEEDS_TO_CHANGE = "Say what needs to change"


def _field(name: str, value: str, max_length: int) -> str:
    """``what``, ``reference`` and ``link`` come from the calling service, not from a form: a
    blank or too long one is the caller's mistake (``ValueError``)."""
    value = (value or "").strip()
    if not value or len(value) > max_length:
        raise ValueError(f"An approval's {name} must be 1 to {max_length} characters")
    return value


def deciders(subject: Subject, *, but: User | None = None) -> list[User]:
    """The active team managers of the team(s) holding ``subject`` (its young person's, place's
    or group's team grants, ``grants.team_grant``) who may change it, so may decide its
    approvals; ``but`` left out. A few queries: one for the managers, one rule check each (a
    restricted young person is changed only by the staff named on it)."""
    record = subject.concrete
    grant = grants.team_grant(type(record))
    groups = grant.table.objects.filter(
        content_object_id=record.pk, permission_id__in=grant.permission_ids()
    ).values("group_id")
    managers = User.objects.filter(
        role=User.Role.TEAM_MANAGER, is_active=True, team__group_id__in=groups
    ).order_by("pk")
    if but is not None:
        managers = managers.exclude(pk=but.pk)
    return [m for m in managers if visibility.can(m, record, visibility.CHANGE)]


@transaction.atomic
def approval_request(
    *,
    target: Model,
    subject: Subject,
    what: str,
    reference: str,
    link: str,
    by: User,
    note: str = "",
    check: bool = True,
) -> Approval:
    """Ask for sign-off of ``target`` (a saved row of a registered model) about ``subject``.

    ``what`` (at most 200 characters: the kind of thing, e.g. "Neighbourhood or place
    assessment"), ``reference`` (at most 32: the target's, e.g. "ASM-000012") and ``link`` (at
    most 300: the target's path): shown on lists and in the notifications, so never personal
    data. ``note``: optional, for the manager.

    ``check``: ``by`` must be able to change the subject (``RecordNotFound`` otherwise);
    ``False`` when the caller has checked ``by``'s access to the target itself (see the
    module's docstring). ``NotAllowed`` for an inactive or anonymous ``by``;
    ``ApplicationError`` (:data:`ALREADY_WAITING`) if an approval of ``target`` waits already.

    The managers of the team(s) holding the subject, but ``by``, are told
    (``approval.requested``: the reference and the link).
    """
    label = target._meta.label
    registry.on_decided_for(label)  # LookupError: nothing may wait that nobody can act on
    if target.pk is None:
        raise ValueError("Save the target before asking for its sign-off")
    if not (by.is_authenticated and by.is_active):
        raise NotAllowed("Sign in to ask for sign-off.")
    if check:
        visibility.require(by, subject.concrete, visibility.CHANGE)
    what = _field("what", what, Approval._meta.get_field("what").max_length)
    reference = _field("reference", reference, Approval._meta.get_field("reference").max_length)
    link = _field("link", link, Approval._meta.get_field("link").max_length)
    target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
    waiting = Approval.objects.filter(
        target_type=target_type, target_id=target.pk, status=Approval.Status.REQUESTED
    )
    if waiting.exists():
        raise ApplicationError(ALREADY_WAITING)
    try:
        with transaction.atomic():  # two requests at once: the unique constraint decides
            approval = Approval.objects.create(
                subject=subject,
                target_type=target_type,
                target_id=target.pk,
                what=what,
                reference=reference,
                link=link,
                requested_by=by,
                requested_at=timezone.now(),
                note=(note or "").strip(),
            )
    except IntegrityError:
        if waiting.exists():
            raise ApplicationError(ALREADY_WAITING) from None
        raise
    ApprovalRequested.record(
        authority=subject.authority,
        users=deciders(subject, but=by),
        reference=reference,
        link=link,
    )
    return approval


def _locked(approval: Approval) -> Approval:
    """The approval read again and locked (its row only); ``RecordNotFound`` if it is gone."""
    locked = (
        Approval.objects.select_for_update(of=("self",))
        .select_related("subject", "requested_by")
        .filter(pk=approval.pk)
        .first()
    )
    if locked is None:
        raise RecordNotFound()
    return locked


def _still_waiting(approval: Approval) -> None:
    if approval.status != Approval.Status.REQUESTED:
        raise ApplicationError(
            f"This is no longer waiting for sign-off: {approval.get_status_display().lower()}."
        )


@transaction.atomic
def approval_decide(*, approval: Approval, by: User, approve: bool, comments: str) -> Approval:
    """Approve (``approve=True``) or return with ``comments`` (``approve=False``) an approval
    that waits; ``comments`` are kept either way (required when returning:
    ``ApplicationError`` on ``comments``, :data:`SAY_WHAT_NEEDS_TO_CHANGE`).

    Who: a team manager who may change the subject. ``NotAllowed`` for the one who asked
    (whatever their role) and for other roles; ``RecordNotFound`` for a manager whose team
    does not hold the subject (or a missing approval). ``ApplicationError`` if it no longer
    waits (decided or withdrawn meanwhile: the row is locked, so two managers deciding at once
    decide once).

    In the same transaction, after the approval is saved: the target's registered
    ``on_decided(target, approval)`` (``registry``), which moves the target on; whatever it
    raises undoes the decision. Then the requester is told (``approval.decided``).
    """
    approval = _locked(approval)
    if approval.requested_by_id == by.pk:
        raise NotAllowed("You asked for this sign-off: another team manager must decide it.")
    if not visibility.signs_off(by):
        raise NotAllowed("Only a team manager can sign off or return work.")
    visibility.require(by, approval, visibility.CHANGE)
    _still_waiting(approval)
    comments = (comments or "").strip()
    if not approve and not comments:
        raise ApplicationError({"comments": SAY_WHAT_NEEDS_TO_CHANGE})
    approval.status = Approval.Status.APPROVED if approve else Approval.Status.RETURNED
    approval.decided_by, approval.decided_at = by, timezone.now()
    approval.comments = comments
    approval.save(update_fields=["status", "decided_by", "decided_at", "comments"])
    target = approval.target
    if target is None:
        raise ApplicationError("What was to be signed off no longer exists.")
    registry.on_decided_for(approval.target_label)(target, approval)
    ApprovalDecided.record(
        authority=approval.subject.authority,
        users=[approval.requested_by],
        reference=approval.reference,
        link=approval.link,
    )
    return approval


@transaction.atomic
def approval_withdraw(*, approval: Approval, by: User) -> Approval:
    """Withdraw a request for sign-off that waits (``decided_at``: when; nobody decided). Who:
    the one who asked (``NotAllowed`` for anyone else who may see it, ``RecordNotFound`` for
    whoever may not). ``ApplicationError`` if it no longer waits. The target is not told: the
    target's own service withdraws it, in its own transaction, when the target goes back to
    being worked on."""
    approval = _locked(approval)
    visibility.require(by, approval, visibility.VIEW)
    if approval.requested_by_id != by.pk:
        raise NotAllowed("Only the person who asked for this sign-off can withdraw it.")
    _still_waiting(approval)
    approval.status = Approval.Status.WITHDRAWN
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "decided_at"])
    return approval
