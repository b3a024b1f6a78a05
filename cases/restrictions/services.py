"""Restricting a young person's record, reviewing the restriction, and naming staff on it
automatically.

**Restricting** (:func:`restriction_start`) is the one way a record becomes restricted in the
app: a team manager of a team holding the record gives a reason and a review date (by default
``settings.RESTRICTION_REVIEW_MONTHS`` ahead: our default, no statute sets one). **Reviewing**
(:func:`restriction_review`) keeps it with a new review date or lifts it, with a reason; a team
manager of the holding team does it (``visibility.NAME``, the same people who name staff by
hand). Each step is audited on the young person.

**Automatic naming** (:func:`name_automatically`), the way children's services do it: while a
record is restricted (an open :class:`Restriction`), the allocated worker and every active team
manager of the team(s) holding it (their team's grant) are named on it, each with a
:class:`NamedStaff` row of its basis beside the grant rows the rule reads. The services of the
work call it in their own transaction: restricting, allocating, transferring (which names the
receiving team's managers and un-names the previous team's automatically-named ones), closing
and reopening. A team manager who joins a team later, leaves it, changes role or is
deactivated is named or un-named by :func:`user_changed` (a ``post_save`` receiver on the user,
``cases.apps``): the rule keeps reading grant rows only, so its probes stay one index lookup,
and the register says who was named on which basis and when.

Someone named by hand (``cases/naming.py``, basis :attr:`NamedStaff.Basis.BY_HAND`) stays named
until un-named, whatever the work does; someone named automatically stops being named when the
basis ends, unless another of their rows is still open.

Records restricted before the register was kept (without a :class:`Restriction`: migration
``0022`` gave each one, due for review at once) are named on as before until reviewed; a
review that keeps them names their holding team's managers.

Errors: ``ApplicationError`` by field (``reason``, ``review_on``, ``decision``); someone who
may not do the step gets ``RecordNotFound`` (a 404 on the pages).
"""

from datetime import date

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import Case, YoungPerson, YoungPersonGroupObjectPermission
from cases.plans.services import add_months
from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import Team, User
from safeguarding.errors import ApplicationError, RecordNotFound

from .models import NamedStaff, Restriction

REASON_MAX_LENGTH = 1000


class Decision:
    KEEP = "keep"
    LIFT = "lift"
    CHOICES = ((KEEP, "Keep the restriction, with a new review date"), (LIFT, "Lift it"))


def default_review_on(today: date | None = None) -> date:
    """The review date a restriction gets unless one is chosen:
    ``settings.RESTRICTION_REVIEW_MONTHS`` after ``today`` (London)."""
    return add_months(today or timezone.localdate(), settings.RESTRICTION_REVIEW_MONTHS)


def open_restriction(young_person: YoungPerson) -> Restriction | None:
    return Restriction.objects.filter(young_person=young_person, lifted_at__isnull=True).first()


def holding_teams(young_person: YoungPerson):
    """The teams holding the record: those whose guardian group has its team grant."""
    held = YoungPersonGroupObjectPermission.objects.filter(
        content_object_id=young_person.pk,
        group_id=OuterRef("group_id"),
        permission__codename="view_youngperson",
    )
    return Team.objects.filter(Exists(held))


def _reason(reason: str, *, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": missing})
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(
            {"reason": f"The reason must be {REASON_MAX_LENGTH} characters or fewer."}
        )
    return reason


def _review_on(review_on: date | None) -> date:
    if review_on is None:
        return default_review_on()
    today = timezone.localdate()
    if review_on <= today:
        raise ApplicationError({"review_on": "The review date must be in the future"})
    if review_on > add_months(today, 12):
        raise ApplicationError({"review_on": "Review it within a year"})
    return review_on


def audit(young_person: YoungPerson, *, by: User | None, changes: dict, **data) -> LogEntry:
    """One audit row on the young person for a step of its restriction (an UPDATE whose
    ``additional_data`` says what: ``{"restriction": <step>, ...}``)."""
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(YoungPerson),
        object_pk=str(young_person.pk),
        object_id=young_person.pk,
        object_repr=young_person.subject.reference,
        action=LogEntry.Action.UPDATE,
        actor=by,
        actor_email=(by.email or None) if by else None,
        changes=changes,
        additional_data=data,
    )


def _may_restrict(young_person: YoungPerson, by: User) -> YoungPerson:
    """The record, locked, if ``by`` is a team manager of a team holding it who may change it
    (``RecordNotFound`` otherwise)."""
    visibility.require(by, young_person, visibility.CHANGE)
    held = holding_teams(young_person).filter(pk=by.team_id).exists()
    if not visibility.manages_team(by) or not held:
        raise RecordNotFound()
    return YoungPerson.objects.select_for_update().select_related("subject").get(pk=young_person.pk)


