"""Security headers on every kind of response: a strict Content-Security-Policy (no inline script
or style), Permissions-Policy, and ``Cache-Control: no-store`` on every page a signed-in user
sees and every API response (safeguarding/headers.py,
settings.CONTENT_SECURITY_POLICY and PERMISSIONS_POLICY)."""

import copy
import re
import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from safeguarding.api import services as api_services
from tests.api.conftest import REFERRALS, client_with, post_referral

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings):
    """The API's rate-limit counters of this test only (Redis keeps them between runs)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def api_client(world, org) -> APIClient:
    """A client with a token of one of the world's partner organisations (as tests/api/)."""
    issued = api_services.api_token_issue(
        organisation=world.records["accounts.organisation"][org],
        name=f"{org} case system",
        issued_by=world.users["admin"],
    )
    return client_with(issued.secret)


def _pk(world, label, name):
    return world.records[label][name].pk


# (user, url maker, status): pages of each part of the app, as someone who may see them.
PAGES = {
    "my work": ("sw", lambda w: reverse("home"), 200),
    "search": ("sw", lambda w: reverse("search") + "?q=Testperson", 200),
    "young person": (
        "sw",
        lambda w: reverse("cases:young-person", args=[_pk(w, "cases.youngperson", "own")]),
        200,
    ),
    "young person edit": (
        "sw",
        lambda w: reverse("cases:young-person-edit", args=[_pk(w, "cases.youngperson", "own")]),
        200,
    ),
    "case": ("sw", lambda w: reverse("cases:case", args=[_pk(w, "cases.case", "own")]), 200),
    "concern": (
        "sw",
        lambda w: reverse("cases:concern", args=[_pk(w, "cases.concern", "own")]),
        200,
    ),
    "log a concern": ("sw", lambda w: reverse("cases:concern-log"), 200),
    "team caseload": ("tm", lambda w: reverse("cases:team"), 200),
    "front door": ("tm", lambda w: reverse("cases:triage"), 200),
    "themes": ("sm", lambda w: reverse("cases:themes"), 200),
    "hotspots": ("sm", lambda w: reverse("contexts:hotspots"), 200),
    "place": (
        "sw",
        lambda w: reverse("contexts:context", args=[_pk(w, "contexts.context", "team")]),
        200,
    ),
    "peer group": (
        "sw",
        lambda w: reverse("peers:peer-group", args=[_pk(w, "peers.peergroup", "team")]),
        200,
    ),
    "notifications": ("tm", lambda w: reverse("notifications:log"), 200),
    "not found": ("sw", lambda w: "/no-such-page/", 404),
    "admin index": ("admin", lambda w: reverse("admin:index"), 200),
    "admin list": ("admin", lambda w: reverse("admin:accounts_user_changelist"), 200),
    "sign-in page": (None, lambda w: reverse("login"), 200),
}

