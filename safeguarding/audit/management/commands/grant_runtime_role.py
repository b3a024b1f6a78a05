"""``manage.py grant_runtime_role [ROLE]``: give the runtime database role (the application's,
which owns nothing) its rights, run as the owner after every ``migrate``
(:mod:`safeguarding.audit.roles`). ROLE defaults to the ``DATABASE_RUNTIME_ROLE`` setting;
``--create`` first creates a missing role with ``DATABASE_RUNTIME_PASSWORD``."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguarding.audit.roles import RoleError, grant_runtime_role


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "role",
            nargs="?",
            default=None,
            help="The runtime role's name (default: the DATABASE_RUNTIME_ROLE setting).",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the role (LOGIN, DATABASE_RUNTIME_PASSWORD) if it does not exist.",
        )

    def handle(self, *args, role=None, create=False, **options):
        role = role or settings.DATABASE_RUNTIME_ROLE
        if not role:
            raise CommandError("Name the runtime role, or set DATABASE_RUNTIME_ROLE.")
        password = None
        if create:
            password = settings.DATABASE_RUNTIME_PASSWORD
            if not password:
                raise CommandError("--create needs DATABASE_RUNTIME_PASSWORD.")
        try:
            granted = grant_runtime_role(role, create_with_password=password)
        except RoleError as error:
            raise CommandError(str(error)) from None
        audit = sum(1 for rights in granted.values() if rights != "SELECT, INSERT, UPDATE, DELETE")
        self.stdout.write(
            f"Granted {role} its runtime rights on {len(granted)} tables "
            f"({audit} of them read or append only: the audit, the migration history)."
        )
