"""The runtime database role owns nothing: it cannot empty, alter or drop the audit, nor rewrite
a row of it; it reads and appends (``manage.py grant_runtime_role``)."""

import uuid

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from safeguarding.audit.registry import record_read

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

#: SQLSTATE insufficient_privilege.
REFUSED = "42501"


@pytest.fixture
def runtime_role(world):
    """A role that owns nothing, given the runtime rights by the command. Created inside the
    test's transaction, so it is gone when the test's transaction is rolled back."""
    role = f"test_runtime_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    call_command("grant_runtime_role", role)
    record_read(world.records["cases.youngperson"]["own"])
    return role


def _as(role, statement, params=None):
    """Run ``statement`` as ``role`` in a savepoint (the role ends with it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def _entry_id():
    return LogEntry.objects.latest("id").pk


REFUSED_STATEMENTS = {
    "truncate the audit": "TRUNCATE auditlog_logentry",
    "truncate the audit and its seals": "TRUNCATE auditlog_logentry, audit_entryseal CASCADE",
    "disable the append-only trigger": (
        "ALTER TABLE auditlog_logentry DISABLE TRIGGER auditlog_logentry_append_only"
    ),
    "disable every trigger": "ALTER TABLE auditlog_logentry DISABLE TRIGGER ALL",
    "drop the append-only trigger": (
        "DROP TRIGGER auditlog_logentry_append_only ON auditlog_logentry"
    ),
    "drop the sealing trigger": "DROP TRIGGER auditlog_logentry_seal ON auditlog_logentry",
    "drop the audit": "DROP TABLE auditlog_logentry",
    "update an audit row": "UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = {id}",
    "delete an audit row": "DELETE FROM auditlog_logentry WHERE id = {id}",
    "rewrite a seal": "UPDATE audit_entryseal SET hash = 'x' WHERE entry_id = {id}",
    "delete a seal": "DELETE FROM audit_entryseal WHERE entry_id = {id}",
    "forge a seal": (
        "INSERT INTO audit_entryseal (entry_id, seq, prev_hash, hash) VALUES (0, -1, '', '')"
    ),
    "move the chain head": "UPDATE audit_chainhead SET seq = 0",
    "call the sealing function": (
        "SELECT audit_attribute_row(e) FROM auditlog_logentry e WHERE id = {id}"
    ),
    "call the linking function": (
        "SELECT audit_link_row(e) FROM auditlog_logentry e WHERE id = {id}"
    ),
    "replace the sealing function": (
        "CREATE OR REPLACE FUNCTION audit_link_entry() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END; $$"
    ),
    "drop the append-only function": "DROP FUNCTION audit_refuse_change() CASCADE",
    "alter another table": "ALTER TABLE cases_youngperson DISABLE TRIGGER ALL",
    "drop another table": "DROP TABLE cases_youngperson CASCADE",
    "truncate another table": "TRUNCATE cases_youngperson CASCADE",
    "rewrite the migration history": "DELETE FROM django_migrations",
}


@pytest.mark.parametrize("what", sorted(REFUSED_STATEMENTS))
def test_the_runtime_role_is_refused(runtime_role, what):
    statement = REFUSED_STATEMENTS[what].format(id=_entry_id())
    with pytest.raises(DatabaseError) as refused:
        _as(runtime_role, statement)
    assert refused.value.__cause__.pgcode == REFUSED, refused.value
    assert LogEntry.objects.filter(pk=_entry_id()).exists()


def test_the_runtime_role_reads_and_appends_to_the_audit(runtime_role, world):
    from django.contrib.contenttypes.models import ContentType

    from safeguarding.audit.models import EntrySeal

    before = LogEntry.objects.count()
    content_type = ContentType.objects.get_for_model(LogEntry).pk
    inserted = _as(
        runtime_role,
        "INSERT INTO auditlog_logentry (content_type_id, object_pk, object_repr, action, "
        "changes_text, timestamp, actor_id) VALUES (%s, 'x', 'x', 3, '', now(), %s) RETURNING id",
        [content_type, world.users["sw"].pk],
    )
    assert LogEntry.objects.count() == before + 1
    # Sealed by the trigger, as the owner: the runtime role has no right to the seals.
    seal = EntrySeal.objects.get(entry_id=inserted[0][0])
    assert seal.authority == world.records["accounts.organisation"]["la"]
    assert _as(runtime_role, "SELECT count(*) FROM auditlog_logentry") == [(before + 1,)]


def test_the_runtime_role_works_on_ordinary_tables(runtime_role, world):
    person = world.records["cases.youngperson"]["own"]
    _as(
        runtime_role, "UPDATE cases_youngperson SET postcode = 'EB1 1AA' WHERE id = %s", [person.pk]
    )
    person.refresh_from_db()
    assert person.postcode == "EB1 1AA"


@pytest.mark.parametrize(
    "role, problem",
    [
        ("postgres", "superuser"),
        ("no_such_role_here", "no database role"),
        ("bad name; DROP TABLE x", "not a plain role name"),
    ],
)
def test_the_command_refuses_a_role_that_cannot_be_the_runtime_role(db, role, problem):
    with pytest.raises(CommandError, match=problem):
        call_command("grant_runtime_role", role)


def test_the_command_creates_a_missing_role(db, settings):
    role = f"test_runtime_{uuid.uuid4().hex[:12]}"
    settings.DATABASE_RUNTIME_ROLE = role
    settings.DATABASE_RUNTIME_PASSWORD = "a-test-password"
    call_command("grant_runtime_role", "--create")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcanlogin, has_table_privilege(%s, 'auditlog_logentry', 'INSERT'), "
            "has_table_privilege(%s, 'auditlog_logentry', 'UPDATE'), "
            "has_table_privilege(%s, 'auditlog_logentry', 'TRUNCATE') "
            "FROM pg_roles WHERE rolname = %s",
            [role, role, role, role],
        )
        assert cursor.fetchone() == (True, True, False, False)
