"""The client's address comes from X-Forwarded-For only through a trusted proxy
(settings.TRUSTED_PROXIES, safeguarding/proxies.py): in the audit, in the API's audit and in the
API's rate limit for anonymous callers. Any client can send the header; only a proxy we run may
be believed."""

import copy
import uuid

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Referral, YoungPerson
from safeguarding.api import services as api_services
from safeguarding.proxies import client_address
from tests.api.conftest import REFERRALS, client_with

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

FORGED = "203.0.113.66"  # what an attacker writes in X-Forwarded-For

# (trusted proxies, REMOTE_ADDR, X-Forwarded-For, the client's address)
CASES = [
    # No trusted proxy (the default): the header is ignored, whatever it says.
    ([], "198.51.100.7", None, "198.51.100.7"),
    ([], "198.51.100.7", FORGED, "198.51.100.7"),
    ([], "198.51.100.7", f"{FORGED}, 10.0.0.1", "198.51.100.7"),
    # The header from a client that is not a trusted proxy is ignored.
    (["10.0.0.0/8"], "198.51.100.7", FORGED, "198.51.100.7"),
    # From a trusted proxy: the address it saw (the right-most entry).
    (["10.0.0.1"], "10.0.0.1", "198.51.100.7", "198.51.100.7"),
    # What the client wrote to the left of it is not read.
    (["10.0.0.1"], "10.0.0.1", f"{FORGED}, 198.51.100.7", "198.51.100.7"),
    # Two trusted hops (a CDN in front of the load balancer): the right-most untrusted one.
    (["10.0.0.0/8"], "10.0.0.2", f"{FORGED}, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
    # Several headers arrive joined by commas.
    (["10.0.0.0/8"], "10.0.0.2", f"{FORGED},198.51.100.7,10.0.0.1", "198.51.100.7"),
    # Ports and brackets as proxies write them; IPv6.
    (["10.0.0.1"], "10.0.0.1", "198.51.100.7:51234", "198.51.100.7"),
    (["10.0.0.1"], "10.0.0.1", "[2001:db8::7]:443", "2001:db8::7"),
    (["2001:db8:ffff::/48"], "2001:db8:ffff::1", "2001:db8::7", "2001:db8::7"),
    # An IPv4 client on an IPv6 socket.
    (["10.0.0.1"], "::ffff:10.0.0.1", "198.51.100.7", "198.51.100.7"),
    # Junk from the client stops the walk at the last trusted hop.
    (["10.0.0.0/8"], "10.0.0.2", "not-an-address, 10.0.0.1", "10.0.0.1"),
    (["10.0.0.1"], "10.0.0.1", "unknown", "10.0.0.1"),
    # Only trusted addresses: the left-most of them.
    (["10.0.0.0/8"], "10.0.0.2", "10.0.0.1", "10.0.0.1"),
    # A trusted proxy that sent no header: itself.
    (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
    (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
]


@pytest.mark.parametrize(("trusted", "remote", "forwarded", "expected"), CASES)
def test_client_address(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **extra)) == expected


def test_a_request_without_an_address_has_none():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) is None


@pytest.mark.parametrize("entry", ["proxy.example", "10.0.0.300", "10.0.0.0/40"])
def test_a_trusted_proxy_that_is_not_an_address_is_refused(settings, entry):
    settings.TRUSTED_PROXIES = [entry]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_address(RequestFactory().get("/"))


def _last_read(model, pk):
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_pk=str(pk),
            action=LogEntry.Action.ACCESS,
        )
        .order_by("-timestamp", "-pk")
        .first()
    )


@pytest.mark.parametrize(
    ("trusted", "recorded"),
    [([], "127.0.0.1"), (["127.0.0.1"], FORGED)],
    ids=["no trusted proxy: the header is ignored", "through a trusted proxy: it is used"],
)
def test_the_audit_records_the_client_by_the_rule(world, client, settings, trusted, recorded):
    """The example: a client sets X-Forwarded-For and reads a young person's record. Without a
    trusted proxy the audit records the connection's address, not the forged one."""
    settings.TRUSTED_PROXIES = trusted
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw"])
    response = client.get(
        reverse("cases:young-person", args=[yp.pk]),
        HTTP_X_FORWARDED_FOR=FORGED,
        HTTP_X_FORWARDED_PORT="4444",
    )
    assert response.status_code == 200
    entry = _last_read(YoungPerson, yp.pk)
    assert entry.actor == world.users["sw"]
    assert entry.remote_addr == recorded
    assert entry.remote_port == (4444 if trusted else None)


@pytest.mark.parametrize(
    ("trusted", "recorded"),
    [([], "127.0.0.1"), (["127.0.0.0/8"], FORGED)],
    ids=["no trusted proxy", "trusted proxy"],
)
def test_the_apis_audit_records_the_client_by_the_rule(world, settings, trusted, recorded):
    settings.TRUSTED_PROXIES = trusted
    issued = api_services.api_token_issue(
        organisation=world.records["accounts.organisation"]["p1"],
        name="p1 case system",
        issued_by=world.users["admin"],
    )
    referral = Referral.objects.filter(source_organisation=issued.token.organisation).first()
    assert referral is not None, "the world has a referral from p1"
    response = client_with(issued.secret).get(
        f"{REFERRALS}{referral.reference}/", HTTP_X_FORWARDED_FOR=FORGED
    )
    assert response.status_code == 200, response.content
    assert _last_read(Referral, referral.pk).remote_addr == recorded


def test_a_forged_header_does_not_escape_the_anonymous_rate_limit(settings):
    """DRF's own idea of the client reads X-Forwarded-For from anyone: a new address on each
    request would never be limited."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
        | {"anon": "3/min"},
    }
    client = APIClient()
    statuses = [
        client.get("/api/v1/problems/not-found", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
