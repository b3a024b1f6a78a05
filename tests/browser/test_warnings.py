"""Warning notes in a real browser: a worker proposes one, the team's manager authorises it
from their list, and the banner shows at the top of the young person's page (axe on every
page)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ..conftest import make_user
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMARY = "Older brother has threatened workers at the door: visit in pairs."


def _switch_user(browsing, context, user):
    context.clear_cookies()
    sign_in(context, browsing.base_url, user)


def test_a_worker_proposes_a_manager_authorises_and_the_banner_shows(world, signed_in, context):
    sw = world.users["sw"]
    la, t2 = world.records["accounts.organisation"]["la"], world.records["accounts.team"]["t2"]
    own = world.records["cases.youngperson"]["own"]
    tm = world.users["tm"]  # team one's manager, who did not propose it

    browsing = signed_in(sw)
    page = browsing.page
    browsing.visit(f"/young-people/{own.pk}/")
    assert page.locator("#warning-notes-banner-title").count() == 0
    with page.expect_navigation():
        page.get_by_role("link", name="Propose a warning note").click()
    browsing.check_a11y()
    # Nothing chosen: the errors at their fields, what was typed kept.
    page.get_by_label("Summary").fill(SUMMARY)
    with page.expect_navigation():
        page.get_by_role("button", name="Propose warning note").click()
    browsing.check_a11y()
    summary = page.locator(".govuk-error-summary")
    assert "Choose the kind of warning" in summary.inner_text()
    assert "Enter the review date" in summary.inner_text()
    assert page.get_by_label("Summary").input_value() == SUMMARY

    page.get_by_label("Risk to staff: do not visit alone").check()
    review = timezone.localdate() + timedelta(days=60)
    page.locator("#id_review_on_day").fill(str(review.day))
    page.locator("#id_review_on_month").fill(str(review.month))
    page.locator("#id_review_on_year").fill(str(review.year))
    page.get_by_label("No: telling them would put someone at risk").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Propose warning note").click()
    browsing.check_a11y()
    assert (
        "a team manager must authorise it"
        in page.locator(".govuk-notification-banner--success").inner_text()
    )
    assert page.locator("#warning-notes-banner-title").count() == 0  # not yet in force
    assert "Waiting for authorisation" in page.locator("main").inner_text()

    _switch_user(browsing, context, tm)
    browsing.visit("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Warning notes").click()
    browsing.check_a11y()
    row = page.locator("#waiting ~ table tr", has_text=SUMMARY)
    with page.expect_navigation():
        row.get_by_role("link", name="Authorise or decline").click()
    browsing.check_a11y()
    page.get_by_label("Authorise it").check()
    assert page.locator("#id_review_on_day").input_value() == str(review.day)
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    browsing.check_a11y()
    banner = page.locator(
        ".govuk-notification-banner", has=page.locator("#warning-notes-banner-title")
    )
    assert SUMMARY in banner.inner_text()
    assert "Risk to staff: do not visit alone" in banner.inner_text()

    # The manager reviews it from the page (the review and end page, with axe), and keeps it.
    with page.expect_navigation():
        page.get_by_role("link", name="Review or end").click()
    browsing.check_a11y()
    page.get_by_label("Yes: keep it and set the next review date").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save review").click()
    browsing.check_a11y()  # the errors: the next review date and why it still applies
    assert "Enter the next review date" in page.locator(".govuk-error-summary").inner_text()
    later = review + timedelta(days=30)
    page.locator("#id_review_on_day").fill(str(later.day))
    page.locator("#id_review_on_month").fill(str(later.month))
    page.locator("#id_review_on_year").fill(str(later.year))
    page.get_by_label("Why does it still apply?").fill("Brother still lives at the address.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save review").click()
    assert "Warning note kept" in page.locator(".govuk-notification-banner--success").inner_text()
    browsing.check_a11y()

    # The worker sees it at the top of the page too; a manager of another team cannot open it.
    _switch_user(browsing, context, sw)
    browsing.visit(f"/young-people/{own.pk}/")
    assert SUMMARY in page.locator(".govuk-notification-banner").first.inner_text()
    browsing.check_a11y()
    _switch_user(browsing, context, make_user("tm_two", "team_manager", la, t2))
    browsing.visit(f"/young-people/{own.pk}/", status=404)


@pytest.mark.no_javascript
def test_without_javascript_a_manager_declines_a_proposal(world, signed_in):
    """Without JavaScript every revealed question shows (the review date and the reason); a
    decline needs only the reason, and the proposal shows no banner."""
    from cases import services
    from cases.models import WarningNote

    own = world.records["cases.youngperson"]["own"]
    warning = services.warning_propose(
        subject=own.subject,
        category=WarningNote.Category.ANIMALS,
        summary="Dogs loose in the garden.",
        review_on=timezone.localdate() + timedelta(days=30),
        told=WarningNote.Told.YES,
        proposed_by=world.users["sw"],
    )
    browsing = signed_in(world.users["tm"])
    page = browsing.page
    browsing.visit(f"/warnings/{warning.pk}/decide/")
    assert page.locator("#id_review_on_day").is_visible()
    assert page.get_by_label("Why is it declined?").is_visible()
    page.get_by_label("Decline it").check()
    page.get_by_label("Why is it declined?").fill("The dogs were rehomed last week.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    browsing.check_a11y()
    assert browsing.path() == own.get_absolute_url()
    assert page.locator("#warning-notes-banner-title").count() == 0
    assert (
        "The dogs were rehomed last week."
        in page.get_by_role("table", name="Warning notes on").inner_text()
    )
    warning.refresh_from_db()
    assert warning.status == WarningNote.Status.DECLINED
