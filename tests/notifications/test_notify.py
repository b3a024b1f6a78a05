"""The optional GOV.UK Notify email channel, against a stand-in for Notify's API on loopback that
checks what the official client sends (its signed token, the template, the personalisation)."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer

from safeguarding.notifications.delivery import attempt
from safeguarding.notifications.models import Notification

from .test_delivery import record_decision, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.world_per_module]

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
TEMPLATE_ID = str(uuid.uuid4())


@pytest.fixture
def notify(settings):
    """Notify's POST /v2/notifications/email: records requests and answers ``state["status"]``."""
    state = {"status": 201, "requests": [], "message": "No"}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            token = self.headers["authorization"].removeprefix("Bearer ")
            assert decode_jwt_token(token, SECRET)  # raises if not signed with our key
            issuer = get_token_issuer(token)
            state["requests"].append({"path": self.path, "body": body, "iss": issuer})
            status = state["status"]
            answer = (
                {"id": str(uuid.uuid4()), "reference": body.get("reference")}
                if status == 201
                else {
                    "status_code": status,
                    "errors": [{"error": "BadRequestError", "message": state["message"]}],
                }
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.GOVUK_NOTIFY_API_KEY = f"safeguarding_test-{SERVICE_ID}-{SECRET}"
    settings.GOVUK_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.GOVUK_NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.EMAIL_BACKEND = "safeguarding.notifications.notify.NotifyEmailBackend"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def test_emails_go_through_notify_when_it_is_configured(world, notify):
    subscribe(world, None, mailbox="mash@police.example")
    [row] = record_decision(world)
    assert attempt(row.pk) == "sent"
    [request] = notify["requests"]
    assert request["path"] == "/v2/notifications/email"
    assert request["iss"] == SERVICE_ID
    body = request["body"]
    assert body["email_address"] == "mash@police.example"
    assert body["template_id"] == TEMPLATE_ID
    assert body["reference"] == str(row.event_id)
    assert body["personalisation"]["subject"] == "Referral decided: RTEST12345"
    assert "RTEST12345" in body["personalisation"]["body"]


@pytest.mark.parametrize(
    ("status", "message", "outcome"),
    [
        (400, "email_address Not a valid email address", "dead"),  # final
        (400, "Template not found", "pending"),  # ours to put right: retried
        (429, "Exceeded rate limit", "pending"),
        (500, "Internal server error", "pending"),
    ],
)
def test_notify_refusals(world, notify, status, message, outcome):
    subscribe(world, None, mailbox="mash@police.example")
    notify["status"], notify["message"] = status, message
    [row] = record_decision(world)
    assert attempt(row.pk) == outcome
    assert Notification.objects.get(pk=row.pk).last_error == f"GOV.UK Notify answered {status}."
