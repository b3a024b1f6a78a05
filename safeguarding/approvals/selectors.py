"""Reading approvals: what waits for a manager's sign-off, and a target's sign-off history.
Every read goes through the rule for approvals (``visibility.signed_off``)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from safeguarding.accounts import visibility
from safeguarding.accounts.models import User

from .models import Approval


def waiting_for(user: User, limit: int | None = None) -> QuerySet:
    """The approvals waiting that ``user`` may decide: a team manager's (``visibility.
    signs_off``) that the rule lets them change (their team holds the subject), not asked for
    by them; oldest first (``requested_at``, then id), at most ``limit`` (all: ``None``), with
    who asked (``requested_by``) read in the same query. One query, whatever the number of
    rows; none for anyone who does not sign off (an empty queryset)."""
    if not visibility.signs_off(user):
        return Approval.objects.none()
    waiting = (
        visibility.restrict(user, Approval, visibility.CHANGE)
        .filter(status=Approval.Status.REQUESTED)
        .exclude(requested_by_id=user.pk)
        .select_related("requested_by")
        .order_by("requested_at", "pk")
    )
    return waiting if limit is None else waiting[:limit]


def _of(target: Model) -> QuerySet:
    target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
    return Approval.objects.filter(target_type=target_type, target_id=target.pk)


def approvals_of(user: User, target: Model) -> QuerySet:
    """``target``'s approvals that ``user`` may see, newest first, with who asked and who
    decided: its sign-off history (for the target's page)."""
    return (
        visibility.restrict(user, _of(target))
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )


def waiting_approval_of(target: Model) -> Approval | None:
    """The approval of ``target`` that waits, if one does (not through the rule: for the
    target's own services, which have checked access to the target)."""
    return _of(target).filter(status=Approval.Status.REQUESTED).first()
