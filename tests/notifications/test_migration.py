"""Rows of the first, minimal outbox become deliveries when the delivery machinery arrives."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from safeguarding.notifications.models import Notification
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("notifications", "0001_initial")]


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("notifications")


def test_old_outbox_rows_become_emails_in_their_authoritys_log(world):
    sw = world.users["sw"]
    partner = world.users["partner"]  # of the police, a partner of the authority
    la = world.records["accounts.organisation"]["la"]
    gone = make_user("gone", "social_worker", la, world.records["accounts.team"]["t1"])
    gone.is_active = False
    gone.save()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("notifications", "Notification")
        old.objects.all().delete()
        for user, status in ((sw, "pending"), (partner, "sent"), (sw, "failed"), (gone, "pending")):
            old.objects.create(
                event_type="work.allocated",
                recipient_user_id=user.pk,
                reference=f"Y-{user.username}-{status}",
                link="/",
                status=status,
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(_latest())
    rows = {
        n.reference: (n.kind, n.email, n.authority_id, n.status) for n in Notification.objects.all()
    }
    la = world.records["accounts.organisation"]["la"].pk
    assert rows == {
        "Y-sw-pending": ("email", "sw@example.invalid", la, "pending"),
        "Y-partner-sent": ("email", "partner@example.invalid", la, "sent"),
        "Y-sw-failed": ("email", "sw@example.invalid", la, "dead"),
    }  # the inactive user's row is dropped
