"""``manage.py verify_audit_chain``: recompute the audit's hash chain (PostgreSQL) and report
the first row that breaks it: exit status 0 when every row is as written, 1 otherwise
(:mod:`safeguarding.audit.chain`). Prints the chain's head: keep it elsewhere to compare."""

from django.core.management.base import BaseCommand, CommandError

from safeguarding.audit.chain import verify


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        try:
            result = verify()
        except NotImplementedError as error:
            raise CommandError(str(error)) from None
        if not result.ok:
            where = f"audit row {result.entry}" if result.entry is not None else "the chain"
            raise CommandError(
                f"The audit chain is broken at {where}: {result.reason}. "
                f"{result.rows} rows before it are intact."
            )
        self.stdout.write(f"The audit chain is intact: {result.rows} rows, head {result.head}.")
