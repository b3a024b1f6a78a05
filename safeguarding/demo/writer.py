"""How the demo borough's rows are written: :class:`TableWriter` and :func:`bulk`.

Everything that grows with the borough goes in as plain tuples through :class:`TableWriter`,
``CHUNK`` rows at a time (``core.BuilderCore.CHUNK``): ``COPY`` on PostgreSQL, sent by a
background thread while the builder makes the next chunk, and one ``executemany`` INSERT
elsewhere (SQLite in ``make run``). The few hundred organisations, teams and users, and the
places, guardians and peer groups, go in through the ORM with :func:`bulk`.
"""

from __future__ import annotations

import csv
import io
import queue
import threading
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, reset_queries
from django.utils import timezone

BATCH = 2000  # rows per INSERT for the small tables written through the ORM
# Values in one IN (...) list: reference clash checks, and the UPDATE of restricted young
# people, go to the database this many at a time (SQLite's limit on parameters in one
# statement is 32,766).
REFERENCE_CHECK = 5000


def bulk(model, objs: list) -> list:
    """``bulk_create`` in batches, then forget the SQL (for the small tables built as models).

    With DEBUG on (development) Django keeps the last 9,000 statements: at large scales that
    log of multi-row INSERTs would be the biggest thing in memory. The seed has no use for it.
    """
    created = model.objects.bulk_create(objs, batch_size=BATCH)
    reset_queries()
    return created


