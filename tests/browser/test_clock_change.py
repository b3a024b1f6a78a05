"""Local times at the clock change in a real browser (issue 13): Log a concern refuses 01:30
on 29 March 2026 (it never happened in London) at the time, and asks which 01:30 on 25 October
2026 (it happened twice) with radios shown only then; axe on every page."""

from datetime import UTC, datetime

import pytest

from cases.models import Concern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Seen at the night bus stop on Quarry Lane with two older males."


def _fill(page, day: str, month: str, year: str, at: str):
    page.get_by_label("What happened?").fill(NARRATIVE)
    page.locator("#id_occurred_on_day").fill(day)
    page.locator("#id_occurred_on_month").fill(month)
    page.locator("#id_occurred_on_year").fill(year)
    page.get_by_label("Time (optional)").fill(at)
    page.get_by_text("Not on the list? Add a new place").click()
    page.get_by_label("Or add a new place: name").fill("Quarry Lane night bus stop")
    page.get_by_label("Kind of place").select_option(label="Station or transport hub")
    page.get_by_label("Child criminal exploitation, including county lines").check()
    page.get_by_label("Where did the information come from?").select_option(label="Police")
    page.get_by_label("Reliable source, not verified").check()


def test_the_spring_gap_is_refused_and_the_autumn_repeat_asked_about(world, signed_in):
    browsing = signed_in(world.users["sw"])
    page = browsing.page

    browsing.visit("/concerns/new/")
    assert page.get_by_text("Which one?").count() == 0
    _fill(page, "29", "3", "2026", "01:30")
    with page.expect_navigation():
        page.get_by_role("button", name="Log concern").click()
    browsing.check_a11y()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "01:30 on 29 March 2026 did not happen in the UK" in summary
    assert page.get_by_label("Time (optional)").input_value() == "01:30"  # kept
    assert not Concern.objects.filter(narrative=NARRATIVE).exists()

    page.locator("#id_occurred_on_day").fill("25")
    page.locator("#id_occurred_on_month").fill("10")
    with page.expect_navigation():
        page.get_by_role("button", name="Log concern").click()
    browsing.check_a11y()
    assert "happened twice in the UK" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("The second time, in Greenwich Mean Time (GMT)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Log concern").click()
    browsing.check_a11y()
    concern = Concern.objects.get(narrative=NARRATIVE)
    assert concern.occurred_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
