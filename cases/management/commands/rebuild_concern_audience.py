"""``manage.py rebuild_concern_audience``: work out who may see each concern at a place again."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from cases import audience


class Command(BaseCommand):
    help = """Work out ``ConcernAudience`` (who may see each concern at a place or peer group)
    again from the grants and involvements, in one transaction. The app keeps it in step by
    itself; run this after writing those tables outside the app (bulk SQL, loaddata) or to put
    right a table one suspects. About a minute for a million concerns."""

    def add_arguments(self, parser):
        parser.add_argument("--authority", type=int, help="only this local authority (its id)")

    def handle(self, *args, authority=None, **options):
        started = time.monotonic()
        with transaction.atomic():
            audience.rebuild(authority_id=authority)
        self.stdout.write(f"Worked out again in {time.monotonic() - started:.1f}s.")
