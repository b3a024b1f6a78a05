"""Webhooks: Standard Webhooks signing, thin payloads, and requests that cannot be turned against
our own network.

Signing uses the reference ``standardwebhooks`` library: ``webhook-id`` is the notification's
event id (the same on every retry, so a receiver can drop repeats), ``webhook-timestamp`` the
time of this attempt, ``webhook-signature`` an HMAC-SHA256 with the endpoint's own secret.

Server-side request forgery: an endpoint's address must be ``https`` and must resolve only to
public addresses. The check runs when the endpoint is saved and again at every delivery, and the
request goes to the address that was checked (no second DNS lookup, no redirects), so a name
that later resolves to 127.0.0.1 or 169.254.169.254 reaches nothing. ``WEBHOOKS_ALLOW_INTERNAL``
lifts both rules for development on one machine; production mode never sets it.
"""

import ipaddress
import json
import socket
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from standardwebhooks.webhooks import Webhook

from safeguarding.accounts.disclosure import notification_part


class UnsafeURL(Exception):
    """The address is not one we will send to."""


def _allow_internal() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_INTERNAL", False))


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A public unicast address; an IPv6 address that carries an IPv4 one (mapped, compatible,
    NAT64, 6to4, Teredo) is judged by the IPv4 address inside it."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = []
        if address.ipv4_mapped:
            embedded.append(address.ipv4_mapped)
        if address.sixtofour:
            embedded.append(address.sixtofour)
        if address.teredo:
            embedded.extend(address.teredo)
        if any(address in net for net in NAT64) or int(address) >> 32 == 0:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if embedded:
            return all(_is_public(v4) for v4 in embedded)
        if address not in GLOBAL_UNICAST_V6:
            return False
    return address.is_global and not address.is_multicast


def check_url(url: str, *, resolve: bool = True) -> tuple[str, str, int, list[str]]:
    """Return (scheme, host, port, addresses) for a URL we may post to, or raise ``UnsafeURL``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise UnsafeURL("Enter a valid URL.") from e
    allow_internal = _allow_internal()
    if parts.scheme != "https" and not (allow_internal and parts.scheme == "http"):
        raise UnsafeURL("Webhook addresses must start with https://")
    host = parts.hostname
    if not host:
        raise UnsafeURL("Enter a valid URL.")
    if parts.username or parts.password:
        raise UnsafeURL("Webhook addresses must not contain a user name or password.")
    port = port or (443 if parts.scheme == "https" else 80)
    if not resolve:
        return parts.scheme, host, port, []
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise UnsafeURL(f"The host name {host} could not be found.") from e
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_internal:
        for address in addresses:
            if not _is_public(ipaddress.ip_address(address.split("%")[0])):
                raise UnsafeURL(
                    "Webhook addresses must be on the public internet, "
                    "not a private, loopback or link-local address."
                )
    return parts.scheme, host, port, addresses


def payload(notification, link: str) -> str:
    """The body: what happened, to which record, and where to look. Nothing about a person
    (only the parts of a notification that may leave the council: disclosure.py)."""
    part = partial(notification_part, notification)
    return json.dumps(
        {
            "type": part("event_type"),
            "timestamp": part("created_at").astimezone(UTC).isoformat(),
            "data": {
                "event_id": str(part("event_id")),
                "reference": part("reference"),
                "link": link,
            },
        },
        separators=(",", ":"),
    )


def signed_headers(secrets: list[str], event_id: str, body: str, now: datetime) -> dict[str, str]:
    """Standard Webhooks headers; one signature per secret (two while a secret is rotated)."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(Webhook(s).sign(event_id, now, body) for s in secrets),
        "content-type": "application/json",
        "user-agent": "Safeguarding-Webhooks/1",
    }


def post(url: str, body: str, headers: dict[str, str]) -> int:
    """POST to a checked address and return the status code. Each address the name resolved to
    is tried in turn until one accepts the connection. Raises ``UnsafeURL`` or urllib3's errors
    (timeouts, refused connections, TLS failures)."""
    scheme, host, port, addresses = check_url(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    name = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    host_header = name if port == {"https": 443, "http": 80}[scheme] else f"{name}:{port}"
    for n, address in enumerate(addresses):
        try:
            return _post_to(scheme, address, host, port, path, body, headers, host_header)
        except urllib3.exceptions.NewConnectionError:
            if n == len(addresses) - 1:
                raise
    raise UnsafeURL("The host name has no address.")


def _post_to(scheme, address, host, port, path, body, headers, host_header) -> int:
    timeout = urllib3.Timeout(
        connect=5, read=settings.WEBHOOK_TIMEOUT_SECONDS, total=settings.WEBHOOK_TIMEOUT_SECONDS
    )
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body.encode(),
            headers={**headers, "host": host_header},
            redirect=False,
            preload_content=False,
        )
        response.close()  # the status is the answer; a receiver's body is never read
        return response.status
    finally:
        pool.close()
