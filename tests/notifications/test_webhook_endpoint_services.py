"""The services behind the partner API's webhook endpoints (``services.webhook_endpoint_*``):
who may call them, what they refuse, and what they write (the channel, its audit, the outbox).
The API's answers are tests/api/test_webhook_endpoints.py and test_webhook_rotation.py."""

import pytest
from auditlog.models import LogEntry

from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.notifications import services
from safeguarding.notifications.models import Channel, Notification

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

URL = "https://hooks.police.example/safeguarding"


def _create(by, **changes):
    arguments = {"url": URL, "event_types": ["referral.decided"], "description": "Live"}
    return services.webhook_endpoint_create(by=by, **(arguments | changes))


def _audited(channel, action) -> bool:
    return LogEntry.objects.filter(
        content_type__app_label="notifications",
        content_type__model="channel",
        object_id=channel.pk,
        action=action,
    ).exists()


def test_a_partner_registers_its_organisations_endpoint_with_a_new_secret(world):
    partner = world.users["partner"]
    channel = _create(partner, event_types=["action.assigned", "referral.decided"] * 2)
    assert channel.organisation == partner.organisation
    assert channel.kind == Channel.Kind.WEBHOOK
    assert channel.event_types == ["action.assigned", "referral.decided"]  # each once
    assert channel.created_by == partner
    assert channel.secret.startswith("whsec_") and channel.secret_set_at
    assert _audited(channel, LogEntry.Action.CREATE)


@pytest.mark.parametrize("user", ["sw", "tm", "sm", "admin"])
def test_council_staff_register_nothing(world, user):
    before = Channel.objects.count()
    with pytest.raises(NotAllowed):
        _create(world.users[user])
    assert Channel.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "ftp://hooks.police.example/"}, "url"),
        ({"url": "https://someone:secret@hooks.police.example/"}, "url"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["referral.decided", "no.such-event"]}, "event_types"),
    ],
)
def test_what_is_not_an_endpoint_is_refused_by_field(world, changes, field):
    before = Channel.objects.count()
    with pytest.raises(ApplicationError) as refused:
        _create(world.users["partner"], **changes)
    assert set(refused.value.message_dict) == {field}
    assert Channel.objects.count() == before


def test_an_organisation_has_at_most_the_limit(world, settings):
    settings.WEBHOOK_ENDPOINTS_PER_ORGANISATION = 2  # p1 has one already (the world's)
    partner = world.users["partner"]
    _create(partner)
    with pytest.raises(ApplicationError) as refused:
        _create(partner)
    assert not hasattr(refused.value, "error_dict")  # about no field
    assert "delete one" in refused.value.messages[0]
    assert Channel.objects.filter(organisation=partner.organisation).count() == 2
    # Another organisation's endpoints are not counted against it.
    assert _create(world.records["accounts.user"]["partner2"]).organisation.name == "Test Academy"


def test_an_update_sets_what_is_given_and_is_audited(world):
    channel = world.records["notifications.channel"]["p1"]
    partner = world.users["partner"]
    changed = services.webhook_endpoint_update(
        endpoint=channel, by=partner, event_types=["action.assigned"] * 2, is_active=False
    )
    channel.refresh_from_db()
    assert changed == channel
    assert channel.event_types == ["action.assigned"]
    assert channel.is_active is False
    assert channel.url == "https://p1.example.org/hooks"  # as it was
    assert _audited(channel, LogEntry.Action.UPDATE)
    with pytest.raises(ApplicationError):
        services.webhook_endpoint_update(endpoint=channel, by=partner, event_types=[])


def test_another_organisations_endpoint_is_missing_to_every_service(world):
    channel = world.records["notifications.channel"]["p2"]
    secret = channel.secret
    partner = world.users["partner"]  # p1's
    for change in (
        lambda: services.webhook_endpoint_update(endpoint=channel, by=partner, is_active=False),
        lambda: services.webhook_endpoint_rotate_secret(endpoint=channel, by=partner),
        lambda: services.webhook_endpoint_delete(endpoint=channel, by=partner),
    ):
        with pytest.raises(RecordNotFound):
            change()
    channel.refresh_from_db()
    assert channel.is_active and channel.secret == secret


def test_a_second_rotation_within_the_overlap_is_refused_until_it_ends(world):
    channel = world.records["notifications.channel"]["p1"]
    partner = world.users["partner"]
    old = channel.secret
    rotated = services.webhook_endpoint_rotate_secret(endpoint=channel, by=partner)
    assert rotated.secret != old and rotated.previous_secret == old
    with pytest.raises(services.SecretRotationInProgress) as refused:
        services.webhook_endpoint_rotate_secret(endpoint=channel, by=partner)
    assert refused.value.until == rotated.previous_secret_expires_at
    assert "rotated recently" in refused.value.messages[0]
    channel.refresh_from_db()
    assert channel.secret == rotated.secret  # unchanged by the refused one


def test_deleting_gives_up_the_endpoints_waiting_deliveries(world):
    channel = world.records["notifications.channel"]["p1"]
    waiting = world.records["notifications.notification"]["agency"]
    assert waiting.channel_id == channel.pk and waiting.status == Notification.Status.PENDING
    services.webhook_endpoint_delete(endpoint=channel, by=world.users["partner"])
    assert not Channel.objects.filter(pk=channel.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == Notification.Status.DEAD
    assert waiting.last_error == services.ENDPOINT_REMOVED
    assert waiting.channel_id is None
    assert _audited(channel, LogEntry.Action.DELETE)
