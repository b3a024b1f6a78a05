"""Webhooks cannot be turned against our own network (server-side request forgery).

With production's rule (``WEBHOOKS_ALLOW_INTERNAL`` off) an endpoint must be https and every
address its name resolves to must be public; the check runs when the endpoint is saved and again
at each delivery, and the request goes to the address that was checked, never following a
redirect.
"""

import pytest

from safeguarding.notifications.delivery import attempt
from safeguarding.notifications.models import Notification
from safeguarding.notifications.webhooks import UnsafeURL, check_url
from tests.api.fake_dns import PUBLIC_ADDRESS, resolving

from .test_delivery import record_decision, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.world_per_module]


@pytest.fixture
def production_rule(settings):
    settings.WEBHOOKS_ALLOW_INTERNAL = False


INTERNAL = [
    "https://127.0.0.1/hooks",
    "https://127.1/hooks",  # short form
    "https://2130706433/hooks",  # 127.0.0.1 as one decimal number
    "https://0x7f.1/hooks",  # hexadecimal
    "https://017700000001/hooks",  # octal
    "https://0.0.0.0/hooks",
    "https://10.1.2.3/hooks",
    "https://172.16.0.1/hooks",
    "https://192.168.1.1/hooks",
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://100.64.0.1/hooks",  # carrier-grade NAT
    "https://[::1]/hooks",
    "https://[::]/hooks",
    "https://[fe80::1]/hooks",
    "https://[fd00::1]/hooks",
    "https://[fec0::1]/hooks",  # deprecated site-local
    "https://[::ffff:127.0.0.1]/hooks",  # IPv4-mapped
    "https://[::ffff:a9fe:a9fe]/hooks",
    "https://[::10.0.0.1]/hooks",  # IPv4-compatible
    "https://[64:ff9b::a9fe:a9fe]/hooks",  # NAT64 of 169.254.169.254
    "https://[2002:a00:1::]/hooks",  # 6to4 of 10.0.0.1
    "https://[ff02::1]/hooks",  # multicast
    "https://localhost/hooks",
    "https://intranet.example.org/hooks",  # a name that resolves inside
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(production_rule, url):
    with resolving({"intranet.example.org": "10.0.0.7"}), pytest.raises(UnsafeURL, match="public"):
        check_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://partner.example.org/hooks", "https://"),
        ("ftp://partner.example.org/hooks", "https://"),
        ("https://user:secret@partner.example.org/hooks", "user name or password"),
        ("https://nowhere.invalid/hooks", "could not be found"),
        ("https:///hooks", "valid URL"),
        ("https://partner.example.org:99999/hooks", "valid URL"),
    ],
)
def test_other_bad_addresses_are_refused_with_a_reason(production_rule, url, message):
    with resolving(), pytest.raises(UnsafeURL, match=message):
        check_url(url)


def test_a_name_with_one_internal_address_among_public_ones_is_refused(production_rule):
    from safeguarding.notifications import webhooks

    def both(host, port, *args, **kwargs):
        return [
            (2, 1, 6, "", (PUBLIC_ADDRESS, port)),
            (2, 1, 6, "", ("10.0.0.7", port)),
        ]

    with resolving(), pytest.MonkeyPatch.context() as m:
        m.setattr(webhooks.socket, "getaddrinfo", both)
        with pytest.raises(UnsafeURL, match="public"):
            check_url("https://split.example.org/hooks")


@pytest.mark.parametrize(
    "url", ["https://partner.example.org/hooks", "https://[2606:4700::1111]/hooks"]
)
def test_public_https_addresses_are_accepted(production_rule, url):
    with resolving():
        scheme, _host, port, addresses = check_url(url)
    assert scheme == "https" and port == 443 and addresses


def test_a_name_re_pointed_inside_after_it_was_saved_is_refused_at_delivery(
    world, receiver, production_rule, settings
):
    """DNS rebinding: the endpoint's name was public when it was registered; now it resolves to
    the loopback address where something listens. Nothing is sent there."""
    settings.WEBHOOKS_ALLOW_INTERNAL = True  # registered while the receiver's name was public
    channel = subscribe(world, receiver, mailbox=None)[0]
    port = receiver.url.split(":")[2].split("/")[0]
    channel.url = f"http://rebound.example.org:{port}/hooks/safeguarding"
    channel.save()
    [row] = record_decision(world)
    settings.WEBHOOKS_ALLOW_INTERNAL = False
    channel.url = channel.url.replace("http://", "https://")
    channel.save()
    with resolving({"rebound.example.org": "127.0.0.1"}):
        assert attempt(row.pk) == "pending"
    assert receiver.requests == []
    row = Notification.objects.get(pk=row.pk)
    assert "public internet" in row.last_error


def test_redirects_are_not_followed(world, receiver):
    """A receiver answering 302 to an internal address: the delivery failed; nothing follows."""
    subscribe(world, receiver, mailbox=None)
    receiver.always_fail = True
    receiver.status = 302
    [row] = record_decision(world)
    assert attempt(row.pk) == "pending"
    assert len(receiver.requests) == 1
    assert Notification.objects.get(pk=row.pk).last_error == "The endpoint answered HTTP 302."
