"""Radios that reveal a question (templates/govuk/forms/radios.html), on the "Add an action"
page: GOV.UK Frontend 6's markup, no serious or critical axe-core violation, each option
revealing its own question with JavaScript, every question shown and the page working
without it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Action
from tests.browser.conftest import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER, ORGANISATION = "#id_owner_kind_0", "#id_owner_kind_1"
REVEALS = {WORKER: "#conditional-id_owner_kind_0", ORGANISATION: "#conditional-id_owner_kind_1"}
DESCRIPTION = "Walk her to the bus stop after clubs on Thursdays."


def _action_page(world) -> tuple[str, object]:
    young_person = world.records["cases.youngperson"]["own"]
    return f"/subjects/{young_person.reference}/actions/new/", young_person


def _fill_in_what_and_when(page) -> None:
    due = timezone.localdate() + timedelta(days=14)
    page.locator("#id_description").fill(DESCRIPTION)
    page.locator("#id_due_on_day").fill(str(due.day))
    page.locator("#id_due_on_month").fill(str(due.month))
    page.locator("#id_due_on_year").fill(str(due.year))


def _added(world, young_person) -> Action:
    return Action.objects.get(
        subject=young_person.subject, created_by=world.users["sw"], description=DESCRIPTION
    )


def test_each_option_reveals_its_question(world, signed_in):
    path, young_person = _action_page(world)
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit(path)  # axe-core: nothing serious or critical

    # GOV.UK Frontend took data-aria-controls over; nothing chosen, nothing revealed.
    for option, block in REVEALS.items():
        radio = page.locator(option)
        expect(radio).to_have_attribute("aria-controls", block.removeprefix("#"))
        expect(radio).not_to_have_attribute("data-aria-controls", block.removeprefix("#"))
        expect(radio).to_have_attribute("aria-expanded", "false")
        expect(page.locator(block)).to_be_hidden()

    for chosen, other in ((WORKER, ORGANISATION), (ORGANISATION, WORKER), (WORKER, ORGANISATION)):
        page.locator(chosen).check()
        expect(page.locator(REVEALS[chosen])).to_be_visible()
        expect(page.locator(REVEALS[other])).to_be_hidden()
        expect(page.locator(chosen)).to_have_attribute("aria-expanded", "true")
        expect(page.locator(other)).to_have_attribute("aria-expanded", "false")
        browsing.check_a11y()
    # The worker's question is the type-ahead; the organisation's a select.
    expect(
        page.locator(f"{REVEALS[WORKER]} input.autocomplete__input#id_owner_user")
    ).to_be_visible()
    expect(page.locator(f"{REVEALS[ORGANISATION]} #id_owner_organisation")).to_be_hidden()

    page.locator(ORGANISATION).check()
    _fill_in_what_and_when(page)
    page.locator("#id_owner_organisation").select_option(label="Test Police")
    with page.expect_navigation():
        page.get_by_role("button", name="Add action").click()
    browsing.check_a11y()
    assert browsing.path() == young_person.get_absolute_url()
    assert _added(world, young_person).owner_organisation.name == "Test Police"


def test_an_error_shows_the_chosen_options_question_again(world, signed_in):
    path, _ = _action_page(world)
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit(path)
    page.locator(ORGANISATION).check()
    _fill_in_what_and_when(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Add action").click()  # no organisation chosen
    browsing.check_a11y()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the organisation that will do it"
    )
    expect(page.locator(ORGANISATION)).to_be_checked()
    expect(page.locator(REVEALS[ORGANISATION])).to_be_visible()
    expect(page.locator(REVEALS[WORKER])).to_be_hidden()
    # The error summary's link goes to the revealed select.
    page.locator(".govuk-error-summary a", has_text="Choose the organisation").click()
    assert browsing.focused()["id"] == "id_owner_organisation"


def test_the_one_axe_exception_is_aria_expanded_on_radios(world, signed_in):
    """What GOV.UK Frontend sets is allowed; anything else not allowed still fails."""
    path, _ = _action_page(world)
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit(path)
    page.locator(WORKER).check()
    page.evaluate(
        """() => {
            document.querySelector("#id_owner_kind_1").setAttribute("aria-selected", "true");
            document.querySelector("#id_description").setAttribute("aria-expanded", "false");
        }"""
    )
    found = browsing.axe.run(page, options=AXE_OPTIONS).response["violations"]
    flagged = {
        (violation["id"], target)
        for violation in found
        for node in violation["nodes"]
        for target in node["target"]
    }
    assert ("aria-allowed-attr", "#id_owner_kind_1") in flagged
    assert ("aria-allowed-attr", "#id_description") in flagged
    assert ("aria-allowed-attr", "#id_owner_kind_0") not in flagged  # aria-expanded="true"


@pytest.mark.no_javascript
def test_without_javascript_every_question_shows_and_the_page_works(world, signed_in):
    path, young_person = _action_page(world)
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit(path)
    for option, block in REVEALS.items():
        expect(page.locator(block)).to_be_visible()
        expect(page.locator(option)).to_have_attribute("data-aria-controls", block[1:])
        expect(page.locator(option)).not_to_have_attribute("aria-expanded", "false")
    # The worker's question is the picker's search box and Find button.
    expect(page.locator(f"{REVEALS[WORKER]} #id_owner_user_find")).to_be_visible()

    page.locator(ORGANISATION).check()
    _fill_in_what_and_when(page)
    page.locator("#id_owner_organisation").select_option(label="Test Academy")
    with page.expect_navigation():
        page.get_by_role("button", name="Add action").click()
    browsing.check_a11y()
    assert browsing.path() == young_person.get_absolute_url()
    assert _added(world, young_person).owner_organisation.name == "Test Academy"
