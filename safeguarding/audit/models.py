"""What the audit keeps beside django-auditlog's own rows: whose authority a row belongs to, and
the hash chain that shows a row was rewritten or removed.

Neither is written by the application. On PostgreSQL a trigger on ``auditlog_logentry``
(migration ``audit/0002``) writes one :class:`EntrySeal` for every audit row in the same
statement, with its authority: the acting user's local authority (their organisation's, or the
authority their partner agency works with), else ``additional_data["authority"]`` (set by
``registry.attribute_to_authority`` from the record, for rows without such an actor). A
deferred constraint trigger then links the seal into the chain when the inserting transaction
commits: its position and hash come from the single :class:`ChainHead` row, locked from then
until the commit, so concurrent transactions are chained one after another, in commit order,
and the lock is held only while committing. (Inside a transaction that has not committed yet,
``SET CONSTRAINTS auditlog_logentry_link IMMEDIATE`` links its rows now: the tests do.)
The runtime database role may only read these tables
(``manage.py grant_runtime_role``); ``manage.py verify_audit_chain`` recomputes the chain.

On SQLite (``make run`` only) a trigger writes the authority only; there is no chain.
"""

from auditlog.models import LogEntry
from django.db import models

#: The hash before the first row of the chain.
GENESIS = "0" * 64


class EntrySeal(models.Model):
    """One audit row's authority and its place in the hash chain.

    ``hash`` = SHA-256 (hex) of ``prev_hash`` followed by the row's canonical serialisation
    (:data:`safeguarding.audit.chain.CANONICAL_SQL`); ``prev_hash`` is the ``hash`` of the row
    at ``seq - 1`` (:data:`GENESIS` for the first). ``seq`` is empty until the inserting
    transaction commits.
    """

    # No foreign-key constraint: a removed audit row leaves its seal behind, and the chain
    # check names the row that is missing.
    entry = models.OneToOneField(
        LogEntry,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="seal",
    )
    authority = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The local authority whose audit this row is part of.",
    )
    seq = models.BigIntegerField(unique=True, null=True, help_text="Position in the hash chain.")
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "audit seal"

    def __str__(self):
        return f"Seal {self.seq} of audit row {self.entry_id}"


class ChainHead(models.Model):
    """The last link of the hash chain (one row, ``id`` 1): its position and hash. Locked by
    each insert for the rest of its transaction, so rows are chained in commit order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self):
        return f"Audit chain at {self.seq}"
