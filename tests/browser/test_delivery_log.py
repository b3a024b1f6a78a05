"""The delivery log of notifications in a real browser: a team manager finds a failed
notification, filters the log, and sends it again."""

import pytest
from django.utils import timezone

from safeguarding.notifications.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_manager_filters_the_log_and_retries_a_failed_notification(world, signed_in):
    failed = world.records["notifications.notification"]["agency"]
    Notification.objects.filter(pk=failed.pk).update(
        status=Notification.Status.DEAD,
        attempts=10,
        last_attempt_at=timezone.now(),
        last_error="The endpoint answered HTTP 503.",
    )
    allocated = world.records["notifications.notification"]["own"]

    browsing = signed_in(world.users["tm"])
    page = browsing.page
    browsing.visit("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Delivery log").click()
    browsing.check_a11y()
    assert page.get_by_role("heading", level=1).inner_text() == "Delivery log"
    table = page.locator("table")
    assert allocated.reference in table.inner_text()
    row = page.locator("tr", has_text=failed.reference)
    assert "Failed: gave up" in row.inner_text()
    assert "p1.example.org" in row.inner_text()
    assert "1 notification failed" in page.locator("main").inner_text()

    page.get_by_label("Status", exact=True).select_option(label="Failed: gave up")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    browsing.check_a11y()
    assert browsing.path() == "/notifications/?status=dead&event_type=&kind=&organisation="
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert allocated.reference not in table.inner_text()

    with page.expect_navigation():
        rows.first.get_by_role("button", name=f"Retry referral decided {failed.reference}").click()
    browsing.check_a11y()
    banner = page.locator(".govuk-notification-banner--success").inner_text()
    assert f"{failed.reference}: the notification will be sent again." in banner
    assert browsing.path().startswith("/notifications/?status=dead")
    assert page.locator("table").count() == 0  # nothing has failed now
    failed.refresh_from_db()
    # Due now: queued for the workers after the commit (or by the sweep).
    assert failed.status == Notification.Status.PENDING and failed.attempts == 0
    assert failed.next_attempt_at <= timezone.now()
