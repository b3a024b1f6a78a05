"""Indexes for the data protection officer's access log (``safeguarding.dataprotection.access``).

* ``audit_entry_subjects``: GIN over ``additional_data -> 'subjects'`` (the subjects a row is
  about, written by ``audit/origin.py``): a young person's, place's or peer group's log
  (``@> '["12"]'``) and reads of restricted records (``?| array[...]``).
* ``audit_entry_actor_time``: a user's own log, newest first, and the unusual-access report's
  rows per user and day.

``IF NOT EXISTS``: on a large audit, create them beforehand with ``CREATE INDEX CONCURRENTLY``
and the same names (the table is not locked for writes then), and this migration does nothing.
PostgreSQL only (SQLite, for ``make run``, has no such index and needs none).
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS audit_entry_subjects ON auditlog_logentry "
    "USING gin ((additional_data -> 'subjects'))",
    "CREATE INDEX IF NOT EXISTS audit_entry_actor_time ON auditlog_logentry "
    "(actor_id, timestamp DESC, id DESC)",
]
REVERSE = [
    "DROP INDEX IF EXISTS audit_entry_subjects",
    "DROP INDEX IF EXISTS audit_entry_actor_time",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_seal_and_chain")]

    operations = [migrations.RunPython(forward, reverse)]
