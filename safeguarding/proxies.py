"""Who the client is: the one rule for a request's client address.

``REMOTE_ADDR`` is the address of whatever opened the connection. Behind a reverse proxy or load
balancer that is the proxy, and the client's address is in ``X-Forwarded-For``, which each proxy
extends with the address it saw. But any client can send that header too, with any address in
it. So it is believed only from the proxies named in ``settings.TRUSTED_PROXIES`` (IP addresses
or CIDR networks; empty by default, and then the header is ignored):

* ``REMOTE_ADDR`` not a trusted proxy: the client is ``REMOTE_ADDR``;
* otherwise the addresses in ``X-Forwarded-For`` are read from the right (the nearest hop) and
  the client is the first one that is not a trusted proxy. Whatever lies to the left of it was
  written by the client and is not read. An entry that is not an IP address stops the walk: the
  client is then the last trusted hop (the address the nearest honest proxy saw).

Used by the audit (``safeguarding.audit.middleware``) and the API's rate limit for anonymous
callers; use it wherever a client's address is recorded or counted.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or a CIDR network"
            ) from None
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    """The networks of ``settings.TRUSTED_PROXIES``; ImproperlyConfigured if one is not valid."""
    return _networks(tuple(entry for entry in settings.TRUSTED_PROXIES if entry.strip()))


def _parse(text: str) -> Address | None:
    """An address as proxies write it ("192.0.2.1", "192.0.2.1:443", "[2001:db8::1]:443",
    "2001:db8::1"), or None if it is not one."""
    text = text.strip().strip('"')
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket shows as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request) -> str | None:
    """The client's IP address as text (e.g. "192.0.2.1"), by the rule in this module's
    docstring; None if the request has no usable ``REMOTE_ADDR`` (a test request may not)."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    networks = trusted_proxies()
    if not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    # Several X-Forwarded-For headers arrive joined by commas, in order.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse(entry)
        if address is None:
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def from_trusted_proxy(request) -> bool:
    """Whether the request came straight from a trusted proxy (so its X-Forwarded-* headers
    were written by that proxy, not by the client)."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    return remote is not None and _is_trusted(remote, trusted_proxies())


#: Headers only a proxy may write: the scheme (``SECURE_PROXY_SSL_HEADER``), host and port.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT")


class ForwardedHeadersMiddleware:
    """Drops ``X-Forwarded-Proto``, ``-Host`` and ``-Port`` from a request that did not come
    straight from one of ``TRUSTED_PROXIES``, before anything reads them: otherwise any client
    could claim HTTPS (``SECURE_PROXY_SSL_HEADER``) and skip the redirect to it. First in
    ``MIDDLEWARE``. Behind a proxy that terminates TLS, ``TRUSTED_PROXIES`` must name it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