class TableWriter:
    """Writes rows, given as tuples, straight into a model's table in the current transaction.

    PostgreSQL: ``COPY ... FROM STDIN`` (CSV), the fastest way in, sent by a background thread
    on this same connection (so in the same transaction), so that the database takes in one
    chunk while the builder makes the next. psycopg2 lets threads share a connection, but a COPY
    streams its data outside psycopg2's lock: nothing else may use the connection meanwhile.
    So call :meth:`wait` (it returns once the queue is empty and the thread idle) before any
    other query, through the ORM or not; :meth:`ids` and :meth:`taken` do so themselves. Call
    :meth:`close` before the transaction ends. Elsewhere (SQLite, for ``make run``): one
    ``executemany`` INSERT per call, done before :meth:`write` returns.

    Either way no model instance is built and no ``save()``, signal or ``auto_now`` runs:
    ``fields`` names the columns each row gives, in order (field names or attnames such as
    ``"subject_id"``), and every other column gets its field's default, or the time of the
    call for ``auto_now``/``auto_now_add`` fields. Primary keys: give ``"id"`` with values from
    :meth:`ids`, or leave it out and the database numbers the rows.
    """

    # COPYs handed over but not yet started: with the one running, at most this + 1 chunks are
    # held in memory.
    QUEUED = 2

    def __init__(self, *, use_copy: bool | None = None):
        postgresql = connection.vendor == "postgresql"
        if use_copy and not postgresql:
            raise ValueError("COPY needs PostgreSQL.")
        self.use_copy = postgresql if use_copy is None else use_copy
        self._next_id: dict[str, int] = {}  # SQLite: the next free id per table
        self._jobs: queue.Queue = queue.Queue(maxsize=self.QUEUED)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._abandon = False

    def ids(self, model, count: int) -> list[int]:
        """``count`` new primary keys for ``model``, ascending (rows keep the order they were made).

        PostgreSQL: drawn from the table's own sequence, as inserts would draw them, so later
        inserts (and any concurrent ones) never clash. SQLite: counted on from the highest id the
        table has ever had (``sqlite_sequence``, which AUTOINCREMENT keeps), which is safe because
        SQLite has one writer at a time and this transaction, having written the authority
        already, holds the write lock until it commits.
        """
        if count <= 0:
            return []
        self.wait()
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), pk, count],
                )
                return sorted(row[0] for row in cursor.fetchall())
            if table not in self._next_id:
                qn = connection.ops.quote_name
                cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")  # noqa: S608 (names)
                highest = cursor.fetchone()[0] or 0
                if connection.vendor == "sqlite":
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    highest = max(highest, row[0] if row else 0)
                self._next_id[table] = highest + 1
        first = self._next_id[table]
        self._next_id[table] = first + count
        return list(range(first, first + count))

    def taken(self, model, column: str, values: Sequence[str]) -> set[str]:
        """Which of ``values`` the table already has in ``column`` (all rows written so far)."""
        self.wait()
        qn = connection.ops.quote_name
        found = set()
        with connection.cursor() as cursor:
            # Plain SQL: the ORM's handling of a 5,000-value IN list costs more than the query.
            for start in range(0, len(values), REFERENCE_CHECK):
                batch = values[start : start + REFERENCE_CHECK]
                cursor.execute(
                    f"SELECT {qn(column)} FROM {qn(model._meta.db_table)} "  # noqa: S608 (names)
                    f"WHERE {qn(column)} IN ({', '.join(['%s'] * len(batch))})",
                    batch,
                )
                found.update(row[0] for row in cursor.fetchall())
        return found

    def write(self, model, fields: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert ``rows`` (tuples of Python values in ``fields`` order) into ``model``'s table."""
        if not rows:
            return
        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        named = {f.attname for f in given}
        rest = [f for f in opts.concrete_fields if f.attname not in named and not f.primary_key]
        now = timezone.now()
        constants = tuple(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            # Fields without a default: "" for text, None otherwise (as Django would write).
            else f.get_default()
            for f in rest
        )
        columns = given + rest
        if self.use_copy:
            self._copy(opts.db_table, columns, rows, constants)
        else:
            self._insert(opts.db_table, columns, rows, constants)
        reset_queries()

    def wait(self) -> None:
        """Return once every row handed to :meth:`write` is in its table (or raise its error)."""
        if self._thread is not None:
            self._jobs.join()
        self._raise_if_failed()

    def close(self) -> BaseException | None:
        """Stop the background writer and return the error it met, if any. Call it before the
        transaction ends: after :meth:`wait` when all went well; after a failure it drops what
        is still queued and waits for the COPY in progress, so that nothing uses the
        connection once the transaction has been rolled back."""
        if self._thread is not None:
            self._abandon = True  # anything still queued (only after a failure)
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        return self._error

    def _raise_if_failed(self):
        if self._error is not None:
            raise self._error

    def _copy(self, table, columns, rows, constants):
        # CSV: the csv module (C) quotes what needs quoting. An unquoted empty value reads as
        # NULL, so text columns that cannot be NULL are read with FORCE_NOT_NULL (empty string);
        # a nullable text column could not tell "" from None, so none is allowed here.
        qn = connection.ops.quote_name
        text = [f for f in columns if f.empty_strings_allowed]
        if any(f.null for f in text):
            raise ValueError(f"{table}: nullable text columns cannot be written with COPY CSV.")
        # Encoded here, not in the writer thread: it needs the interpreter, the COPY does not.
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows((row + constants for row in rows) if constants else rows)
        buffer.seek(0)
        options = "FORMAT csv"
        if text:
            options += f", FORCE_NOT_NULL ({', '.join(qn(f.column) for f in text)})"
        sql = (
            f"COPY {qn(table)} ({', '.join(qn(f.column) for f in columns)}) "
            f"FROM STDIN WITH ({options})"
        )
        self._raise_if_failed()
        if self._thread is None:
            # The connection this thread uses (django.db.connection is per thread).
            wrapper = connections[DEFAULT_DB_ALIAS]
            wrapper.ensure_connection()
            self._thread = threading.Thread(
                target=self._run, args=(wrapper,), name="seed-copy", daemon=True
            )
            self._thread.start()
        self._jobs.put((sql, buffer))  # blocks while QUEUED are waiting: memory stays flat

    def _run(self, wrapper):
        """The writer thread: COPY each job in turn until the sentinel (None)."""
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None and not self._abandon:
                    sql, buffer = job
                    # Django's exception classes (IntegrityError ...), as its cursors would raise.
                    with wrapper.wrap_database_errors, wrapper.connection.cursor() as cursor:
                        cursor.copy_expert(sql, buffer, 1 << 20)  # read 1 MiB at a time
            except BaseException as error:  # handed to the builder in wait() or close()
                self._error = error
            finally:
                self._jobs.task_done()

    def _insert(self, table, columns, rows, constants):
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(table)} ({', '.join(qn(f.column) for f in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        prepared = [
            tuple(
                f.get_db_prep_save(v, connection)
                for f, v in zip(columns, row + constants, strict=True)
            )
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
