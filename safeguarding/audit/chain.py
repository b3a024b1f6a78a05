"""The audit's hash chain: recomputing it and finding the first row that breaks it.

Each audit row (``auditlog_logentry``) is sealed by PostgreSQL triggers (migration
``audit/0002``; linked when its transaction commits) with
``hash = sha256(prev_hash || canonical)``, hex-encoded, where
``canonical`` is :data:`CANONICAL_SQL` over the row, its authority and its chain position, and
``prev_hash`` is the hash of the row sealed before it. :func:`verify` recomputes every hash
here, in Python, from the rows as they are now, so a row whose stored values were rewritten, a
removed row and a removed or reordered seal are each found.

What the chain cannot show on its own: someone with the owner role rewriting the whole chain
from a row onwards, or removing its tail together with the head. Copy the head that
``manage.py verify_audit_chain`` prints somewhere else now and then (an external log), and a
later rewrite shows as a head that does not extend it.
"""

import hashlib
from dataclasses import dataclass

from django.db import connection, transaction

from .models import GENESIS

#: The canonical serialisation of an audit row, in SQL: ``{e}`` is the ``auditlog_logentry``
#: row, ``{authority}`` and ``{seq}`` its seal's values. JSON arrays have one text form in
#: PostgreSQL; the timestamp is microseconds since the epoch (no time zone in it). The sealing
#: trigger in migration ``audit/0002`` holds a copy (migrations do not import app code); the
#: chain tests fail if the two differ.
CANONICAL_SQL = (
    "jsonb_build_array({e}.id, {e}.content_type_id, {e}.object_pk, {e}.object_id, "
    "{e}.object_repr, {e}.action, {e}.changes, {e}.changes_text, {e}.actor_id, "
    "{e}.actor_email, host({e}.remote_addr), {e}.remote_port, "
    "(extract(epoch FROM {e}.timestamp) * 1000000)::bigint, {e}.additional_data, "
    "{e}.serialized_data, {e}.cid, {authority}, {seq})::text"
)

_SEALS = f"""
SELECT s.seq, s.entry_id, s.prev_hash, s.hash, e.id IS NOT NULL,
       {CANONICAL_SQL.format(e="e", authority="s.authority_id", seq="s.seq")},
       h.seq, h.hash
FROM audit_entryseal s LEFT JOIN auditlog_logentry e ON e.id = s.entry_id
LEFT JOIN audit_chainhead h ON h.id = 1
WHERE s.seq IS NOT NULL
ORDER BY s.seq
"""  # noqa: S608 (constants only)
_UNSEALED = """
SELECT e.id FROM auditlog_logentry e
WHERE NOT EXISTS (SELECT 1 FROM audit_entryseal s WHERE s.entry_id = e.id AND s.seq IS NOT NULL)
ORDER BY e.id LIMIT 1
"""
_HEAD = "SELECT seq, hash FROM audit_chainhead WHERE id = 1"


def link(prev_hash: str, canonical: str) -> str:
    """The hash of a row: SHA-256 (hex) of the previous row's hash followed by the row."""
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


@dataclass(frozen=True)
class Result:
    """What :func:`verify` found: ``rows`` checked, the chain's ``head`` hash, and the first
    ``broken`` place (``entry``: the audit row's id, or None; ``reason``: in words), if any."""

    rows: int
    head: str
    entry: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def verify(batch: int = 2000) -> Result:
    """Recompute the chain from the first row (PostgreSQL only) and stop at the first break.

    Reads the rows in ``batch``-sized chunks through a server-side cursor, so the whole audit
    is never held in memory. Raises ``NotImplementedError`` on other databases.
    """
    if connection.vendor != "postgresql":
        raise NotImplementedError("The audit's hash chain is kept on PostgreSQL only.")
    expected_prev, expected_seq, rows = GENESIS, 1, 0
    head = (0, GENESIS)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Rows this transaction wrote are linked now (at commit otherwise): none in a
            # command of its own.
            cursor.execute("SET CONSTRAINTS auditlog_logentry_link IMMEDIATE")
        # One query, so one snapshot: the seals, the rows and the head as they were together.
        with connection.chunked_cursor() as cursor:
            cursor.execute(_SEALS)
            while chunk := cursor.fetchmany(batch):
                for seq, entry_id, prev_hash, stored, present, canonical, *at in chunk:
                    head = tuple(at)
                    if seq != expected_seq:
                        return Result(
                            rows, expected_prev, entry_id,
                            f"chain positions {expected_seq} to {seq - 1} are missing "
                            "(audit rows removed)",
                        )  # fmt: skip
                    if not present:
                        return Result(rows, expected_prev, entry_id, "the audit row is missing")
                    if prev_hash != expected_prev:
                        return Result(
                            rows, expected_prev, entry_id,
                            "the row does not follow the one before it (rows removed)",
                        )  # fmt: skip
                    if link(prev_hash, canonical) != stored:
                        return Result(
                            rows, expected_prev, entry_id,
                            "the row was changed after it was written",
                        )  # fmt: skip
                    expected_prev, expected_seq, rows = stored, seq + 1, rows + 1
        with connection.cursor() as cursor:
            if rows == 0:
                cursor.execute(_HEAD)
                head = cursor.fetchone() or (0, GENESIS)
            if tuple(head) != (expected_seq - 1, expected_prev):
                return Result(
                    rows, expected_prev, None,
                    f"the chain's head is at {head[0]} but its rows end at {expected_seq - 1} "
                    "(the last rows were removed)",
                )  # fmt: skip
            cursor.execute(_UNSEALED)
            unsealed = cursor.fetchone()
            if unsealed is not None:
                return Result(rows, expected_prev, unsealed[0], "the audit row is not in the chain")
    return Result(rows, expected_prev)
