"""Context services: editing a place's own details; its guardians added, edited and ended."""

from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.errors import ApplicationError
from safeguarding.subjects.services import record_update

from .models import Context, ContextGuardian

#: What the edit page may change. Who works with the place (grants) and who guards it change
#: only through their own services.
CONTEXT_FIELDS = ("name", "kind", "address", "postcode", "description")


def context_update(
    context: Context, *, by: User, changes: Mapping[str, object], version: str | None = None
) -> Context:
    """Save ``changes`` (a name of :data:`CONTEXT_FIELDS` → its cleaned value) to the place for
    ``by``, who must be able to change it, and return it as saved.

    In one transaction, re-read through the rule after the change
    (:func:`safeguarding.subjects.services.record_update`): ``RecordNotFound`` if ``by`` may not
    change it (or it is missing); ``ApplicationError`` (rolled back) if the change would leave
    it out of ``by``'s reach; ``StaleRecord`` if ``version`` (what the edit page read) is no
    longer the record's."""
    return record_update(context, by=by, changes=changes, version=version, fields=CONTEXT_FIELDS)


#: What a guardian's add and edit pages set. Where it is (its place) never changes; ending it
#: is :func:`guardian_end`.
GUARDIAN_FIELDS = (
    "organisation",
    "name",
    "role",
    "present_when",
    "contact",
    "told_of_concerns",
    "notes",
)

#: The error at the field when a guardian has neither an organisation nor a named adult or role
#: (the database's ``guardian_has_organisation_or_name`` says the same, as the last word).
ORGANISATION_OR_NAME = "Choose an organisation, or enter the adult's name or role"
TOLD_NEEDS_ORGANISATION = (
    "Only an organisation can be told of concerns (on its notification channels): "
    "choose the organisation, or leave this unticked"
)


def guardian_organisations(user) -> QuerySet:
    """The organisations ``user`` may name as a place's guardian: the active ones the rule lets
    them see (their authority and its partner agencies), by name."""
    return visibility.restrict(user, Organisation).filter(is_active=True).order_by("name", "pk")


def _check_guardian(by: User, values: Mapping[str, object]) -> None:
    """``ApplicationError`` by field for what a guardian may not be (see :func:`guardian_add`)."""
    errors = {}
    organisation = values.get("organisation")
    if organisation is None and not str(values.get("name") or "").strip():
        errors["organisation"] = ORGANISATION_OR_NAME
    elif (
        organisation is not None
        and not guardian_organisations(by).filter(pk=organisation.pk).exists()
    ):
        errors["organisation"] = "Choose an organisation from the list"
    if values.get("told_of_concerns") and organisation is None and "organisation" not in errors:
        errors["told_of_concerns"] = TOLD_NEEDS_ORGANISATION
    if errors:
        raise ApplicationError(errors)


@transaction.atomic
def guardian_add(*, context: Context, by: User, **values) -> ContextGuardian:
    """Record an organisation or a capable adult with influence over a place (a "capable
    guardian": Contextual Safeguarding's guardianship, the adults with caring intent who are or
    could be present, and when: PRACTICE.md), for ``by``, who must be able to change the place
    (``visibility.CHANGE``; otherwise ``RecordNotFound``, as if missing).

    ``values``: the names of :data:`GUARDIAN_FIELDS` (``organisation`` an ``Organisation`` or
    None, ``told_of_concerns`` a bool, the rest text). ``ApplicationError`` by field: neither an
    organisation nor a name (``organisation``: :data:`ORGANISATION_OR_NAME`); an organisation
    ``by`` may not name; told of concerns without an organisation (``told_of_concerns``).
    A guardian with ``told_of_concerns`` is told of each concern logged at the place
    (``cases.concerns.services._tell_guardians_of_concern``) until it is ended."""
    unknown = set(values) - set(GUARDIAN_FIELDS)
    if unknown:
        raise ValueError(f"Not a guardian's field: {', '.join(sorted(unknown))}")
    context = visibility.require(by, context, visibility.CHANGE)
    _check_guardian(by, values)
    return ContextGuardian.objects.create(context=context, **values)


@transaction.atomic
def guardian_update(
    guardian: ContextGuardian,
    *,
    by: User,
    changes: Mapping[str, object],
    version: str | None = None,
) -> ContextGuardian:
    """Save ``changes`` (a name of :data:`GUARDIAN_FIELDS` → its cleaned value) to a current
    guardian for ``by``, who must be able to change its place, and return it as saved
    (:func:`safeguarding.subjects.services.record_update`: ``RecordNotFound`` if ``by`` may not
    change it). ``ApplicationError``: as :func:`guardian_add` by field, checked on the guardian
    as it would be after the change; an ended guardian (not about a field). ``StaleRecord`` if
    ``version`` (what the edit page read) is no longer the guardian's."""
    locked = ContextGuardian.objects.select_for_update().filter(pk=guardian.pk).order_by().first()
    current = visibility.require(by, locked or guardian, visibility.CHANGE)
    if current.ended_on is not None:
        raise ApplicationError("This guardian has ended: it can no longer be changed.")
    after = {name: getattr(current, name) for name in GUARDIAN_FIELDS} | dict(changes)
    _check_guardian(by, after)
    return record_update(guardian, by=by, changes=changes, version=version, fields=GUARDIAN_FIELDS)


@transaction.atomic
def guardian_end(
    *, guardian: ContextGuardian, by: User, reason: str, ended_on: date | None = None
) -> ContextGuardian:
    """Record that a guardian no longer guards the place, from ``ended_on`` (default today), with
    ``reason``, for ``by``, who must be able to change the place (``RecordNotFound``
    otherwise). It is kept (shown under "No longer guardians"), never deleted; from now its
    organisation is not told of concerns at the place, and a partner sees the place only while
    it is a current guardian (``visibility.context_rule``).

    ``ApplicationError``: already ended (not about a field); ``reason`` empty or ``ended_on``
    in the future (by field)."""
    locked = ContextGuardian.objects.select_for_update().filter(pk=guardian.pk).order_by().first()
    guardian = visibility.require(by, locked or guardian, visibility.CHANGE)
    if guardian.ended_on is not None:
        raise ApplicationError("This guardian has already ended.")
    today = timezone.localdate()
    ended_on = ended_on or today
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why they are no longer a guardian"
    if ended_on > today:
        errors["ended_on"] = "The date must be today or in the past"
    if errors:
        raise ApplicationError(errors)
    guardian.ended_on = ended_on
    guardian.ended_reason = reason.strip()
    guardian.save(update_fields=["ended_on", "ended_reason"])
    return guardian
