"""Naming staff on a restricted young person: who, besides the team holding the case, may see it.

A restricted young person is visible only to the staff named on the record
(``safeguarding/accounts/visibility.py``). Allocation names the allocated worker; anyone else
is named here, in the app (never in the admin, whose grant tables are read-only), by a team
manager of the team holding the record (``visibility.NAME``), with a reason:

* :func:`name_staff` names an active member of council staff (social worker, team manager or
  senior manager) of the young person's authority;
* :func:`unname_staff` un-names someone, except the worker the open case is allocated to
  (reallocate the case instead).

Each naming is kept in the register (``cases.restrictions.models.NamedStaff``, basis "named
by a manager") beside the grant rows; the allocated worker and the holding team's managers are
named automatically (``cases/restrictions/services.py``), and someone named on that basis is
not un-named by hand.

Both change the grant rows through ``safeguarding.accounts.grants`` in their own transaction,
so ``ConcernAudience`` (``cases/audience.py``, kept by signals on those rows) follows at once,
and write one audit row on the young person (who was named or un-named, by whom, why), besides
the audit rows of the grant rows themselves. A refusal is an ``ApplicationError`` by field
(``person``, ``reason``); someone who may not name staff on the record gets
``safeguarding.errors.RecordNotFound``, as if it did not exist (a 404 on the pages).
"""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet

from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError

from .models import Case, NamedStaff, YoungPerson, YoungPersonUserObjectPermission
from .restrictions import services as restrictions

REASON_MAX_LENGTH = 1000


def named_staff(young_person: YoungPerson) -> QuerySet:
    """The people named on the record (with a view grant), by name."""
    named = YoungPersonUserObjectPermission.objects.filter(
        content_object=young_person, permission__codename="view_youngperson"
    ).values("user_id")
    return User.objects.filter(pk__in=named).select_related("team").order_by("last_name", "pk")


def bases(young_person: YoungPerson) -> dict[int, list[str]]:
    """Why each person is named (user id -> the labels of their open bases, e.g. "Allocated
    worker"); someone named before the register was kept has none."""
    found: dict[int, list[str]] = {}
    for user_id, basis in NamedStaff.objects.filter(
        young_person=young_person, ended_at__isnull=True
    ).values_list("user_id", "basis"):
        found.setdefault(user_id, []).append(NamedStaff.Basis(basis).label)
    return found


def allocated_worker_id(young_person: YoungPerson) -> int | None:
    """The worker the young person's open case is allocated to (named by the allocation)."""
    return (
        Case.objects.filter(subject_id=young_person.subject_id)
        .exclude(status=Case.Status.CLOSED)
        .values_list("allocated_worker_id", flat=True)
        .first()
    )


def _reason(reason: str, *, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": missing})
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(
            {"reason": f"The reason must be {REASON_MAX_LENGTH} characters or fewer."}
        )
    return reason


def _locked(young_person: YoungPerson, by: User) -> YoungPerson:
    """The record, locked for the change, if ``by`` may name staff on it (else
    ``RecordNotFound``)."""
    visibility.require(by, young_person, visibility.NAME)
    return YoungPerson.objects.select_for_update().select_related("subject").get(pk=young_person.pk)


def _audit(young_person: YoungPerson, *, by: User, person: User, named: bool, reason: str):
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(YoungPerson),
        object_pk=str(young_person.pk),
        object_id=young_person.pk,
        object_repr=young_person.subject.reference,
        action=LogEntry.Action.UPDATE,
        actor=by,
        actor_email=by.email or None,
        changes={"named_staff": [None, person.username] if named else [person.username, None]},
        additional_data={"named" if named else "unnamed": person.pk, "reason": reason},
    )


@transaction.atomic
def name_staff(*, young_person: YoungPerson, person: User, by: User, reason: str) -> None:
    """Name ``person`` on the restricted ``young_person``: they may then read and change it."""
    record = _locked(young_person, by)
    reason = _reason(reason, missing="Say why they need to see this record")
    if not (
        person.is_active
        and visibility.is_council_staff(person)
        and person.organisation_id == record.subject.authority_id
    ):
        raise ApplicationError({"person": "Choose a member of staff of this authority"})
    if person.pk == by.pk:
        # Separation of duties: nobody widens their own access. A manager who needs to see the
        # record is named by another manager of the team (or a senior manager named on it).
        raise ApplicationError(
            {"person": "You cannot name yourself: ask another manager of the team to name you"}
        )
    if named_staff(record).filter(pk=person.pk).exists():
        raise ApplicationError({"person": "They are already named on this record"})
    grants.name_user(record, person)
    restrictions.record_named_by_hand(record, person=person, by=by, reason=reason)
    _audit(record, by=by, person=person, named=True, reason=reason)


@transaction.atomic
def unname_staff(*, young_person: YoungPerson, person: User, by: User, reason: str) -> None:
    """Stop ``person`` being named on the restricted ``young_person``."""
    record = _locked(young_person, by)
    reason = _reason(reason, missing="Say why they no longer need to see this record")
    if not named_staff(record).filter(pk=person.pk).exists():
        raise ApplicationError({"person": "They are not named on this record"})
    if allocated_worker_id(record) == person.pk:
        raise ApplicationError(
            {"person": "The case is allocated to them: reallocate the case first"}
        )
    if not restrictions.end_named_by_hand(record, person=person, by=by, reason=reason):
        raise ApplicationError(
            {"person": "They manage the team holding the record: they stay named while they do"}
        )
    grants.unname_user(record, person)
    _audit(record, by=by, person=person, named=False, reason=reason)
