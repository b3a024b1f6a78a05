"""Possible duplicates: a new record that looks like one the user can already see.

Adding a young person with the same name and date of birth as one the user may pick, a place
with the same name and postcode, or creating a new record at the front door when an identical
one exists: the service refuses the first time (:class:`PossibleDuplicates`, with the
matches), the page offers the matches (use one instead) or a confirmation (it really is a new
record), and the second submission says which.

Matches come only from what the rule lets the user see for the purpose
(``visibility.restrict(user, Model, action)``: ``PICK`` when logging a concern, ``MATCH`` at
the front door). A record the user may not see is never offered, and never even hinted at: if
it is the only match, the record is created as if there were none.

Names are compared normalised: letter case ignored, whitespace of any kind and amount taken as
one space, none at the ends. A young person's name is the given and family names together, so
"Mary Ann" + "Whitlowe" matches "Mary" + "Ann Whitlowe". Postcodes are compared in capitals
without spaces. Dates of birth compare as dates (no date matches no date).
"""

import re

from django.db.models import F, Func, Value
from django.db.models.functions import Concat, Lower, Trim, Upper

from safeguarding.errors import ApplicationError

#: The most matches offered for one new record.
MAX_MATCHES = 5


class PossibleDuplicates(ApplicationError):
    """A new record that looks like records the user can see: nothing was saved.

    ``matches``: for each new record that has any (keyed as the service documents, e.g. the
    index of a new young person), the records it may be, at most :data:`MAX_MATCHES`."""

    def __init__(self, message, *, matches: dict):
        super().__init__(message, code="possible_duplicate")
        self.matches = matches


def _regexp_replace(value, pattern, replacement, flags):
    """PostgreSQL's ``regexp_replace(value, pattern, replacement, flags)`` for SQLite: ``g``
    replaces every match (else the first), ``i`` ignores case. ``NULL`` in, ``NULL`` out."""
    if value is None:
        return None
    return re.sub(
        pattern,
        replacement,
        value,
        count=0 if "g" in (flags or "") else 1,
        flags=re.IGNORECASE if "i" in (flags or "") else 0,
    )


def register_sqlite_functions(sender, connection, **kwargs):
    """On each new SQLite connection (the ``connection_created`` signal): ``REGEXP_REPLACE``,
    as PostgreSQL has it, for :func:`normalised_expression` (``make run``'s embedded database)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "REGEXP_REPLACE", 4, _regexp_replace, deterministic=True
        )


def normalised(value: str) -> str:
    """A name as compared: lower case, runs of whitespace one space, trimmed."""
    return " ".join((value or "").split()).lower()


def compact_postcode(value: str) -> str:
    """A postcode as compared: capitals, no spaces."""
    return "".join((value or "").split()).upper()


def normalised_expression(*fields: str):
    """The SQL of :func:`normalised` applied to ``fields`` joined by a space (PostgreSQL's
    ``regexp_replace`` with ``\\s+``)."""
    parts = []
    for name in fields:
        parts += [F(name), Value(" ")]
    joined = Concat(*parts[:-1]) if len(fields) > 1 else F(fields[0])
    collapsed = Func(joined, Value(r"\s+"), Value(" "), Value("g"), function="REGEXP_REPLACE")
    return Trim(Lower(collapsed))


def compact_postcode_expression(field: str = "postcode"):
    """The SQL of :func:`compact_postcode` applied to ``field``."""
    return Upper(Func(F(field), Value(r"\s+"), Value(""), Value("g"), function="REGEXP_REPLACE"))


def young_people_like(*, user, given_name: str, family_name: str, date_of_birth, action):
    """Young people ``user`` may see for ``action`` whose normalised full name is the one given
    and whose date of birth is ``date_of_birth`` (``None``: none recorded), with their subject
    (reference), at most :data:`MAX_MATCHES`, by reference."""
    from cases.models import YoungPerson
    from safeguarding.accounts import visibility

    name = normalised(f"{given_name} {family_name}")
    if not name:
        return []
    rows = (
        visibility.restrict(user, YoungPerson, action)
        .annotate(_name=normalised_expression("given_name", "family_name"))
        .filter(_name=name)
    )
    rows = (
        rows.filter(date_of_birth=date_of_birth)
        if date_of_birth
        else rows.filter(date_of_birth__isnull=True)
    )
    return list(rows.select_related("subject").order_by("subject__reference")[:MAX_MATCHES])


def places_like(*, user, name: str, postcode: str, action):
    """Places ``user`` may see for ``action`` with the normalised name and compact postcode
    given (an empty postcode matches places without one), with their subject, at most
    :data:`MAX_MATCHES`, by reference."""
    from contexts.models import Context
    from safeguarding.accounts import visibility

    name = normalised(name)
    if not name:
        return []
    rows = (
        visibility.restrict(user, Context, action)
        .annotate(_name=normalised_expression("name"), _postcode=compact_postcode_expression())
        .filter(_name=name, _postcode=compact_postcode(postcode))
    )
    return list(rows.select_related("subject").order_by("subject__reference")[:MAX_MATCHES])


def young_person_label(record) -> str:
    """How a match is offered: name, date of birth and reference."""
    born = (
        f", born {record.date_of_birth.day} {record.date_of_birth:%B %Y}"
        if record.date_of_birth
        else ""
    )
    return f"{record.full_name}{born} ({record.subject.reference})"


def place_label(record) -> str:
    postcode = f", {record.postcode}" if record.postcode else ""
    return f"{record.name}{postcode} ({record.subject.reference})"
