"""Data protection in a real browser (axe on every page): an out-of-hours manager opens a record
they are not named on after giving a reason; the data protection officer finds that in the
record's access log, then records a subject access request about the young person, checks the
requester's identity, compiles and reviews the bundle and downloads it as a PDF."""

from datetime import date

import pytest

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Police call at 2am: reported missing, the named workers cannot be reached"


def _switch_user(browsing, context, user):
    context.clear_cookies()
    sign_in(context, browsing.base_url, user)


def test_break_glass_is_in_the_access_log_and_the_officer_answers_a_request(
    world, signed_in, context
):
    tm = world.users["tm"]
    tm.may_break_glass = True  # the out-of-hours manager
    tm.save(update_fields=["may_break_glass"])
    other = world.records["cases.youngperson"]["other"]  # team two's: not tm's to read
    reference = other.subject.reference

    browsing = signed_in(tm)
    page = browsing.page
    browsing.visit(f"/young-people/{other.pk}/", status=404)
    browsing.visit("/emergency-access/")
    browsing.check_a11y()
    assert other.given_name not in page.locator("main").inner_text()
    # No reason: refused, with the reference kept.
    page.get_by_label("The young person's reference").fill(reference)
    with page.expect_navigation():
        page.get_by_role("button", name="Open the record").click()
    browsing.check_a11y()
    assert (
        "Say why you need to open this record now"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert page.get_by_label("The young person's reference").input_value() == reference
    page.get_by_label("Why do you need to open this record now?").fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Open the record").click()
    browsing.check_a11y()
    assert browsing.path() == f"/young-people/{other.pk}/"
    assert "Emergency access" in page.locator("main").inner_text()

    # The officer: the record's access log shows the break-glass and its reason.
    _switch_user(browsing, context, world.records["accounts.user"]["dpo"])
    browsing.visit("/")
    assert browsing.path() == "/data-protection/"
    browsing.check_a11y()
    with page.expect_navigation():
        page.get_by_role("link", name="Who looked, and why").click()
    browsing.check_a11y()
    page.get_by_label("A young person, place or peer group").fill(reference)
    with page.expect_navigation():
        page.get_by_role("button", name="Find").first.click()
    browsing.check_a11y()
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=other.full_name).click()
    browsing.check_a11y()
    log = page.locator("main").inner_text()
    assert "Break-glass" in log and REASON in log and str(tm) in log

    # A subject access request about the same young person.
    browsing.visit("/data-protection/")
    with page.expect_navigation():
        page.get_by_role("link", name="Subject access requests").click()
    browsing.check_a11y()
    with page.expect_navigation():
        page.get_by_role("link", name="Record a new request").click()
    browsing.check_a11y()
    page.get_by_label("The young person it is about").fill(reference)
    page.get_by_label("Requester's name").fill("A. Requester")
    page.locator("input[name=requester_relationship]").first.check()
    page.get_by_label("How to reach them").fill("requester@example.invalid")
    today = date.today()
    page.locator("#id_received_on_day").fill(str(today.day))
    page.locator("#id_received_on_month").fill(str(today.month))
    page.locator("#id_received_on_year").fill(str(today.year))
    with page.expect_navigation():
        page.get_by_role("button", name="Record the request").click()
    browsing.check_a11y()
    request_path = browsing.path()
    with page.expect_navigation():
        page.get_by_role("link", name="Record the identity check").click()
    browsing.check_a11y()
    page.locator("input[name=method]").first.check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    browsing.check_a11y()
    assert browsing.path() == request_path
    with page.expect_navigation():
        page.get_by_role("button", name="Compile the bundle").click()
    browsing.check_a11y()
    if browsing.path() == request_path:
        with page.expect_navigation():
            page.get_by_role("link", name="Review the bundle").click()
        browsing.check_a11y()
    assert reference in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Mark the bundle reviewed").click()
    browsing.check_a11y()
    browsing.visit(request_path)
    browsing.check_a11y()
    pdf = page.get_by_role("link", name="Download the PDF").get_attribute("href")
    answer = page.request.get(browsing.url(pdf))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")
