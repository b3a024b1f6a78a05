"""Administrators choose, in the admin, where each organisation is told and of what."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from safeguarding.notifications.models import Channel
from tests.api.fake_dns import resolving

pytestmark = [pytest.mark.django_db, pytest.mark.world_per_module]

ADD = "admin:notifications_channel_add"


def _form(org, **changes):
    data = {
        "organisation": str(org.pk),
        "kind": "webhook",
        "email": "",
        "url": "https://police.example/hooks",
        "event_types": ["referral.decided", "action.assigned"],
        "description": "Police case system",
        "is_active": "on",
    }
    return data | changes


def test_an_administrator_adds_a_webhook_and_its_secret_is_made(world, client, settings):
    settings.WEBHOOKS_ALLOW_INTERNAL = False
    p1 = world.records["accounts.organisation"]["p1"]
    client.force_login(world.users["admin"])
    with resolving():
        response = client.post(reverse(ADD), _form(p1))
    assert response.status_code == 302, response.context["adminform"].form.errors
    channel = Channel.objects.get(description="Police case system")
    assert channel.organisation == p1 and channel.created_by == world.users["admin"]
    assert channel.event_types == ["referral.decided", "action.assigned"]
    assert channel.secret.startswith("whsec_")
    # Shown once, on the page after adding, to hand to the partner's developers; never again.
    shown = client.get(response["Location"]).content.decode()
    assert channel.secret in shown and "shown this once" in shown
    page = client.get(reverse("admin:notifications_channel_change", args=[channel.pk]))
    assert channel.secret not in page.content.decode()
    audit = LogEntry.objects.get_for_object(channel).get(action=LogEntry.Action.CREATE)
    assert "secret" not in audit.changes_dict and channel.secret not in str(audit.changes)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"url": "https://10.0.0.1/hooks"}, "url", "public internet"),
        ({"url": "http://police.example/hooks"}, "url", "https://"),
        ({"url": "", "email": "mash@police.example"}, "url", "needs a URL"),
        ({"kind": "email", "url": "", "email": ""}, "email", "needs an email address"),
    ],
)
def test_bad_channels_are_refused_with_a_reason(world, client, settings, changes, field, message):
    settings.WEBHOOKS_ALLOW_INTERNAL = False
    client.force_login(world.users["admin"])
    with resolving():
        response = client.post(
            reverse(ADD), _form(world.records["accounts.organisation"]["p1"], **changes)
        )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field]), errors
    assert not Channel.objects.filter(description="Police case system").exists()


def test_only_the_authority_and_its_partners_can_be_chosen(world, client):
    client.force_login(world.users["admin"])
    form = client.get(reverse(ADD)).context["adminform"].form
    orgs = world.records["accounts.organisation"]
    choices = set(form.fields["organisation"].queryset)
    assert choices == {orgs["la"], orgs["p1"], orgs["p2"]}
    response = client.post(reverse(ADD), _form(orgs["p3"]))  # another authority's partner
    assert "organisation" in response.context["adminform"].form.errors


def test_an_administrator_rotates_a_webhooks_secret(world, client):
    channel = world.records["notifications.channel"]["p1"]
    old = channel.secret
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("admin:notifications_channel_changelist"),
        {"action": "rotate_secrets", "_selected_action": [str(channel.pk)]},
        follow=True,
    )
    assert "1 webhook secret(s) rotated" in response.content.decode()
    channel.refresh_from_db()
    assert channel.secret != old and channel.previous_secret == old
