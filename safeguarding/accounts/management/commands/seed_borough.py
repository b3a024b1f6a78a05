"""``manage.py seed_borough``: the fictional London Borough of Eastbrook, for demos and tests.

The borough and its builder are in ``safeguarding/demo/``; this command checks it may run,
builds the borough once (``safeguarding.demo.builder.build_borough``), works out what the bulk
writes sent no signals for, and prints the demo logins and the counts.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases import audience, figures
from cases.models import BoroughFigures, HarmCategory
from safeguarding.accounts.models import Organisation, User
from safeguarding.demo import builder, data, retention


class Command(BaseCommand):
    help = """Create the fictional London Borough of Eastbrook with demo users and case data.

    Scale: --scale multiplies everything linearly. At 1 (the default) the borough has about
    300 young people, 40 places, 20 peer groups, 2,000 concerns over 18 months and 400
    referrals; places never drop below 40, and there is always at least one referral in every
    status and with every decision. Rows are written in chunks (COPY on PostgreSQL, plain
    INSERTs on SQLite), so memory stays flat: --scale 333 --concerns-per-young-person 10
    (100,000 young people, a million concerns) takes under 6 minutes on PostgreSQL on two
    cores, with who may see each concern at a place and the hotspot and theme figures worked
    out at the end. --seed fixes the random choices, so the same scale and seed give the same
    borough (references apart, which are random by design).

    Idempotency: if the borough's local authority already exists the command says so and
    creates nothing (but counts its figures if they never were), so it is safe to run on every
    start (make run does).

    Demo users share one password printed at the end. The command refuses to run at all in
    production mode (SAFEGUARDING_MODE=production).
    """

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiplier for every count (default 1)."
        )
        parser.add_argument(
            "--seed", type=int, default=data.DEFAULT_SEED, help="Random seed (default 2026)."
        )
        parser.add_argument(
            "--without-assessments",
            dest="assessments",
            action="store_false",
            help="Leave out the demo's assessments (tests that do not need them: the step "
            "drafts evidence packs through the services, the slowest part of a small borough).",
        )
        parser.add_argument(
            "--without-plans",
            dest="plans",
            action="store_false",
            help="Leave out the demo's safety plans (they start from the assessments, so "
            "--without-assessments leaves them out too).",
        )
        parser.add_argument(
            "--concerns-per-young-person",
            type=float,
            default=None,
            help="Concerns per young person instead of 2,000 per 300 (e.g. 10 with --scale 333 "
            "for 100,000 young people and a million concerns).",
        )

    def handle(
        self,
        *args,
        scale,
        seed,
        concerns_per_young_person=None,
        assessments=True,
        plans=True,
        **options,
    ):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "Refusing to seed demo data in production mode: it creates users with a shared, "
                "published password. Run it only in development or test environments."
            )
        if scale <= 0:
            raise CommandError("--scale must be greater than 0.")
        if concerns_per_young_person is not None and concerns_per_young_person <= 0:
            raise CommandError("--concerns-per-young-person must be greater than 0.")
        existing = Organisation.objects.filter(name=data.AUTHORITY_NAME).first()
        if existing is not None:
            self.stdout.write(f"{data.AUTHORITY_NAME} already exists: nothing created.")
            if not BoroughFigures.objects.filter(authority=existing, as_of__isnull=False).exists():
                # A borough seeded before hotspots and themes were counted ahead: count them.
                figures.borough_figures_refresh(authority=existing)
            self._summary(existing)
            return
        if not HarmCategory.objects.filter(is_active=True).exists():
            raise CommandError("There are no active harm categories: run migrate first.")
        taken = User.objects.filter(username__in=[u[0] for u in data.DEMO_USERS])
        if taken.exists():
            names = ", ".join(taken.values_list("username", flat=True))
            raise CommandError(f"Demo usernames already in use outside the borough: {names}.")

        started = time.monotonic()
        with transaction.atomic():
            result = builder.build_borough(
                scale=scale,
                seed=seed,
                concerns_per_young_person=concerns_per_young_person,
                assessments=assessments,
                plans=plans,
            )
            # Bulk inserts send no signals: work out who may see each concern at a place in
            # one statement, as cases/audience.py would have row by row.
            audience.rebuild(authority_id=result.authority.pk)
            # Records due for review on the data protection officer's list, and a legal hold.
            retention.make_records_due(result.authority)
        # Hotspots and themes are counted ahead (Celery beat keeps them fresh from now on).
        figures.borough_figures_refresh(authority=result.authority)
        elapsed = time.monotonic() - started

        self.stdout.write(self.style.SUCCESS(f"Created {data.AUTHORITY_NAME} in {elapsed:.1f}s."))
        self._logins(result.logins)
        self._summary(result.authority)

    def _logins(self, logins):
        rows = [("Username", "Role", "Team or organisation", "Password")]
        rows += [(x.username, x.role, x.where, data.DEMO_PASSWORD) for x in logins]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(
            "Demo logins (fictional people; development only). They are demo users without a "
            "second factor: no authentication code is asked of them in development mode only."
        )
        for n, row in enumerate(rows):
            line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("")

    def _summary(self, authority):
        counts = builder.borough_counts(authority)
        self.stdout.write("Counts: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
