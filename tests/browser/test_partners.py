"""A partner agency in a real browser: it refers from My work (an error first, then a second
young person added), sees the confirmation, and records progress on an action assigned to it.
Without JavaScript, "Add another young person" and "Remove" send the page back as typed."""

import pytest
from playwright.sync_api import expect

from cases.models import Action, Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Seen with older males at the station late at night, twice this week."


def _fill_referral(page) -> None:
    page.locator("#id_people-0-name").fill("Jaylen Testcase")
    page.locator("#id_people-0-date_of_birth_day").fill("12")
    page.locator("#id_people-0-date_of_birth_month").fill("4")
    page.locator("#id_people-0-date_of_birth_year").fill("2010")
    page.locator("input[name=harm_categories]").first.check()
    page.get_by_label("Urgent (same day)").check()
    page.get_by_label("Email address").fill("sam.reid@police.example")
    page.get_by_label("Not sought (would increase risk or not appropriate)").check()
    page.get_by_label("Public task (UK GDPR 6(1)(e))").check()
    page.get_by_label("Why is the information shared without consent?").fill(
        "Asking would increase the risk to the young person."
    )


def test_a_partner_refers_in_the_browser_and_updates_an_action(world, signed_in):
    partner = world.users["partner"]
    action = world.records["cases.action"]["agency"]
    browsing = signed_in(partner)
    page = browsing.page
    browsing.visit("/")
    browsing.check_a11y()
    assert action.description in page.locator("main").inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="Make a referral").click()
    browsing.check_a11y()
    _fill_referral(page)
    # A second young person, added in the page.
    page.get_by_role("button", name="Add another young person").click()
    expect(page.locator("#id_people-1-name")).to_be_focused()
    page.locator("#id_people-1-name").fill("Remy Secondcase")
    # Sent without saying what happened: the service's message, at the field, all kept.
    with page.expect_navigation():
        page.get_by_role("button", name="Send referral").click()
    browsing.check_a11y()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert "Say what happened and why you are worried." in summary.inner_text()
    expect(page.locator("#id_people-1-name")).to_have_value("Remy Secondcase")
    expect(page.locator("#id_referrer_email")).to_have_value("sam.reid@police.example")
    assert not Referral.objects.filter(referred_by=partner, referrer_email__contains="sam").exists()
    summary.get_by_role("link", name="Say what happened and why you are worried.").click()
    expect(page.get_by_label("What happened, and why are you worried?")).to_be_focused()
    page.get_by_label("What happened, and why are you worried?").fill(NARRATIVE)
    with page.expect_navigation():
        page.get_by_role("button", name="Send referral").click()
    browsing.check_a11y()

    referral = Referral.objects.get(narrative=NARRATIVE)
    panel = page.locator(".govuk-panel--confirmation")
    assert "Referral sent" in panel.inner_text() and referral.reference in panel.inner_text()
    assert sorted(referral.about.values_list("described_name", flat=True)) == [
        "Jaylen Testcase",
        "Remy Secondcase",
    ]
    # Back (a reload of the sent form would show the same referral, not make a second).
    with page.expect_navigation():
        page.get_by_role("link", name="My work").first.click()
    browsing.check_a11y()
    assert referral.reference in page.locator("main").inner_text()

    row = page.locator("tr", has_text=action.description).first  # its actions, then its plan work
    with page.expect_navigation():
        row.get_by_role("link", name="Update").click()
    browsing.check_a11y()
    page.get_by_label("In progress").check()
    page.get_by_label("Update note").fill("CCTV requested from the station operator.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    browsing.check_a11y()
    banner = page.locator(".govuk-notification-banner--success")
    assert "updated: In progress" in banner.inner_text()
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert action.progress_note == "CCTV requested from the station operator."
    assert "CCTV requested" in page.locator("tr", has_text=action.description).first.inner_text()


@pytest.mark.no_javascript
def test_without_javascript_rows_are_added_and_removed_as_typed(world, signed_in):
    browsing = signed_in(world.users["partner"])
    page = browsing.page
    browsing.visit("/referrals/new/")
    browsing.check_a11y()
    page.locator("#id_people-0-name").fill("Jaylen Testcase")
    page.get_by_label("What happened, and why are you worried?").fill(NARRATIVE)
    with page.expect_navigation():
        page.get_by_role("button", name="Add another young person").click()
    browsing.check_a11y()
    assert page.locator(".govuk-error-summary").count() == 0
    expect(page.locator("#id_people-0-name")).to_have_value("Jaylen Testcase")
    expect(page.get_by_label("What happened, and why are you worried?")).to_have_value(NARRATIVE)
    page.locator("#id_people-1-name").fill("Remy Secondcase")
    with page.expect_navigation():
        page.get_by_role("button", name="Remove young person 1").click()
    browsing.check_a11y()
    expect(page.locator("#id_people-0-name")).to_have_value("Remy Secondcase")
    assert page.locator("#id_people-1-name").count() == 0
    assert not Referral.objects.filter(narrative=NARRATIVE).exists()
