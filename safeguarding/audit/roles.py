"""The runtime database role: what the running application may do to the database.

Production runs the web app, the worker and beat as a role that owns nothing; migrations run as
the owner of the tables (``MIGRATION_DATABASE_URL``), which then grants the runtime role (the
user of ``DATABASE_URL``) what it needs with :func:`grant_runtime_role` (``manage.py
grant_runtime_role``), after every ``migrate``:

* every table of the schema: SELECT, INSERT, UPDATE, DELETE, except
* the audit (:data:`AUDIT_TABLES`): SELECT and INSERT on ``auditlog_logentry``; SELECT only on
  the seals and the chain head (the sealing trigger writes them as the owner);
* ``django_migrations``: SELECT only;
* every sequence: USAGE and SELECT (ids of new rows); the schema: USAGE.

Not being the owner, the runtime role cannot TRUNCATE, ALTER (disable a trigger), DROP or
grant anything; the append-only triggers refuse UPDATE and DELETE of audit rows even to the
owner (``tests/audit/test_roles.py`` checks each).
"""

import re

from django.db import connection, transaction

#: Audit tables and what the runtime role may do to each.
AUDIT_TABLES = {
    "auditlog_logentry": "SELECT, INSERT",
    "audit_entryseal": "SELECT",
    "audit_chainhead": "SELECT",
}
#: Other tables with less than the ordinary rights.
READ_ONLY_TABLES = {"django_migrations": "SELECT"}
ORDINARY = "SELECT, INSERT, UPDATE, DELETE"

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class RoleError(Exception):
    """The role cannot be the runtime role (missing, a superuser, the owner, a bad name)."""


def grant_runtime_role(role: str, *, create_with_password: str | None = None) -> dict[str, str]:
    """Give ``role`` exactly the runtime rights above on the current schema (PostgreSQL), taking
    away whatever else it had on its tables and sequences first. Run as the owner of the tables.
    With ``create_with_password``, a missing role is first created (LOGIN, that password; the
    owner needs CREATEROLE for that).

    Returns ``{table: rights}`` as granted. Raises :class:`RoleError` when ``role`` is not a
    plain existing role (not a superuser, not the connected owner) or the name is not a plain
    identifier.
    """
    if connection.vendor != "postgresql":
        raise RoleError("Database roles are PostgreSQL's: nothing to grant on this database.")
    if not _ROLE_NAME.match(role):
        raise RoleError(f"{role!r} is not a plain role name (letters, digits, underscores).")
    quoted = connection.ops.quote_name(role)
    granted: dict[str, str] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None and create_with_password:
            cursor.execute(f"CREATE ROLE {quoted} LOGIN PASSWORD %s", [create_with_password])
        cursor.execute(
            "SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s", [role]
        )
        found = cursor.fetchone()
        if found is None:
            raise RoleError(f"There is no database role {role!r}: create it first.")
        superuser, is_owner = found
        if superuser or is_owner:
            raise RoleError(
                f"{role!r} is a superuser or the role running this command (the owner): the "
                "runtime role must own nothing."
            )
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') "
            "ORDER BY c.relname"
        )
        tables = [name for (name,) in cursor.fetchall()]
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}")
        for table in tables:
            rights = AUDIT_TABLES.get(table) or READ_ONLY_TABLES.get(table) or ORDINARY
            cursor.execute(f"GRANT {rights} ON {connection.ops.quote_name(table)} TO {quoted}")
            granted[table] = rights
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}")
    return granted
