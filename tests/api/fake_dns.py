"""A stand-in for DNS while webhook addresses are checked, so tests never wait on the network.

``webhooks.check_url`` resolves an endpoint's host name. Tests (and the Schemathesis run, whose
generated addresses are random names) must not depend on real DNS: its answers change, a lookup
can take seconds, and CI may have none. Inside ``resolving(...)`` the notifications' webhook
module resolves:

* IP addresses as the C library reads them, in any numeric form (no lookup is made for them);
* ``localhost`` to 127.0.0.1, and the names given to the addresses given;
* names under ``.invalid`` (RFC 6761) as not found, at once;
* any other name, to ``default`` (by default a public address of the documentation kind).

Only ``safeguarding.notifications.webhooks`` sees the stand-in: the database, Redis and the
live server resolve as usual.
"""

import ipaddress
import socket
from contextlib import contextmanager
from unittest import mock

from safeguarding.notifications import webhooks

#: A public address (example.com's) that no test connects to.
PUBLIC_ADDRESS = "93.184.215.14"


@contextmanager
def resolving(names: dict[str, str] | None = None, *, default: str | None = PUBLIC_ADDRESS):
    names = {"localhost": "127.0.0.1"} | {
        name.lower(): address for name, address in (names or {}).items()
    }

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        host = str(host).lower()
        try:  # every numeric form the C library reads (2130706433, 0x7f.1, 127.1...): no DNS
            return socket.getaddrinfo(host, port, family, type, proto, socket.AI_NUMERICHOST)
        except socket.gaierror:
            pass
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            address = names.get(host, default)
            if host.endswith(".invalid") or address is None:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        ip = ipaddress.ip_address(address)
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        sockaddr = (address, port, 0, 0) if ip.version == 6 else (address, port)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    class FakeSocketModule:
        """The socket module, with this getaddrinfo."""

        def __getattr__(self, name):
            return getattr(socket, name)

    fake = FakeSocketModule()
    fake.getaddrinfo = getaddrinfo
    with mock.patch.object(webhooks, "socket", fake):
        yield