# (organisation whose token is used or None, method, url maker, status): every kind of API answer.
API = {
    "list": ("p1", "get", lambda w: REFERRALS, 200),
    "contexts": ("p1", "get", lambda w: "/api/v1/contexts/", 200),
    "harm categories": ("p1", "get", lambda w: "/api/v1/harm-categories/", 200),
    "actions": ("p1", "get", lambda w: "/api/v1/actions/", 200),
    "webhook endpoints": ("p1", "get", lambda w: "/api/v1/webhook-endpoints/", 200),
    "event types": ("p1", "get", lambda w: "/api/v1/event-types/", 200),
    "created": ("p1", "post", lambda w: REFERRALS, 201),
    "no such record": ("p1", "get", lambda w: REFERRALS + "999999999/", 404),
    "no token": (None, "get", lambda w: REFERRALS, 401),
    "no endpoint": (None, "get", lambda w: "/api/v1/nothing-here/", 404),
    "schema": (None, "get", lambda w: "/api/v1/schema/", 200),
    "problem type": (None, "get", lambda w: "/api/v1/problems/not-found", 200),
    "swagger ui": (None, "get", lambda w: "/api/v1/docs/", 200),
    "swagger ui script": (None, "get", lambda w: "/api/v1/docs/?script=", 200),
    "redoc's old address": (None, "get", lambda w: "/api/v1/redoc/", 301),
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_secure_headers(response) -> None:
    cache_control = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    assert "no-store" in cache_control, response.headers.get("Cache-Control")
    assert "max-age=0" in cache_control and "private" in cache_control
    csp = policy(response)
    for directive in ("default-src", "script-src", "style-src"):
        assert csp[directive][0] == "'self'", csp
        assert "'unsafe-inline'" not in csp[directive], csp
        assert "'unsafe-eval'" not in csp[directive], csp
        assert not {"*", "data:", "https:", "http:"} & set(csp[directive]), csp
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions, permissions


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_is_not_stored_and_has_the_strict_policy(world, client, name):
    user, url, status = PAGES[name]
    if user:
        client.force_login(world.users[user])
    response = client.get(url(world))
    assert response.status_code == status, name
    assert_secure_headers(response)


@pytest.mark.parametrize("name", sorted(API))
def test_every_api_response_is_not_stored_and_has_the_strict_policy(world, name):
    org, method, url, status = API[name]
    client = api_client(world, org) if org else APIClient()
    response = post_referral(client) if method == "post" else client.get(url(world))
    assert response.status_code == status, (name, response.content[:300])
    assert_secure_headers(response)


def test_a_signed_in_users_api_session_is_not_stored(world):
    client = APIClient()
    client.force_login(world.users["tm"])
    response = client.get(REFERRALS)
    assert response.status_code == 200
    assert_secure_headers(response)


def test_only_swagger_ui_allows_data_images_and_no_page_has_a_nonce(world, client):
    """Swagger UI's icons are data: images in its script: that page (only) allows them."""
    docs = policy(client.get("/api/v1/docs/"))
    assert docs["img-src"] == ["'self'", "data:"], docs
    client.force_login(world.users["sw"])
    for path in (reverse("home"), reverse("login"), "/api/v1/schema/"):
        response = client.get(path)
        assert policy(response)["img-src"] == ["'self'"], path
        assert "nonce-" not in response.headers["Content-Security-Policy"], path


def test_no_template_has_inline_script_or_style():
    """The policy would refuse them: scripts and styles are static files (data blocks made by
    json_script, type="application/json", are not scripts). Templates named ``*_pdf.html``
    are documents WeasyPrint lays out into a PDF (a subject access bundle), never pages a
    browser is served: their styles are theirs."""
    from django.conf import settings

    offenders = []
    for template in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        if template.name.endswith("_pdf.html"):
            continue
        text = re.sub(r"\{#.*?#\}", "", template.read_text())  # comments may name them
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{template}: {tag}")
        if re.search(r"<style\b|\sstyle=|\son[a-z]+=", text):
            offenders.append(f"{template}: inline style or event handler")
    assert not offenders, "\n".join(offenders)


#: Answers made by middleware before any view: a session that has not passed its second factor
#: (redirected, or refused on the API), and Django's APPEND_SLASH redirect.
MIDDLEWARE_ANSWERS = {
    "page before the second factor": ("/", 302),
    "admin before the second factor": ("/admin/", 302),
    "API before the second factor": (REFERRALS, 403),
    "a missing slash": ("/search", 301),
}


@pytest.mark.parametrize("name", sorted(MIDDLEWARE_ANSWERS))
def test_answers_made_by_middleware_are_not_stored_either(world, name):
    from tests.conftest import force_login_without_second_factor

    url, status = MIDDLEWARE_ANSWERS[name]
    client = APIClient()
    if "second factor" in name:
        force_login_without_second_factor(client, world.users["sw"])
    else:
        client.force_login(world.users["sw"])
    response = client.get(url)
    assert response.status_code == status, name
    assert "no-store" in response.headers.get("Cache-Control", ""), name


@pytest.mark.parametrize(
    ("trusted", "remote", "is_secure"),
    [
        ([], "203.0.113.9", False),  # no proxy trusted: a client cannot claim HTTPS
        (["10.0.0.0/8"], "203.0.113.9", False),  # a client beside the proxy cannot either
        (["10.0.0.0/8"], "10.0.0.2", True),  # the proxy can
    ],
)
def test_x_forwarded_proto_is_believed_only_from_a_trusted_proxy(
    settings, trusted, remote, is_secure
):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from safeguarding.proxies import ForwardedHeadersMiddleware

    settings.TRUSTED_PROXIES = trusted
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()
        seen["host"] = request.META.get("HTTP_X_FORWARDED_HOST")
        return HttpResponse()

    request = RequestFactory().get(
        "/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="evil"
    )
    ForwardedHeadersMiddleware(view)(request)
    assert seen["secure"] is is_secure
    assert (seen["host"] == "evil") is is_secure
