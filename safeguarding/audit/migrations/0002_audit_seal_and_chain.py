"""Each audit row gets a seal: the authority it belongs to and its link in a hash chain.

On PostgreSQL a trigger writes every new ``auditlog_logentry`` row's seal with its authority in
the inserting statement, and a deferred constraint trigger links it into the chain when its
transaction commits (``safeguarding.audit.models`` says how); the functions run as the owner of
the tables (SECURITY DEFINER), so the runtime role needs no right to write seals or the chain
head, and cannot call the sealing functions itself. Rows written before this migration are sealed here, in
id order. On SQLite (``make run``) a trigger writes the authority only.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The canonical serialisation of a row: a copy of safeguarding.audit.chain.CANONICAL_SQL.
CANONICAL = (
    "jsonb_build_array(e.id, e.content_type_id, e.object_pk, e.object_id, "
    "e.object_repr, e.action, e.changes, e.changes_text, e.actor_id, "
    "e.actor_email, host(e.remote_addr), e.remote_port, "
    "(extract(epoch FROM e.timestamp) * 1000000)::bigint, e.additional_data, "
    "e.serialized_data, e.cid, row_authority, head_seq)::text"
)

POSTGRES_FORWARD = [
    # On insert: the row's authority, in a seal without a chain link yet.
    """
