"""Signing in, in a real browser: password then the code from an authenticator app (set up on
the first sign-in), with the mouse, and with the keyboard alone."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from tests.conftest import PASSWORD, confirmed_authenticator

CODE_LABEL = "Code from your authenticator app"


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, drift=0):06d}"


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows for the secret typed from the set-up page."""
    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{totp(b32decode(key)):06d}"


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_sign_in_lands_on_my_work(world, browsing):
    page = browsing.page
    device = confirmed_authenticator(world.users["sw"])
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
    # Then the second step: the code from the app. No menu until it is passed.
    browsing.check_a11y()
    assert browsing.path() == "/accounts/second-factor/code/?next=%2F"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Enter the code from your authenticator app"
    )
    assert page.get_by_role("link", name="My work").count() == 0

    wrong = "000001" if code_for(device) == "000000" else "000000"
    page.get_by_label(CODE_LABEL).fill(wrong)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    browsing.check_a11y()
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    assert "The code is not right" in page.locator("#id_code_error").inner_text()

    page.wait_for_timeout(1100)  # django-otp's wait after one wrong code: 1 second
    page.get_by_label(CODE_LABEL).fill(code_for(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    browsing.check_a11y()
    assert browsing.path() == "/"
    assert page.get_by_role("heading", level=1).inner_text() == "My work"
    assert page.get_by_role("link", name="My work").get_attribute("aria-current") == "page"
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_first_sign_in_sets_up_the_authenticator_app(world, browsing):
    page = browsing.page
    browsing.visit("/accounts/login/")
    page.get_by_label("Username").fill("sw3")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    browsing.check_a11y()
    assert browsing.path().startswith("/accounts/second-factor/set-up/")
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()

    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text()
    browsing.check_a11y()  # with the key shown
    page.get_by_label(CODE_LABEL).fill(code_from_secret(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    browsing.check_a11y()
    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    assert page.locator("#recovery-codes li").count() == 10

    with page.expect_navigation():
        page.get_by_role("button", name="I have saved my recovery codes: continue").click()
    browsing.check_a11y()
    assert browsing.path() == "/"
    assert page.get_by_role("heading", level=1).inner_text() == "My work"


def test_sign_in_with_the_keyboard_alone(world, browsing):
    page, keyboard = browsing.page, browsing.page.keyboard
    device = confirmed_authenticator(world.users["sw"])
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
    assert browsing.path().startswith("/accounts/second-factor/code/")

    browsing.tab_to(lambda focused: focused["id"] == "id_code", limit=10)
    keyboard.type(code_for(device))
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
