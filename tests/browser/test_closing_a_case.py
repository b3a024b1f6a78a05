"""A case's week in a real browser: the worker sets the risk and review date and asks to close
the case; the team manager signs the closure off. Axe on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case

from ..factories import YoungPersonFactory
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_asks_to_close_and_the_manager_signs_it_off(world, signed_in, context):
    tm, sw = world.users["tm"], world.users["sw"]
    yp = YoungPersonFactory(
        authority=world.records["accounts.organisation"]["la"],
        given_name="Tamsin",
        family_name="Closure",
        case__team=tm.team,
        case__worker=sw,
    )
    case = Case.objects.get(subject=yp.subject)

    browsing = signed_in(sw)
    page = browsing.page
    browsing.visit(f"/young-people/{yp.pk}/")
    work = page.locator("table", has_text="Next review")
    with page.expect_navigation():
        work.get_by_role("link", name="Change risk or review").click()
    browsing.check_a11y()
    page.get_by_label("High").check()
    due = timezone.localdate() + timedelta(days=21)
    page.locator("#id_next_review_due_day").fill(str(due.day))
    page.locator("#id_next_review_due_month").fill(str(due.month))
    page.locator("#id_next_review_due_year").fill(str(due.year))
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()  # the reason is needed: the error, at the field
    assert "Say why the risk level or review date is changing" in page.locator("main").inner_text()
    page.get_by_label("Why are they changing?").fill("Missing overnight twice this month.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    assert page.url.endswith(f"/young-people/{yp.pk}/")  # back where it started
    assert "Missing overnight twice this month." in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Open case", exact=True).click()
    browsing.check_a11y()
    history = page.locator("table", has_text="Missing overnight twice this month.")
    assert "High" in history.inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="Ask to close this case").click()
    browsing.check_a11y()
    page.get_by_label("Why should the case close?").fill(
        "The safety plan's outcomes are met and Tamsin is settled at college."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Send for sign-off").click()
    browsing.check_a11y()
    banner = page.locator(".govuk-notification-banner--success").inner_text()
    assert "sent to your team manager" in banner
    assert "Closing (awaiting sign-off)" in page.get_by_role("heading", level=1).inner_text()

    context.clear_cookies()
    sign_in(context, browsing.base_url, tm)
    browsing.visit("/")
    with page.expect_navigation():
        page.get_by_role("link", name="See them on the team caseload").click()
    browsing.check_a11y()
    row = page.locator("tr", has_text="Tamsin Closure")
    with page.expect_navigation():
        row.get_by_role("link", name="Sign off or return").click()
    browsing.check_a11y()
    assert "settled at college" in page.locator("main").inner_text()
    page.get_by_label("Sign off: close the case").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    browsing.check_a11y()
    assert "signed off" in page.locator(".govuk-notification-banner--success").inner_text()
    assert page.url.endswith("/team/")

    browsing.visit(case.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text().startswith("Closed case")
    browsing.visit(f"/young-people/{yp.pk}/")
    chronology = page.locator("main").inner_text()
    assert "Closure signed off" in chronology and "Closure requested" in chronology
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_at is not None


@pytest.mark.no_javascript
def test_without_javascript_the_manager_returns_it_and_the_worker_reads_why(
    world, signed_in, context
):
    tm, sw = world.users["tm"], world.users["sw"]
    yp = YoungPersonFactory(
        authority=world.records["accounts.organisation"]["la"],
        given_name="Ruairi",
        family_name="Returned",
        case__team=tm.team,
        case__worker=sw,
    )
    case = Case.objects.get(subject=yp.subject)

    browsing = signed_in(sw)
    page = browsing.page
    browsing.visit(case.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Ask to close this case").click()
    browsing.check_a11y()
    page.get_by_label("Why should the case close?").fill("No concerns for three months.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send for sign-off").click()
    browsing.check_a11y()

    context.clear_cookies()
    sign_in(context, browsing.base_url, tm)
    browsing.visit(case.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Sign off or return the closure").click()
    browsing.check_a11y()
    page.get_by_label("Return it to the worker").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    browsing.check_a11y()  # the comment is needed to return it: the error, at the field
    assert "Say what must be done before the case can close" in page.locator("main").inner_text()
    page.get_by_label("Comment (needed to return it)").fill("Record his views first.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    browsing.check_a11y()
    assert (
        "returned to the worker" in page.locator(".govuk-notification-banner--success").inner_text()
    )

    context.clear_cookies()
    sign_in(context, browsing.base_url, sw)
    browsing.visit(case.get_absolute_url())
    banner = page.get_by_role("region", name="Closure returned").inner_text()
    assert "Record his views first." in banner
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
