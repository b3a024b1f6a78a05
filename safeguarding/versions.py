"""Versions of a record as it was read: refusing a save made from a stale copy (lost updates).

Two people open the same edit form; without this, the second save silently puts back what the
first changed. So every edit carries the version of the record it was read at, and the service
that saves compares it with the row **under the row lock** (``select_for_update``), in the
transaction that saves: a stale version is refused (:class:`StaleRecord`), nothing is saved.

The mechanism: a version is a **digest of the values the reader was shown**, not a counter.

* No migration, and it works for every model alike (``record_update`` is generic); nothing that
  saves a row has to remember to increment anything (admin, data fixes, other services).
* It covers exactly the fields the edit would overwrite (an edit page: its form's fields; the
  API: what the endpoint's representation shows of the row). A change to anything else (who
  may see the record, a background task's bookkeeping column, ``updated_at``) is not a
  conflict: saving the form cannot undo it, since the service sets only the form's fields on
  the freshly locked row.
* Each field's digest is kept in the version, so a refused save can say **which** fields were
  changed by someone else (what the page shows next to them).
* Values are read as Django holds them after reading the row (decrypted, for encrypted
  columns), so the digest never contains or reveals a value: 8 bytes of SHA-256 per field.

Shape: :func:`version` is ``"v1."`` and URL-safe base64 of the fields' digests in the order
of their sorted names (≤ 12 characters per field); :func:`etag` is its strong HTTP entity tag
(RFC 9110 §8.8.3: a quoted string), one 22-character digest of the whole version.
"""

import base64
import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import Enum

from django.db.models import Model

from safeguarding.errors import ApplicationError

PREFIX = "v1."
_DIGEST_BYTES = 8

#: What a refused save says first (GOV.UK: say what happened and what to do).
STALE_MESSAGE = (
    "This record was changed by someone else after you opened it. Your changes have not been "
    "saved. Check what they changed, then save again to keep what you typed."
)


class StaleRecord(ApplicationError):
    """A save made from a copy read before someone else's change (HTTP: 412).

    ``changed``: the names of the fields whose saved values differ from the copy's (empty when
    the version given could not be read); ``current``: the record as now saved (locked when
    the service raised); ``version``: its version now, so that the form can carry it and a
    second, deliberate save goes through."""

    def __init__(self, *, changed: list[str], current: Model, version: str):
        super().__init__(STALE_MESSAGE, code="stale")
        self.changed = changed
        self.current = current
        self.version = version


def _canonical(value) -> bytes:
    """A value as bytes that do not depend on how it was set: a record by its key, a choice by
    its value, date-times in UTC, the rest by ``repr`` (strings, numbers, dates, booleans,
    ``None``, lists)."""
    if isinstance(value, Model):
        value = value.pk
    if isinstance(value, Enum):  # a choice as set in Python (Kind.PARK) is its value ("park")
        value = value.value
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    return repr(value).encode()


def value_digest(name: str, value) -> bytes:
    """The digest (8 bytes) of field ``name`` holding ``value``."""
    return hashlib.sha256(name.encode() + b"\0" + _canonical(value)).digest()[:_DIGEST_BYTES]


def field_digests(record: Model, fields: Iterable[str]) -> dict[str, bytes]:
    """Each field's digest, by name, in the order of the names: ``fields`` are model field
    names (a foreign key is digested by its id)."""
    meta = type(record)._meta
    return {
        name: value_digest(name, getattr(record, meta.get_field(name).attname))
        for name in sorted(set(fields))
    }


def read_digests(given: str, fields: Iterable[str]) -> dict[str, bytes] | None:
    """The fields' digests a :func:`version` over ``fields`` holds; ``None`` if it cannot be
    read as one (another version's shape, or tampered with)."""
    names = sorted(set(fields))
    if not given.startswith(PREFIX):
        return None
    raw = given.removeprefix(PREFIX)
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError:
        return None
    if not names or len(data) != _DIGEST_BYTES * len(names):
        return None
    chunks = [data[i : i + _DIGEST_BYTES] for i in range(0, len(data), _DIGEST_BYTES)]
    return dict(zip(names, chunks, strict=True))


def version(record: Model, fields: Iterable[str]) -> str:
    """The record's version over ``fields``: ``"v1."`` and base64 of the fields' digests."""
    digests = field_digests(record, fields)
    return PREFIX + base64.urlsafe_b64encode(b"".join(digests.values())).decode().rstrip("=")


def etag(record: Model, fields: Iterable[str]) -> str:
    """The record's strong entity tag over ``fields`` (for ``ETag`` and ``If-Match``), e.g.
    ``"Qv6zT0m1hW4c2k9xYb1d3A"`` with its double quotes."""
    digest = hashlib.sha256(version(record, fields).encode()).digest()[:16]
    return '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'


def changed_fields(record: Model, fields: Iterable[str], given: str) -> list[str] | None:
    """``None`` if ``given`` is the record's version over ``fields`` now; otherwise the names
    of the fields that differ (all of them if ``given`` cannot be read, e.g. it was made over
    other fields or tampered with)."""
    digests = field_digests(record, fields)
    old = read_digests(given, fields)
    if old is None:
        return list(digests)
    changed = [name for name, digest in digests.items() if digest != old[name]]
    return changed or None


def check(record: Model, fields: Iterable[str], given: str | None) -> None:
    """Raise :class:`StaleRecord` if ``given`` (a :func:`version`) is not ``record``'s version
    over ``fields``. ``record`` must have been read under the row lock, in the transaction
    that saves. ``None``: nothing to check (a caller that did not read the record first)."""
    if given is None:
        return
    fields = list(fields)
    changed = changed_fields(record, fields, given)
    if changed is not None:
        raise StaleRecord(changed=changed, current=record, version=version(record, fields))


def check_etag(record: Model, fields: Iterable[str], if_match: str | None) -> None:
    """Raise :class:`StaleRecord` unless ``if_match`` (an ``If-Match`` header's value: entity
    tags separated by commas, or ``*``) names ``record``'s strong entity tag over ``fields``.
    Weak tags (``W/"…"``) never match (RFC 9110 §13.1.1: If-Match compares strongly).
    ``None``: nothing to check (the API view answers a missing header itself, 428)."""
    if if_match is None:
        return
    fields = list(fields)
    tags = [tag.strip() for tag in if_match.split(",")]
    current = etag(record, fields)
    if "*" in tags or current in tags:
        return
    raise StaleRecord(changed=[], current=record, version=version(record, fields))


def values_shown(record: Model, fields: Iterable[str]) -> Mapping[str, str]:
    """The saved values of ``fields`` as a page would show them: a choice by its label, a date
    as "3 February 2011", nothing as "(blank)"."""
    meta = type(record)._meta
    out = {}
    for name in fields:
        field = meta.get_field(name)
        value = getattr(record, name)
        if field.choices and value not in (None, ""):
            value = getattr(record, f"get_{name}_display")()
        elif hasattr(value, "strftime"):
            value = f"{value.day} {value:%B %Y}"
        out[name] = "(blank)" if value in (None, "") else str(value)
    return out
