"""Tamper evidence: every audit row is sealed in a hash chain when written, and
``manage.py verify_audit_chain`` finds the first row rewritten or removed since."""

import itertools
import threading

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection, connections

from safeguarding.audit import chain
from safeguarding.audit.models import ChainHead, EntrySeal
from safeguarding.audit.registry import record_read


def _owner_sql(*statements):
    """Run ``statements`` as the owner would (the tests' superuser), with the append-only
    triggers off: what an attacker with the owner's password could do."""
    with connection.cursor() as cursor:
        # Check the deferred foreign keys now: a table with checks pending cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE auditlog_logentry DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_entryseal DISABLE TRIGGER USER")
        for statement, params in statements:
            cursor.execute(statement, params)
        cursor.execute("ALTER TABLE auditlog_logentry ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_entryseal ENABLE TRIGGER USER")


@pytest.fixture
def audited(world):
    """Five reads of young people, written after the world's own rows."""
    people = [world.records["cases.youngperson"][name] for name in ("own", "team", "other")]
    for person in people + people[:2]:
        record_read(person)
    _link_now()
    return list(LogEntry.objects.order_by("-id")[:5])[::-1]


def _link_now():
    """Link this (never committed) test transaction's rows into the chain, as its commit would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS auditlog_logentry_link IMMEDIATE")


def test_every_row_is_sealed_in_order_and_the_chain_verifies(audited):
    seals = list(EntrySeal.objects.order_by("seq"))
    assert len(seals) == LogEntry.objects.count()
    assert seals[0].prev_hash == chain.GENESIS
    for before, after in itertools.pairwise(seals):
        assert after.seq == before.seq + 1 and after.prev_hash == before.hash
    head = ChainHead.objects.get()
    assert (head.seq, head.hash) == (seals[-1].seq, seals[-1].hash)
    result = chain.verify()
    assert result.ok, result
    assert result.rows == len(seals) and result.head == seals[-1].hash
    call_command("verify_audit_chain")  # exit status 0


def _rewrite(column, value):
    return lambda entry: [
        (f"UPDATE auditlog_logentry SET {column} = %s WHERE id = %s", [value, entry.pk])  # noqa: S608
    ]


TAMPERING = {
    "changes rewritten": _rewrite("changes", '{"postcode": ["[changed]", "[changed]"]}'),
    "what it was about rewritten": _rewrite("object_pk", "999999"),
    "who did it rewritten": _rewrite("actor_email", "someone-else@example.invalid"),
    "what was done rewritten": _rewrite("action", 1),
    "when rewritten": _rewrite("timestamp", "2020-01-01T00:00:00Z"),
    "details rewritten": _rewrite("additional_data", '{"authority": 1}'),
    "row deleted": lambda entry: [
        ("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk]),
    ],
    "row and its seal deleted": lambda entry: [
        ("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk]),
        ("DELETE FROM audit_entryseal WHERE entry_id = %s", [entry.pk]),
    ],
    "moved to another authority's audit": lambda entry: [
        ("UPDATE audit_entryseal SET authority_id = NULL WHERE entry_id = %s", [entry.pk]),
    ],
}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_a_rewritten_or_removed_row_is_found(audited, tampering):
    target = audited[2]
    assert chain.verify().ok
    _owner_sql(*TAMPERING[tampering](target))
    result = chain.verify()
    assert not result.ok
    # The first row after the intact ones: the row itself, or the one after a removed row.
    assert result.entry in (target.pk, audited[3].pk), result
    with pytest.raises(CommandError, match="broken at audit row"):
        call_command("verify_audit_chain")


def test_removing_the_last_rows_is_found(audited):
    last = audited[-1]
    _owner_sql(
        ("DELETE FROM auditlog_logentry WHERE id = %s", [last.pk]),
        ("DELETE FROM audit_entryseal WHERE entry_id = %s", [last.pk]),
    )
    result = chain.verify()
    assert not result.ok and "last rows were removed" in result.reason


def test_a_seal_cannot_be_changed_even_by_the_owner(audited):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        EntrySeal.objects.filter(entry=audited[0]).update(hash="0" * 64)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        EntrySeal.objects.filter(entry=audited[0]).delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_are_chained_one_after_another(world):
    """Rows written at the same time by several connections still form one chain."""
    people = list(world.records["cases.youngperson"].values())
    before = LogEntry.objects.count()
    errors = []

    def write():
        try:
            for person in people:
                record_read(person)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert LogEntry.objects.count() == before + 4 * len(people)
    result = chain.verify()
    assert result.ok, result
    assert result.rows == LogEntry.objects.count()
