"""Editing a subject's own record (a young person, a place, a peer group): the one way their
``<entity>_update`` services save a change.

Each domain declares which of its fields its edit page may change and calls
:func:`record_update` (``cases.young_people.services.young_person_update``,
``contexts.services.context_update``, ``peers.services.peer_group_update``).
"""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Model

from safeguarding import versions
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, RecordNotFound

#: Why a change was refused when the record would end up out of the editor's reach.
OUT_OF_REACH = "After this change you could no longer change this record, so it was not saved."


def record_update(
    record: Model,
    *,
    by,
    changes: Mapping[str, object],
    fields: Iterable[str],
    version: str | None = None,
) -> Model:
    """Save ``changes`` (field name → value, as the record's model form cleaned it: see
     :mod:`safeguarding.text`; stored as given) to ``record`` for the user ``by``, in one
     transaction, and return the record as saved (a fresh instance).

     1. The record is read again through the rule (``visibility.CHANGE``) and locked:
        ``RecordNotFound`` if it is missing or ``by`` may not change it (indistinguishable).
    Then, if ``version`` is given (what the edit page read: :func:`safeguarding.versions.version`
    over the fields in ``changes``), it is compared with the locked row:
    :class:`safeguarding.versions.StaleRecord` (nothing saved) if someone else changed any of
    those fields since (a lost update otherwise). ``None``: not checked.
     2. The changes are set and the record saved with ``save()``, so django-auditlog writes its
        change row (actor: the request's user) as for any save, and ``updated_at`` moves.
     3. The result is read again through the rule, inside the transaction (NetBox's pattern for
        object permissions): if ``by`` could no longer change it, the transaction is rolled back
        (the change and its audit row with it) and ``ApplicationError`` (:data:`OUT_OF_REACH`,
        not about one field) says so.

     ``fields``: the fields this record's edit may change. Any other name in ``changes`` is a
     programming error (``ValueError``), never saved: access (``restricted``, grants) changes
     only through its own services.
    """
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    model = type(record)
    with transaction.atomic():
        # Only the record's own row is locked (a model ordered through a nullable foreign key
        # would otherwise lock the outer join, which PostgreSQL refuses).
        locked = model._default_manager.select_for_update(of=("self",)).filter(pk=record.pk).first()
        if locked is None:
            raise RecordNotFound()
        visibility.require(by, locked, visibility.CHANGE)
        versions.check(locked, changes, version)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        try:
            return visibility.require(by, locked, visibility.CHANGE)
        except RecordNotFound:
            raise ApplicationError(OUT_OF_REACH) from None
