"""Browser tests: real Chromium through Playwright, with axe-core on every page visited.

* The browser is Debian's Chromium (/usr/bin/chromium, or $CHROMIUM), launched once per session;
  each test gets a new context (cookies, storage) and page. `playwright install` is never needed.
* The app is pytest-django's ``live_server`` (static files through the staticfiles finders, so
  `make assets` must have built static/build/app.css). Tests using it are transactional: the
  database is emptied after each, and ``migration_data`` puts back what data migrations made.
  (``serialized_rollback`` cannot do that here: while Playwright's event loop runs in the test's
  thread, Django's connections live in asgiref's context-local storage, not in the thread-local
  connection that holds the serialized copy, so only the first test would get it back.)
* axe-core is the version the front end pins (node_modules/axe-core, package.json), run through
  axe-playwright-python. Every HTML page a test loads must be checked: ``Browsing.check_a11y``
  fails on violations of impact "serious" or "critical", and a page loaded but never checked
  fails the test at teardown. Lesser violations are listed in the terminal summary. One known
  exception is configured (``AXE_OPTIONS``): GOV.UK Frontend's ``aria-expanded`` on radios.
* Uncaught JavaScript errors and failed requests for assets (4xx/5xx) fail the test too.
* So does any Content-Security-Policy violation (``CspWatch``): every page is served with the
  strict policy of settings.CONTENT_SECURITY_POLICY, and an inline script or style, or anything
  from elsewhere, that the browser refused is a fault in our templates or static files. The
  report names the directive and what was blocked.
* A test marked ``no_javascript`` browses with JavaScript switched off (what the pages must do
  without it). axe-core cannot run in such a page, so each check runs on a copy of the page as
  it is, without its scripts, in a page beside it where scripts may run.
"""

import importlib
import os
import re
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
APP_CSS = ROOT / "static" / "build" / "app.css"
BLOCKING_IMPACTS = {"serious", "critical"}
#: axe-core's options. One known exception, as narrow as axe allows: ``aria-expanded`` on a
#: radio. GOV.UK Frontend's radios JavaScript sets it on every radio that reveals a question
#: (its markup carries only ``data-aria-controls``: templates/govuk/forms/radios.html), on
#: purpose: ARIA 1.2 does not list it for radios, but screen readers announce it and its
#: research found it helps (alphagov/govuk-frontend#979, #2823 declined to remove it; w3c/aria
#: #1404). Every other attribute not allowed on a radio, and aria-expanded on any other role,
#: still fails (tests/browser/test_conditional_radios.py checks both).
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "checks": {"aria-allowed-attr": {"options": {"radio": ["aria-expanded"]}}},
}
TIMEOUT_MS = 10_000

# Violations below "serious", by (rule, impact, help): the pages they were seen on and the
# elements. Reported at the end of the run, not failing.
_minor_violations: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(
    lambda: {"paths": set(), "targets": set()}
)


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering
def pytest_collection_modifyitems(items):
    """Browser tests run last, so that the browser (one for the session) opens only when they
    start, and nothing else runs beside Playwright's event loop (see ``browser``)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _chromium_path() -> str:
    found = shutil.which(CHROMIUM)
    if not found:
        pytest.fail(
            f"Chromium not found at {CHROMIUM!r}: the browser tests need it. Install Debian's "
            "package (apt-get install chromium; .ci/run does this) or set $CHROMIUM. "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    return found


@pytest.fixture(autouse=True)
def migration_data(request):
    """The rows the data migrations create (the harm categories), made again for each test."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    migration = importlib.import_module("cases.migrations.0003_harm_categories")
    migration.add_categories(django_apps, None)


@pytest.fixture(scope="session")
def axe() -> Axe:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `make assets` (npm ci).", pytrace=False)
    return Axe.from_file(AXE_JS)


@pytest.fixture(scope="session")
def browser() -> Browser:
    executable = _chromium_path()
    if not APP_CSS.is_file():
        pytest.fail(f"{APP_CSS} is missing: run `make assets`.", pytrace=False)
    # Playwright's sync API keeps an event loop running in this thread, and Django's ORM refuses
    # to run beside one. The ORM calls made meanwhile are the tests' own, in this one thread
    # (the live server has its own thread), so that is safe. Only while the browser is open,
    # and the browser tests run last (pytest_collection_modifyitems above): no other test
    # runs with the check off, or beside the loop.
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if unsafe is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe


def _javascript(request) -> bool:
    return request.node.get_closest_marker("no_javascript") is None


