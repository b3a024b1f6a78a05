"""The Content-Security-Policy check that every browser test makes (tests/browser/conftest.py,
``CspWatch``) is real: a page served through the site's middleware with an inline script and an
inline style fails it, naming the directives, with JavaScript on and off."""

import pytest
from django.urls import reverse

from tests.browser.conftest import CspWatch, _new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def policy_breaker(settings):
    settings.ROOT_URLCONF = "tests.browser.csp_urls"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_page_with_inline_script_and_style_fails_the_check(
    policy_breaker, browser, live_server, javascript
):
    context = _new_context(browser, live_server.url, javascript=javascript)
    try:
        page = context.new_page()
        watch = CspWatch.watch(page)
        response = page.goto("/csp-test/")
        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert page.title() == "Breaks the policy"  # the inline script did not run
        with pytest.raises(pytest.fail.Exception) as failure:
            watch.check()
    finally:
        context.close()
    message = str(failure.value)
    assert message.startswith("Content-Security-Policy violations:")
    # Chromium's own message, whether or not scripts run (with them off, the inline script is
    # not run at all, so only the style is refused).
    assert "Content Security Policy directive 'style-src 'self''" in message, message
    if javascript:  # the listener's reports: the directive and what it blocked
        assert "script-src-elem blocked inline" in message, message
        assert "style-src-attr blocked inline" in message, message


def test_a_page_of_the_site_passes_the_check(browsing):
    """The same check on a real page finds nothing (and the fixture checks again at the end)."""
    browsing.visit("/accounts/login/")
    browsing.csp.check()
    assert browsing.csp.events == [] and browsing.csp.console == []


def test_the_api_documentation_draws_under_the_policy(browser, live_server):
    """Swagger UI (a third-party page, not checked by axe-core here) draws the API's schema
    with nothing refused: its start-up script and its styles are files."""
    context = _new_context(browser, live_server.url)
    try:
        page = context.new_page()
        watch = CspWatch.watch(page)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto("/api/v1/docs/")
        assert response.status == 200
        page.locator(".opblock-tag").first.wait_for(state="visible")
        page.wait_for_load_state("networkidle")
        assert "Referral" in page.content()
        watch.check()
        assert not errors, errors
    finally:
        context.close()


ADMIN_PAGES = [
    lambda w: reverse("admin:index"),
    lambda w: reverse("admin:accounts_user_changelist"),
    lambda w: reverse("admin:accounts_user_change", args=[w.users["sw"].pk]),
    lambda w: reverse("admin:contexts_context_add"),
    lambda w: reverse(
        "admin:contexts_context_change", args=[w.records["contexts.context"]["team"].pk]
    ),
]


def test_the_admin_site_works_under_the_policy(world, browser, live_server):
    """Django's admin (its own templates and scripts, not checked by axe-core here): nothing is
    refused on its list, add and change pages (inlines, related-object widgets)."""
    context = _new_context(browser, live_server.url)
    try:
        sign_in(context, live_server.url, world.users["admin"])
        page = context.new_page()
        watch = CspWatch.watch(page)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for url in ADMIN_PAGES:
            response = page.goto(url(world))
            assert response.status == 200, url(world)
            page.wait_for_load_state("load")
        # The inline's "Add another" row is made by the admin's script.
        add_another = page.locator(".add-row a").first
        if add_another.count():
            add_another.click()
        watch.check()
        assert not errors, errors
    finally:
        context.close()