CREATE FUNCTION audit_attribute_row(e auditlog_logentry) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    row_authority bigint;
BEGIN
    -- Whose audit: the actor's local authority (a partner agency's is the one it works with),
    -- else the authority the writing code named (the record's, for rows without an actor).
    SELECT coalesce(o.authority_id, o.id) INTO row_authority
      FROM accounts_user u JOIN accounts_organisation o ON o.id = u.organisation_id
     WHERE u.id = e.actor_id;
    IF row_authority IS NULL AND jsonb_typeof(e.additional_data) = 'object'
       AND (e.additional_data ->> 'authority') ~ '^[0-9]{1,18}$' THEN
        SELECT o.id INTO row_authority FROM accounts_organisation o
         WHERE o.id = (e.additional_data ->> 'authority')::bigint;
    END IF;
    INSERT INTO audit_entryseal (entry_id, authority_id, seq, prev_hash, hash)
        VALUES (e.id, row_authority, NULL, '', '');
END;
$$;
""",
    # At commit: the row's link in the chain. The head stays locked only until the commit, and
    # rows are chained in commit order.
    """
CREATE FUNCTION audit_link_row(e auditlog_logentry) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    row_authority bigint;
    head_seq bigint;
    head_hash text;
    row_hash text;
BEGIN
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM audit_chainhead h WHERE h.id = 1
       FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audit_chainhead (id, seq, hash) VALUES (1, 0, repeat('0', 64))
            ON CONFLICT (id) DO NOTHING;
        SELECT h.seq, h.hash INTO head_seq, head_hash FROM audit_chainhead h WHERE h.id = 1
           FOR UPDATE;
    END IF;
    SELECT s.authority_id INTO row_authority FROM audit_entryseal s WHERE s.entry_id = e.id;
    head_seq := head_seq + 1;
    row_hash := encode(sha256(convert_to(head_hash || CANONICAL, 'UTF8')), 'hex');
    UPDATE audit_entryseal SET seq = head_seq, prev_hash = head_hash, hash = row_hash
     WHERE entry_id = e.id AND seq IS NULL;
    UPDATE audit_chainhead SET seq = head_seq, hash = row_hash WHERE id = 1;
END;
$$;
""".replace("CANONICAL", CANONICAL),
    "REVOKE ALL ON FUNCTION audit_attribute_row(auditlog_logentry) FROM PUBLIC;",
    "REVOKE ALL ON FUNCTION audit_link_row(auditlog_logentry) FROM PUBLIC;",
    """
CREATE FUNCTION audit_attribute_entry() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM audit_attribute_row(NEW);
    RETURN NULL;
END;
$$;
""",
    """
CREATE FUNCTION audit_link_entry() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM audit_link_row(NEW);
    RETURN NULL;
END;
$$;
""",
    # A seal is written once and linked once; nothing else changes or removes it.
    """
CREATE FUNCTION audit_seal_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND NEW.entry_id = OLD.entry_id
       AND NEW.authority_id IS NOT DISTINCT FROM OLD.authority_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'audit rows are append-only (' || TG_OP || ' of a seal refused)',
        ERRCODE = 'insufficient_privilege';
END;
$$;
""",
    """CREATE TRIGGER auditlog_logentry_seal AFTER INSERT ON auditlog_logentry
       FOR EACH ROW EXECUTE FUNCTION audit_attribute_entry();""",
    """CREATE CONSTRAINT TRIGGER auditlog_logentry_link AFTER INSERT ON auditlog_logentry
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_link_entry();""",
    """CREATE TRIGGER audit_entryseal_append_only BEFORE UPDATE OR DELETE ON audit_entryseal
       FOR EACH ROW EXECUTE FUNCTION audit_seal_guard();""",
    # Rows written before this migration, in the order they were written.
    """
DO $$
DECLARE
    r auditlog_logentry;
BEGIN
    FOR r IN SELECT * FROM auditlog_logentry ORDER BY id LOOP
        PERFORM audit_attribute_row(r);
        PERFORM audit_link_row(r);
    END LOOP;
END;
$$;
""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entryseal_append_only ON audit_entryseal;",
    "DROP TRIGGER IF EXISTS auditlog_logentry_link ON auditlog_logentry;",
    "DROP TRIGGER IF EXISTS auditlog_logentry_seal ON auditlog_logentry;",
    "DROP FUNCTION IF EXISTS audit_seal_guard();",
    "DROP FUNCTION IF EXISTS audit_link_entry();",
    "DROP FUNCTION IF EXISTS audit_attribute_entry();",
    "DROP FUNCTION IF EXISTS audit_link_row(auditlog_logentry);",
    "DROP FUNCTION IF EXISTS audit_attribute_row(auditlog_logentry);",
]
_SQLITE_AUTHORITY = """coalesce(
    (SELECT coalesce(o.authority_id, o.id) FROM accounts_user u
       JOIN accounts_organisation o ON o.id = u.organisation_id WHERE u.id = {e}.actor_id),
    (SELECT o.id FROM accounts_organisation o WHERE json_valid({e}.additional_data)
       AND o.id = json_extract({e}.additional_data, '$.authority')))"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER auditlog_logentry_seal AFTER INSERT ON auditlog_logentry BEGIN
       INSERT INTO audit_entryseal (entry_id, authority_id, seq, prev_hash, hash)
       VALUES (NEW.id, {_SQLITE_AUTHORITY.format(e="NEW")}, NEW.id, '', '');
       END;""",  # noqa: S608
    f"""INSERT INTO audit_entryseal (entry_id, authority_id, seq, prev_hash, hash)
        SELECT e.id, {_SQLITE_AUTHORITY.format(e="e")}, e.id, '', '' FROM auditlog_logentry e;""",  # noqa: S608
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS auditlog_logentry_seal;"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor, []):
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0001_append_only"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("seq", models.BigIntegerField(default=0)),
                (
                    "hash",
                    models.CharField(
                        default="0000000000000000000000000000000000000000000000000000000000000000",
                        max_length=64,
                    ),
                ),
            ],
            options={
                "verbose_name": "audit chain head",
            },
        ),
        migrations.CreateModel(
            name="EntrySeal",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="seal",
                        serialize=False,
                        to=settings.AUDITLOG_LOGENTRY_MODEL,
                    ),
                ),
                (
                    "seq",
                    models.BigIntegerField(
                        help_text="Position in the hash chain.", null=True, unique=True
                    ),
                ),
                ("prev_hash", models.CharField(blank=True, max_length=64)),
                ("hash", models.CharField(blank=True, max_length=64)),
                (
                    "authority",
                    models.ForeignKey(
                        blank=True,
                        help_text="The local authority whose audit this row is part of.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit seal",
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
