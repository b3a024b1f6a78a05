"""A partner rotates its webhook endpoint's signing secret without refusing a single delivery."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from safeguarding.notifications.models import Channel
from safeguarding.notifications.webhooks import signed_headers
from tests.api.conftest import assert_problem

from .test_webhook_endpoints import create, detail, endpoint_body

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def rotate(client, pk, key=None):
    return client.post(
        f"{detail(pk)}rotate-secret/",
        format="json",
        HTTP_IDEMPOTENCY_KEY=key if key is not None else str(uuid.uuid4()),
    )


def test_rotating_gives_a_new_secret_once_and_both_sign_for_a_day(world, api):
    police = api("p1")
    endpoint = create(police).json()
    old = endpoint["secret"]
    key = str(uuid.uuid4())
    response = rotate(police, endpoint["id"], key)
    assert response.status_code == 200, response.content
    new = response.json()["secret"]
    assert new.startswith("whsec_") and new != old
    expires = datetime.fromisoformat(response.json()["previous_secret_expires_at"])
    assert timedelta(hours=23) < expires - timezone.now() <= timedelta(hours=24)
    assert rotate(police, endpoint["id"], key).json()["secret"] == new  # a retry: same answer
    assert "secret" not in police.get(detail(endpoint["id"])).json()

    channel = Channel.objects.get(pk=endpoint["id"])
    now = datetime.now(UTC)
    body = '{"type":"referral.decided"}'
    headers = signed_headers(channel.signing_secrets(now), "msg_1", body, now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)  # a receiver still on the old secret accepts it
    Webhook(new).verify(body, headers)  # and one already on the new secret

    later = now + timedelta(hours=25)  # once the overlap is over, only the new secret signs
    assert channel.signing_secrets(later) == [new]
    audit = LogEntry.objects.get_for_object(channel).filter(action=LogEntry.Action.UPDATE).get()
    assert old not in str(audit.changes) and new not in str(audit.changes)


def test_a_second_rotation_during_the_overlap_is_refused(world, api):
    police = api("p1")
    endpoint = create(police).json()
    first = rotate(police, endpoint["id"]).json()["secret"]
    response = rotate(police, endpoint["id"])
    problem = assert_problem(response, 409, "secret-rotation-in-progress")
    assert "rotated recently" in problem["detail"]
    assert 23 * 3600 < int(response["Retry-After"]) <= 24 * 3600
    assert Channel.objects.get(pk=endpoint["id"]).secret == first


def test_a_delivery_after_a_rotation_verifies_with_the_old_and_the_new_secret(world, api, receiver):
    """A real delivery to a receiver on loopback, not only the headers."""
    from django.db import transaction

    from safeguarding.notifications.delivery import attempt
    from safeguarding.notifications.services import ReferralDecided

    url, received = receiver
    police = api("p1")
    endpoint = create(police, endpoint_body(url=url)).json()
    old = endpoint["secret"]
    new = rotate(police, endpoint["id"]).json()["secret"]
    with transaction.atomic():
        [row] = [
            r
            for r in ReferralDecided.record(
                authority=world.records["accounts.organisation"]["la"],
                organisations=[world.records["accounts.organisation"]["p1"]],
                reference="RROTATED01",
                link="/",
            )
            if r.kind == "webhook" and r.channel_id == endpoint["id"]
        ]
    assert attempt(row.pk) == "sent"
    [(_path, headers, body)] = received
    assert Webhook(old).verify(body, headers)["data"]["reference"] == "RROTATED01"
    assert Webhook(new).verify(body, headers)["data"]["reference"] == "RROTATED01"


def test_a_stale_old_secret_no_longer_verifies_after_the_overlap(world, api):
    police = api("p1")
    endpoint = create(police).json()
    old = endpoint["secret"]
    rotate(police, endpoint["id"])
    channel = Channel.objects.get(pk=endpoint["id"])
    Channel.objects.filter(pk=channel.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    channel.refresh_from_db()
    now = datetime.now(UTC)
    headers = signed_headers(channel.signing_secrets(now), "msg_2", "{}", now)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify("{}", headers)


def test_rotating_needs_an_idempotency_key(world, api):
    """(Only the owner rotates: test_access.py.)"""
    endpoint = create(api("p1")).json()
    response = api("p1").post(f"{detail(endpoint['id'])}rotate-secret/", format="json")
    assert_problem(response, 400, "idempotency-key-required")
    assert Channel.objects.get(pk=endpoint["id"]).secret == endpoint["secret"]
