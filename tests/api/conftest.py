"""Fixtures for the partner API: tokens, clients acting as an organisation, a valid referral."""

import copy
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from safeguarding.api import services as api_services

REFERRALS = "/api/v1/referrals/"


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings):
    """Each test counts requests in its own cache space (Redis keeps counters between runs, and
    primary keys repeat from one test database to the next)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def issue_token(world):
    """Issue a token for one of the world's partner organisations ("p1" police, "p2" school)."""

    def issue(org="p1", **kwargs) -> api_services.IssuedToken:
        return api_services.api_token_issue(
            organisation=world.records["accounts.organisation"][org],
            name=f"{org} case system",
            issued_by=world.users["admin"],
            **kwargs,
        )

    return issue


def client_with(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api(issue_token):
    """``api("p1")``: a client acting as organisation p1's system (one token per organisation).
    ``api("p1").token`` is its ApiToken."""
    clients = {}

    def client_for(org="p1") -> APIClient:
        if org not in clients:
            issued = issue_token(org)
            clients[org] = client_with(issued.secret)
            clients[org].token = issued.token
        return clients[org]

    return client_for


@pytest.fixture
def session_api(world):
    """``session_api("tm")``: a client signed in to the web app as one of the world's users."""

    def client_for(user: str) -> APIClient:
        client = APIClient()
        client.force_login(world.users[user])
        return client

    return client_for


def referral_body(**changes) -> dict:
    body = {
        "young_people": [
            {
                "name": "Jay Example",
                "date_of_birth": "2010-05-01",
                "address": "12 Example Road, Eastbrook",
                "postcode": "EB1 2CD",
            }
        ],
        "harm_categories": ["cse"],
        "narrative": "Seen getting into cars with older men near the station after school.",
        "urgency": "urgent",
        "referrer": {"name": "PC Test", "role": "Police officer", "email": "pc@police.example"},
        "consent": "not_sought",
        "lawful_basis": "public_task",
        "lawful_basis_detail": "Asking would increase the risk to the young person.",
    }
    body.update(changes)
    return body


def post_referral(client, body=None, key=None, **extra):
    return client.post(
        REFERRALS,
        body if body is not None else referral_body(),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key if key is not None else str(uuid.uuid4()),
        **extra,
    )


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    problem = response.json()
    assert problem["type"] == f"/api/v1/problems/{slug}", problem
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    assert problem["instance"] == response.wsgi_request.path
    assert isinstance(problem["errors"], list)
    return problem


# --- a partner's receiving system ---------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    """A partner's receiving system: records each request and answers 204."""

    received: list

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.received.append((self.path, dict(self.headers), self.rfile.read(length).decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def receiver():
    """A webhook receiver on 127.0.0.1: ``(url, received)``."""
    received = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/safeguarding?team=mash", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def patch_current(client: APIClient, url: str, body, **headers):
    """PATCH ``url`` as a correct client does: with the ``ETag`` of a GET of the record just
    before as ``If-Match`` (safeguarding/api/preconditions.py)."""
    etag = client.get(url).headers.get("ETag", '"none"')
    return client.patch(url, body, format="json", HTTP_IF_MATCH=etag, **headers)
