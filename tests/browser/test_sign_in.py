"""Signing in, in a real browser: with the mouse, and with the keyboard alone."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_sign_in_lands_on_my_work(world, browsing):
    page = browsing.page
    browsing.visit("/")  # redirected to the sign-in page
    assert browsing.path() == "/accounts/login/?next=/"
    assert page.title().startswith("Sign in")

    # A wrong password first: the error is said, and the page is checked with it.
    page.get_by_label("Username").fill("sw")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    browsing.check_a11y()
    assert page.title().startswith("Error: Sign in")
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.get_by_label("Username").input_value() == "sw"

    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    browsing.check_a11y()
    assert browsing.path() == "/"
    assert page.get_by_role("heading", level=1).inner_text() == "My work"
    assert page.get_by_role("link", name="My work").get_attribute("aria-current") == "page"
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_sign_in_with_the_keyboard_alone(world, browsing):
    page, keyboard = browsing.page, browsing.page.keyboard
    browsing.visit("/accounts/login/")

    keyboard.press("Tab")
    assert browsing.focused()["text"] == "Skip to main content"
    keyboard.press("Enter")  # the skip link moves focus to <main>
    assert browsing.focused()["id"] == "main-content"
    keyboard.press("Tab")
    assert browsing.focused()["id"] == "id_username"
    keyboard.type("sw")
    keyboard.press("Tab")
    assert browsing.focused()["id"] == "id_password"
    keyboard.type(PASSWORD)
    with page.expect_navigation():
        keyboard.press("Enter")
    browsing.check_a11y()
    assert browsing.path() == "/"
    assert page.get_by_role("heading", level=1).inner_text() == "My work"


def test_the_accessibility_check_fails_on_a_serious_violation(browsing):
    """The check on every page is real: a text box with no label (axe-core's "label" rule,
    critical) put on the sign-in page fails it, and says where."""
    browsing.visit("/accounts/login/")
    browsing.page.evaluate(
        """() => {
            const box = document.createElement("input");
            box.type = "text";
            box.id = "unlabelled";
            document.querySelector("main").append(box);
        }"""
    )
    with pytest.raises(pytest.fail.Exception, match=r"(?s)\[critical\] label:.*#unlabelled"):
        browsing.check_a11y()