@transaction.atomic
def restriction_start(
    *, young_person: YoungPerson, by: User, reason: str, review_on: date | None = None
) -> Restriction:
    """Restrict the record: only staff named on it may see it from now on. ``by`` (a team
    manager of a team holding it) and the allocated worker and the holding teams' managers are
    named automatically. Returns the open :class:`Restriction`."""
    record = _may_restrict(young_person, by)
    if record.restricted:
        raise ApplicationError({"reason": "This record is already restricted"})
    reason = _reason(reason, missing="Say why the record is restricted")
    review_on = _review_on(review_on)
    restriction = Restriction.objects.create(
        young_person=record, reason=reason, restricted_by=by, review_on=review_on
    )
    record.restricted, record.restricted_reason = True, reason
    record.save(update_fields=["restricted", "restricted_reason", "updated_at"])
    audit(
        record,
        by=by,
        changes={"restricted": ["False", "True"]},
        restriction="restricted",
        reason=reason,
        review_on=review_on.isoformat(),
    )
    name_automatically(record, by=by)
    return restriction


@transaction.atomic
def restriction_review(
    *,
    young_person: YoungPerson,
    by: User,
    decision: str,
    reason: str,
    review_on: date | None = None,
) -> Restriction:
    """Review the young person's restriction: ``decision`` :attr:`Decision.KEEP` (with the
    next review date, by default ``RESTRICTION_REVIEW_MONTHS`` ahead) or :attr:`Decision.LIFT`.
    Lifting ends every naming but the allocated worker's (whom the allocation names on any
    record) and un-names them. A record restricted before the register (no open restriction)
    gets one on its first review. ``by``: a team manager of the holding team (NAME)."""
    visibility.require(by, young_person, visibility.NAME)
    record = (
        YoungPerson.objects.select_for_update().select_related("subject").get(pk=young_person.pk)
    )
    if decision not in (Decision.KEEP, Decision.LIFT):
        raise ApplicationError({"decision": "Choose whether to keep or lift the restriction"})
    reason = _reason(reason, missing="Say why")
    now = timezone.now()
    restriction = Restriction.objects.select_for_update().filter(
        young_person=record, lifted_at__isnull=True
    ).first() or Restriction(
        young_person=record, reason=record.restricted_reason or reason, restricted_at=now
    )
    if decision == Decision.KEEP:
        restriction.review_on = _review_on(review_on)
        restriction.reviewed_by, restriction.reviewed_at = by, now
        restriction.save()
        audit(
            record,
            by=by,
            changes={},
            restriction="kept",
            reason=reason,
            review_on=restriction.review_on.isoformat(),
        )
        name_automatically(record, by=by)
        return restriction
    restriction.review_on = restriction.review_on or timezone.localdate()
    restriction.reviewed_by, restriction.reviewed_at = by, now
    restriction.lifted_by, restriction.lifted_at, restriction.lift_reason = by, now, reason
    restriction.save()
    record.restricted, record.restricted_reason = False, ""
    record.save(update_fields=["restricted", "restricted_reason", "updated_at"])
    worker = _allocated_worker(record)
    for row in NamedStaff.objects.filter(young_person=record, ended_at__isnull=True):
        if row.basis == NamedStaff.Basis.ALLOCATED:
            continue
        _end(row, by=by, now=now, why="The restriction was lifted")
    for person in _still_granted(record).exclude(pk=getattr(worker, "pk", None)):
        grants.unname_user(record, person)
    audit(
        record,
        by=by,
        changes={"restricted": ["True", "False"]},
        restriction="lifted",
        reason=reason,
    )
    return restriction


def _allocated_worker(young_person: YoungPerson) -> User | None:
    case = (
        Case.objects.filter(subject_id=young_person.subject_id)
        .exclude(status=Case.Status.CLOSED)
        .select_related("allocated_worker")
        .first()
    )
    return case.allocated_worker if case else None


def _still_granted(young_person: YoungPerson):
    from cases.models import YoungPersonUserObjectPermission

    named = YoungPersonUserObjectPermission.objects.filter(
        content_object=young_person, permission__codename="view_youngperson"
    ).values("user_id")
    return User.objects.filter(pk__in=named)


def _end(row: NamedStaff, *, by: User | None, now, why: str) -> None:
    row.ended_at, row.ended_by, row.end_reason = now, by, why
    row.save(update_fields=["ended_at", "ended_by", "end_reason"])