def _new_context(browser, base_url: str, *, javascript: bool = True) -> BrowserContext:
    ctx = browser.new_context(
        base_url=base_url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
        java_script_enabled=javascript,
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


@pytest.fixture
def context(request, browser, live_server) -> BrowserContext:
    ctx = _new_context(browser, live_server.url, javascript=_javascript(request))
    yield ctx
    ctx.close()


# Runs in every document before its own scripts (Playwright's init scripts are not subject to
# the page's policy) and reports each violation to Python through the exposed binding.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation({
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    document: event.documentURI,
  });
});
"""
# Chromium's own console message for a violation: reported even where no script runs.
CSP_CONSOLE = re.compile(r"violates the following Content Security Policy directive")


@dataclass
class CspWatch:
    """The Content-Security-Policy violations a page reported.

    ``watch(page)`` listens in two ways: a ``securitypolicyviolation`` listener in every
    document (directive, blocked URI, where), and Chromium's console message for each violation,
    which also comes from pages browsed with JavaScript off. ``check()`` fails the test if any
    was seen, listing them.
    """

    events: list[dict] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    @classmethod
    def watch(cls, page: Page) -> "CspWatch":
        watch = cls()
        page.expose_binding(
            "__reportCspViolation", lambda source, violation: watch.events.append(violation)
        )
        page.add_init_script(CSP_LISTENER)
        page.on("console", watch.on_console)
        return watch

    def on_console(self, message) -> None:
        if CSP_CONSOLE.search(message.text):
            self.console.append(f"{message.text} ({message.location.get('url', '')})")

    @property
    def violations(self) -> list[str]:
        found = [
            f"{v['directive']} blocked {v['blocked'] or '(nothing named)'} on {v['document']}"
            f" (from {v['source'] or 'the page'}:{v['line']}"
            + (f", sample {v['sample']!r}" if v.get("sample") else "")
            + ")"
            for v in self.events
        ]
        return found + [f"console: {text}" for text in self.console]

    def check(self) -> None:
        if self.violations:
            pytest.fail(
                "Content-Security-Policy violations:\n" + "\n".join(self.violations),
                pytrace=False,
            )


@dataclass
class Document:
    """An HTML page the browser loaded in the main frame."""

    method: str
    url: str
    status: int
    checked: bool = False


@dataclass
class Browsing:
    """A page, what it loaded, and the checks every test does on it."""

    page: Page
    base_url: str
    axe: Axe
    documents: list[Document] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # main-frame documents
    errors: list[str] = field(default_factory=list)
    axe_seconds: float = 0.0  # time spent in axe-core, to leave out of the journeys' timings
    #: For pages without JavaScript: where axe-core checks a copy of them (see the docstring).
    a11y_page: Page | None = None
    #: The Content-Security-Policy violations the page reported (checked at teardown).
    csp: CspWatch = field(default_factory=CspWatch)

    def url(self, path: str) -> str:
        return self.base_url + path

    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def visit(self, path: str, *, status: int = 200):
        response = self.page.goto(path)
        assert response is not None
        assert response.status == status, f"GET {path}: {response.status}, expected {status}"
        self.check_a11y()
        return response

    def check_a11y(self) -> None:
        """Run axe-core on the page as it is now; fail on serious or critical violations."""
        started = time.perf_counter()
        self.page.wait_for_load_state("load")
        results = self.axe.run(self._a11y_target(), options=AXE_OPTIONS)
        self.axe_seconds += time.perf_counter() - started
        where = f"{self.path()} ({self.page.title()!r})"
        blocking = []
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING_IMPACTS:
                blocking.append(violation)
            else:
                seen = _minor_violations[(violation["id"], violation["impact"], violation["help"])]
                seen["paths"].add(urlsplit(self.page.url).path)
                seen["targets"].update(", ".join(map(str, n["target"])) for n in violation["nodes"])
        if self.documents:
            self.documents[-1].checked = True  # the page on screen: the last one loaded
        if blocking:
            lines = [f"axe-core: {len(blocking)} serious or critical violation(s) on {where}:"]
            for violation in blocking:
                lines.append(
                    f"\n[{violation['impact']}] {violation['id']}: {violation['help']}"
                    f"\n  {violation['helpUrl']}"
                )
                for node in violation["nodes"]:
                    lines.append(f"  - {', '.join(map(str, node['target']))}")
                    lines.append(f"    {node['html'][:300]}")
                    lines.append(f"    {node.get('failureSummary', '').replace(chr(10), ' ')}")
            pytest.fail("\n".join(lines), pytrace=False)

    def _a11y_target(self) -> Page:
        if self.a11y_page is None:
            return self.page
        # The page without scripts, as the browser has it, its stylesheet from the server.
        html = re.sub(r"<script\b.*?</script>", "", self.page.content(), flags=re.S | re.I)
        html = html.replace("<head>", f'<head><base href="{self.base_url}/">', 1)
        self.a11y_page.set_content(html, wait_until="load")
        return self.a11y_page

    def choose(self, input_id: str, typed: str, option: str, shown: str | None = None) -> None:
        """Pick from a type-ahead: type part of a name, click the option that has the text
        ``option``; the box then shows ``shown`` (by default, the option's text)."""
        box = self.page.locator(f"input.autocomplete__input#{input_id}")
        box.click()
        box.press_sequentially(typed)
        self.page.locator(f"#{input_id}__listbox li", has_text=option).click()
        expect(box).to_have_value(shown or option)

    def focused(self) -> dict:
        """What has the keyboard focus: tag, id, name, classes and text."""
        return self.page.evaluate(
            """() => {
                const el = document.activeElement;
                return el ? {
                    tag: el.tagName.toLowerCase(), id: el.id || "", name: el.name || "",
                    type: el.type || "", className: String(el.className || ""),
                    text: (el.innerText || el.value || "").trim(),
                } : {};
            }"""
        )

    def tab_to(self, predicate, *, limit: int = 80, key: str = "Tab") -> dict:
        """Press Tab until the focused element matches; fail if it takes more than `limit`."""
        for _ in range(limit):
            self.page.keyboard.press(key)
            now = self.focused()
            if predicate(now):
                return now
        pytest.fail(f"{key} never reached the element wanted (last focus: {self.focused()})")


def sign_in(context: BrowserContext, base_url: str, user) -> None:
    """Sign a user in without the sign-in page: a session cookie made by Django's test client.
    The session has passed its second factor (tests/conftest.py makes every force_login do so).
    (The sign-in pages themselves are exercised by tests/browser/test_sign_in.py.)"""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def browsing(request, browser, context, live_server, axe, tmp_path) -> Browsing:
    page = context.new_page()
    state = Browsing(page=page, base_url=live_server.url, axe=axe)
    checker = None
    if not _javascript(request):
        checker = _new_context(browser, live_server.url)
        state.a11y_page = checker.new_page()

    def on_request(request):
        if request.is_navigation_request() and request.frame == page.main_frame:
            state.requests.append((request.method, request.url))

    def on_response(response):
        request = response.request
        if request.is_navigation_request() and request.frame == page.main_frame:
            if not 300 <= response.status < 400:
                state.documents.append(Document(request.method, response.url, response.status))
        elif response.status >= 400:
            state.errors.append(f"{response.status} for {request.method} {response.url}")

    def on_console(message):
        # "Failed to load resource" is the browser's echo of a failed response: seen above.
        # A CSP violation's message is the CspWatch's to report.
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        if not CSP_CONSOLE.search(message.text):
            state.errors.append(f"console.error: {message.text}")

    state.csp = CspWatch.watch(page)
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: state.errors.append(f"JavaScript error: {error}"))
    yield state
    if getattr(request.node, "browser_test_failed", False) and not page.is_closed():
        # What the browser showed when the test failed (the path is in the captured output).
        page.screenshot(path=tmp_path / "failure.png", full_page=True)
        (tmp_path / "failure.html").write_text(page.content())
        print(f"Browser at {page.url} when the test failed: {tmp_path}/failure.png, .html")
    if checker is not None:
        checker.close()
    unchecked = [f"{d.method} {d.url} ({d.status})" for d in state.documents if not d.checked]
    assert not unchecked, f"Pages loaded without an axe-core check: {unchecked}"
    state.csp.check()  # first: a refused script is often why the errors below happened
    assert not state.errors, "Errors in the browser:\n" + "\n".join(state.errors)


@pytest.fixture
def signed_in(browsing, context, live_server):
    """sign_in(user): give the browsing context that user's session."""

    def _sign_in(user) -> Browsing:
        sign_in(context, live_server.url, user)
        return browsing

    return _sign_in


def pytest_terminal_summary(terminalreporter):
    if not _minor_violations:
        return
    terminalreporter.section("axe-core: moderate and minor violations (not failing)")
    for (rule, impact, help_text), seen in sorted(_minor_violations.items()):
        terminalreporter.write_line(f"[{impact}] {rule}: {help_text}")
        terminalreporter.write_line(f"    on: {' '.join(sorted(seen['paths']))}")
        terminalreporter.write_line(f"    elements: {' | '.join(sorted(seen['targets']))}")
