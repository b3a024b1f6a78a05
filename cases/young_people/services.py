"""Young people services: editing the record's own details; aliases added and ended.

Naming staff on a restricted record is ``cases/naming.py``; allocation names the allocated
worker (``cases/casework/services.py``)."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError
from safeguarding.subjects.models import InformationSource
from safeguarding.subjects.services import record_update

from .dates import check_date_of_birth
from .models import Alias, YoungPerson

#: What the edit page may change: who they are and how to reach them. Whether the record is
#: restricted, and who may see it, change only through their own services.
YOUNG_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address",
    "postcode",
    "nhs_number",
    "unique_pupil_number",
    "vulnerabilities",
)


def young_person_update(
    young_person: YoungPerson,
    *,
    by: User,
    changes: Mapping[str, object],
    version: str | None = None,
) -> YoungPerson:
    """Save ``changes`` (a name of :data:`YOUNG_PERSON_FIELDS` → its cleaned value) to the
    young person for ``by``, who must be able to change the record, and return it as saved.

    In one transaction, re-read through the rule after the change
    (:func:`safeguarding.subjects.services.record_update`): ``RecordNotFound`` if ``by`` may not
    change it (or it is missing); ``ApplicationError`` (rolled back) if the change would leave
    it out of ``by``'s reach, or, on ``date_of_birth``, if the date is not in the past;
    ``StaleRecord`` if ``version`` (what the edit page read) is no longer the record's. The
    audit gets its change row (personal fields masked)."""
    try:
        check_date_of_birth(changes.get("date_of_birth"))
    except ValidationError as error:
        raise ApplicationError({"date_of_birth": error.messages[0]}) from None
    return record_update(
        young_person, by=by, changes=changes, version=version, fields=YOUNG_PERSON_FIELDS
    )


@transaction.atomic
def alias_add(
    *,
    young_person: YoungPerson,
    name: str,
    kind: str,
    source: str,
    by: User,
    notes: str = "",
) -> Alias:
    """Record another name ``young_person`` is known by (``kind``: an ``Alias.Kind`` value;
    ``source``: an ``InformationSource`` value, where the name came from), for ``by``, who must
    be able to change the young person (``visibility.CHANGE``; otherwise ``RecordNotFound``,
    as if missing). Returns the new alias, in use from today.

    ``ApplicationError`` by field: ``name`` empty, or the same as a name of theirs in use
    (case and spacing aside: ``"Jay  B"`` is ``"jay b"``); ``kind`` or ``source`` not one of the
    choices. The audit gets its row (the name and notes masked)."""
    young_person = visibility.require(by, young_person, visibility.CHANGE)
    name = " ".join(name.split())
    errors = {}
    if not name:
        errors["name"] = "Enter the other name"
    if kind not in Alias.Kind.values:
        errors["kind"] = "Select what kind of name it is"
    if source not in InformationSource.values:
        errors["source"] = "Select where the name came from"
    if name:
        # The young person's row is locked: two people adding the same name at once are
        # checked one after the other.
        list(YoungPerson.objects.select_for_update().filter(pk=young_person.pk).values("pk"))
        in_use = Alias.objects.filter(young_person=young_person, ended_on__isnull=True)
        taken = {" ".join(a.split()).casefold() for a in in_use.values_list("name", flat=True)}
        own = {
            young_person.given_name,
            young_person.preferred_name,
            f"{young_person.given_name} {young_person.family_name}",
            f"{young_person.preferred_name} {young_person.family_name}",
        }
        if name.casefold() in taken:
            errors["name"] = "This name is already recorded as one they use"
        elif name.casefold() in {" ".join(n.split()).casefold() for n in own if n.strip()}:
            errors["name"] = "This is their own name: enter a name they are also known by"
    if errors:
        raise ApplicationError(errors)
    return Alias.objects.create(
        young_person=young_person,
        name=name,
        kind=kind,
        source=source,
        notes=notes,
        added_by=by,
    )


@transaction.atomic
def alias_end(*, alias: Alias, by: User, reason: str, ended_on: date | None = None) -> Alias:
    """Record that an alias is no longer used, from ``ended_on`` (default today), with
    ``reason``, for ``by``, who must be able to change the young person (``RecordNotFound``
    otherwise). The alias is kept, as history, never deleted.

    ``ApplicationError``: already ended (not about a field); ``reason`` empty; ``ended_on`` in
    the future or before the alias was recorded (by field)."""
    alias = Alias.objects.select_for_update().filter(pk=alias.pk).first() or alias
    alias = visibility.require(by, alias, visibility.CHANGE)
    today = timezone.localdate()
    ended_on = ended_on or today
    if alias.ended_on is not None:
        raise ApplicationError("This name is already recorded as no longer used.")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the name is no longer used"
    if ended_on > today:
        errors["ended_on"] = "The date must be today or in the past"
    elif ended_on < alias.added_on:
        errors["ended_on"] = (
            f"The date must be on or after {alias.added_on:%-d %B %Y}, when the name was recorded"
        )
    if errors:
        raise ApplicationError(errors)
    alias.ended_on = ended_on
    alias.ended_reason = reason.strip()
    alias.ended_by = by
    alias.save(update_fields=["ended_on", "ended_reason", "ended_by"])
    return alias