def name_automatically(young_person: YoungPerson, *, by: User | None = None) -> None:
    """Bring the automatic namings of a restricted record up to date (inside the caller's
    transaction): the allocated worker (basis ``allocated``) and the active team managers of
    the holding teams (basis ``manager``) are named; automatic rows whose basis has ended are
    ended, and their people un-named unless another of their rows is open. Nothing for a
    record without an open restriction."""
    if not young_person.restricted or open_restriction(young_person) is None:
        return
    now = timezone.now()
    wanted: set[tuple[int, str]] = set()
    worker = _allocated_worker(young_person)
    if worker is not None and worker.is_active:
        wanted.add((worker.pk, NamedStaff.Basis.ALLOCATED))
    managers = User.objects.filter(
        role=User.Role.TEAM_MANAGER, is_active=True, team__in=holding_teams(young_person)
    )
    wanted |= {(pk, NamedStaff.Basis.MANAGER) for pk in managers.values_list("pk", flat=True)}
    rows = list(
        NamedStaff.objects.select_for_update().filter(
            young_person=young_person, ended_at__isnull=True
        )
    )
    have = {(row.user_id, row.basis) for row in rows}
    ended: set[int] = set()
    for row in rows:
        if row.basis in NamedStaff.AUTOMATIC and (row.user_id, row.basis) not in wanted:
            why = (
                "No longer the allocated worker"
                if row.basis == NamedStaff.Basis.ALLOCATED
                else "No longer a manager of the team holding the record"
            )
            _end(row, by=by, now=now, why=why)
            ended.add(row.user_id)
    for user_id, basis in sorted(wanted - have):
        NamedStaff.objects.create(
            young_person=young_person,
            user_id=user_id,
            basis=basis,
            named_by=by,
            named_at=now,
            reason=NamedStaff.Basis(basis).label,
        )
    still = set(
        NamedStaff.objects.filter(young_person=young_person, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    granted = set(_still_granted(young_person).values_list("pk", flat=True))
    for person in User.objects.filter(pk__in=still - granted):
        grants.name_user(young_person, person)
    for person in User.objects.filter(pk__in=(ended - still) & granted):
        grants.unname_user(young_person, person)


def record_named_by_hand(young_person: YoungPerson, *, person: User, by: User, reason: str):
    """The register's row for naming by hand (``cases/naming.py`` writes the grant)."""
    NamedStaff.objects.get_or_create(
        young_person=young_person,
        user=person,
        basis=NamedStaff.Basis.BY_HAND,
        ended_at=None,
        defaults={"named_by": by, "reason": reason},
    )


def end_named_by_hand(young_person: YoungPerson, *, person: User, by: User, reason: str) -> bool:
    """End the person's by-hand naming in the register. False when they are still named
    automatically (a manager of the holding team, the allocated worker): the caller refuses."""
    rows = NamedStaff.objects.filter(young_person=young_person, user=person, ended_at__isnull=True)
    if rows.filter(basis__in=NamedStaff.AUTOMATIC).exists():
        return False
    for row in rows:
        _end(row, by=by, now=timezone.now(), why=reason)
    return True


def restricted_held_by(team_id: int):
    """Restricted young people with an open restriction that the team holds."""
    team = Team.objects.filter(pk=team_id).values_list("group_id", flat=True).first()
    held = YoungPersonGroupObjectPermission.objects.filter(
        content_object_id=OuterRef("pk"), group_id=team, permission__codename="view_youngperson"
    )
    return YoungPerson.objects.filter(restricted=True).filter(Exists(held))


#: The user's fields that decide whether they are a team manager of a team.
_MANAGER_FIELDS = {"role", "team", "team_id", "is_active"}


def user_changed(sender, instance: User, created=False, update_fields=None, **kwargs) -> None:
    """``post_save`` of a user: a team manager who joins a team is named on its restricted
    records; one who leaves it, changes role or is deactivated stops being named as its
    manager. Saves that change none of role, team and active (a sign-in) do nothing."""
    if kwargs.get("raw") or (
        update_fields is not None and not set(update_fields) & _MANAGER_FIELDS
    ):
        return
    records = set(
        NamedStaff.objects.filter(
            user=instance, basis=NamedStaff.Basis.MANAGER, ended_at__isnull=True
        ).values_list("young_person_id", flat=True)
    )
    if instance.team_id and instance.role == User.Role.TEAM_MANAGER and instance.is_active:
        records |= set(restricted_held_by(instance.team_id).values_list("pk", flat=True))
    if not records:
        return
    with transaction.atomic():
        for young_person in YoungPerson.objects.filter(pk__in=records).select_related("subject"):
            name_automatically(young_person)
