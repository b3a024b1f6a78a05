"""Trigram indexes for misspelling-tolerant search (PostgreSQL; SQLite falls back to LIKE)."""

from django.db import migrations

INDEXES = [
    ("cases_youngperson", "given_name"),
    ("cases_youngperson", "family_name"),
    ("cases_youngperson", "preferred_name"),
    ("cases_alias", "name"),
    ("contexts_context", "name"),
    ("peers_peergroup", "name"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm "
            f"ON {table} USING gin ({column} gin_trgm_ops)"
        )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_harm_categories"),
        ("contexts", "0001_initial"),
        ("peers", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
