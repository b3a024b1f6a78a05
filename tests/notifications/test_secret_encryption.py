"""Webhook signing secrets are encrypted at rest, shown once, and their keys can be rotated
(safeguarding/encryption.py)."""

import base64
import json
import uuid

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from safeguarding import encryption
from safeguarding.api import services as api_services
from safeguarding.api.models import IdempotencyKey
from safeguarding.notifications.models import Channel
from safeguarding.notifications.webhooks import signed_headers

CHANGELIST = "admin:notifications_channel_changelist"


def _stored(table: str, column: str, pk: int) -> str:
    """What the database holds, read with SQL (not through the model)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _rotate(channel):
    channel.rotate_secret()
    channel.refresh_from_db()
    return channel


@pytest.mark.parametrize("column", ["secret", "previous_secret"])
def test_the_database_holds_ciphertext_not_the_secret(world, column):
    channel = _rotate(world.records["notifications.channel"]["p1"])
    secret = getattr(channel, column)
    assert secret.startswith("whsec_")
    stored = _stored("notifications_channel", column, channel.pk)
    assert secret not in stored and "whsec_" not in stored
    assert Fernet(encryption.DEVELOPMENT_KEY).decrypt(stored.encode()).decode() == secret


def _partner_api(world, org="p1") -> APIClient:
    issued = api_services.api_token_issue(
        organisation=world.records["accounts.organisation"][org],
        name="case system",
        issued_by=world.users["admin"],
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    return client


@pytest.mark.parametrize("how", ["register", "rotate"])
def test_the_answer_kept_for_retries_is_encrypted_too(world, settings, how):
    """Registering an endpoint and rotating its secret answer with the secret; the answer is
    kept for a retry with the same Idempotency-Key, encrypted."""
    settings.WEBHOOKS_ALLOW_INTERNAL = True
    police = _partner_api(world)
    key = str(uuid.uuid4())
    if how == "register":
        response = police.post(
            "/api/v1/webhook-endpoints/",
            {"url": "http://127.0.0.1:9/hooks", "event_types": ["referral.decided"]},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
    else:
        endpoint = world.records["notifications.channel"]["p1"]
        response = police.post(
            f"/api/v1/webhook-endpoints/{endpoint.pk}/rotate-secret/",
            format="json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
    assert response.status_code in (200, 201), response.content
    secret = response.json()["secret"]
    row = IdempotencyKey.objects.get(key=key)
    assert secret in row.response_body  # read through the model, for the retry
    stored = _stored("api_idempotencykey", "response_body", row.pk)
    assert secret not in stored and "whsec_" not in stored
    assert json.loads(row.response_body)["secret"] == secret


def test_a_delivery_signed_with_the_stored_secret_verifies(world):
    """The secret read back from its ciphertext signs as the receiver expects."""
    from django.utils import timezone

    channel = Channel.objects.get(pk=world.records["notifications.channel"]["p1"].pk)
    now = timezone.now()
    body = '{"type":"referral.decided"}'
    headers = signed_headers(channel.signing_secrets(now), "msg_1", body, now)
    assert Webhook(world.records["notifications.channel"]["p1"].secret).verify(body, headers)


def test_the_admin_shows_a_secret_once_after_rotating_and_never_again(world, client):
    channel = world.records["notifications.channel"]["p1"]
    old = channel.secret
    client.force_login(world.users["admin"])
    rotated = client.post(
        reverse(CHANGELIST),
        {"action": "rotate_secrets", "_selected_action": [str(channel.pk)]},
    )
    assert "messages" not in rotated.cookies  # the one-time message stays on the server
    shown = client.get(reverse(CHANGELIST)).content.decode()
    channel.refresh_from_db()
    assert channel.secret != old and channel.secret in shown  # once, to hand over
    # Never in a cookie on the way (messages are kept in the session, server side).
    assert all(channel.secret not in morsel.value for morsel in client.cookies.values())
    pages = [
        reverse(CHANGELIST),
        reverse(CHANGELIST) + f"?q={channel.url}",
        reverse("admin:notifications_channel_change", args=[channel.pk]),
        reverse("admin:notifications_channel_history", args=[channel.pk]),
    ]
    for path in pages:
        page = client.get(path).content.decode()
        assert channel.secret not in page and old not in page, path
        assert "whsec_" not in page, path
    change = client.get(pages[2]).content.decode()
    assert "Set, rotated on" in change and "previous secret also signs until" in change


def test_a_saved_change_form_keeps_the_secret(world, client):
    """Saving the change form (which has no secret field) leaves the secret as it was."""
    channel = world.records["notifications.channel"]["p2"]
    secret = channel.secret
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("admin:notifications_channel_change", args=[channel.pk]),
        {
            "organisation": channel.organisation_id,
            "kind": "webhook",
            "email": "",
            "url": channel.url,
            "event_types": ["referral.decided"],
            "description": "Renamed",
            "is_active": "on",
        },
    )
    # The URL does not resolve in tests: whether saved or refused, the secret is unchanged
    # and not shown.
    assert secret not in response.content.decode()
    channel.refresh_from_db()
    assert channel.secret == secret


def _key(text: bytes) -> str:
    return base64.urlsafe_b64encode(text.ljust(32, b"-")[:32]).decode()


def test_keys_are_rotated_by_putting_a_new_one_first_and_reencrypting(world, settings):
    old_key, new_key = _key(b"old key"), _key(b"new key")
    # The world was made under the development key: move it all to "old key" first.
    settings.FIELD_ENCRYPTION_KEYS = [old_key, encryption.DEVELOPMENT_KEY]
    channel = _rotate(world.records["notifications.channel"]["p1"])
    secret, previous = channel.secret, channel.previous_secret
    call_command("reencrypt_fields")
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    stored = _stored("notifications_channel", "secret", channel.pk)
    assert Fernet(old_key).decrypt(stored.encode()).decode() == secret
    assert Channel.objects.get(pk=channel.pk).previous_secret == previous

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Channel.objects.get(pk=channel.pk).secret == secret  # the old key still decrypts
    call_command("reencrypt_fields")
    stored = _stored("notifications_channel", "secret", channel.pk)
    assert Fernet(new_key).decrypt(stored.encode()).decode() == secret

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key removed
    again = Channel.objects.get(pk=channel.pk)
    assert (again.secret, again.previous_secret) == (secret, previous)

    settings.FIELD_ENCRYPTION_KEYS = [old_key]  # a key that no longer opens it: loud
    with pytest.raises(encryption.UndecryptableValue):
        Channel.objects.get(pk=channel.pk)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_secrets(world):
    channel = world.records["notifications.channel"]["p1"]
    secret = channel.secret
    before = [("notifications", "0004_channel_previous_secret")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        # Before: the column holds the secret as it is.
        assert _stored("notifications_channel", "secret", channel.pk) == secret
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("notifications"))
    stored = _stored("notifications_channel", "secret", channel.pk)
    assert secret not in stored
    reloaded = Channel.objects.get(pk=channel.pk)
    assert reloaded.secret == secret and reloaded.secret_set_at == reloaded.created_at
