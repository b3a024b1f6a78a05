"""Driving the server: signed-in users over HTTP, timings and their summary (no Django here)."""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import urllib3

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Request:
    """One request of a page: method, path, form fields or JSON, extra headers."""

    method: str
    path: str
    fields: dict | list | None = None
    json_body: bytes | None = None
    headers: dict = field(default_factory=dict)
    expect: tuple[int, ...] = (200,)


class Session:
    """One user's browser: its own connection and cookies (production cookies are secure-only,
    which a plain-HTTP client on 127.0.0.1 would otherwise drop)."""

    def __init__(self, base: str, timeout: float):
        self.base = base
        self.pool = urllib3.PoolManager(
            maxsize=1, retries=False, timeout=urllib3.Timeout(total=timeout)
        )
        self.cookies: dict[str, str] = {}

    def _remember(self, response) -> None:
        for header in response.headers.getlist("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def send(self, request: Request) -> tuple[int, int]:
        """(status, body size in bytes). Raises on a network error or a timeout."""
        headers = dict(request.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if request.method != "GET":
            # The CSRF cookie: ``csrftoken``, or ``__Host-csrftoken`` in production mode.
            token = next((v for k, v in self.cookies.items() if k.endswith("csrftoken")), None)
            if token:
                headers.setdefault("X-CSRFToken", token)
            if request.json_body is not None:
                body = request.json_body
                headers.setdefault("Content-Type", "application/json")
            elif request.fields is not None:
                body = urlencode(request.fields, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = self.pool.request(
            request.method,
            self.base + request.path,
            body=body,
            headers=headers,
            redirect=False,
            preload_content=True,
        )
        self._remember(response)
        return response.status, len(response.data)

    def _form_token(self, path: str) -> str:
        response = self.pool.request(
            "GET", self.base + path, redirect=False, headers=self._cookie_header()
        )
        self._remember(response)
        match = _CSRF_INPUT.search(response.data.decode())
        if not match:
            raise RuntimeError(f"{path} has no CSRF token (HTTP {response.status})")
        return match[1]

    def _cookie_header(self) -> dict:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def sign_in(self, username: str, password: str, recovery_code: str | None = None) -> None:
        """Sign in through the login page and, with ``recovery_code``, the second factor's
        recovery-code page (production mode asks everyone for a second factor). The session
        cookie is ``sessionid``, or ``__Host-sessionid`` in production mode."""
        csrf = self._form_token("/accounts/login/")
        status, _ = self.send(
            Request(
                "POST",
                "/accounts/login/",
                {"username": username, "password": password, "csrfmiddlewaretoken": csrf},
                expect=(302,),
            )
        )
        if recovery_code is not None and status == 302:
            path = "/accounts/second-factor/recovery-code/"
            csrf = self._form_token(path)
            status, _ = self.send(
                Request(
                    "POST",
                    path,
                    {"code": recovery_code, "csrfmiddlewaretoken": csrf},
                    expect=(302,),
                )
            )
        if status != 302 or not any(name.endswith("sessionid") for name in self.cookies):
            raise RuntimeError(f"{username} could not sign in (HTTP {status})")


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    size: int = 0

    def quantile(self, q: float) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        # Nearest rank: the p95 of 100 requests is the 95th slowest, never an interpolation.
        rank = max(1, min(len(ordered), round(q * len(ordered) + 0.4999)))
        return ordered[rank - 1]

    @property
    def p50(self):
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def p95(self):
        return self.quantile(0.95)

    @property
    def max(self):
        return max(self.seconds) if self.seconds else None


def _one(session: Session, request: Request, timings: Timings, lock: threading.Lock) -> None:
    started = time.perf_counter()
    try:
        status, size = session.send(request)
        error = None if status in request.expect else f"HTTP {status}"
    except Exception as exc:  # a timeout or a dropped connection counts against the page
        status, size, error = 0, 0, type(exc).__name__
    elapsed = time.perf_counter() - started
    with lock:
        timings.seconds.append(elapsed)
        timings.size = max(timings.size, size)
        if error:
            timings.errors.append(error)


def run_single(session: Session, make_request: Callable[[int], Request], count: int) -> Timings:
    """One user, one request after another (after one unmeasured warm-up request)."""
    timings, lock = Timings(), threading.Lock()
    _one(session, make_request(-1), Timings(), lock)
    for n in range(count):
        _one(session, make_request(n), timings, lock)
    return timings


def run_concurrent(
    sessions: list[Session],
    make_request: Callable[[int], Request],
    requests_per_user: int,
    page_seconds: float,
) -> Timings:
    """Each session in its own thread, back to back, until its requests or the time are used."""
    timings, lock = Timings(), threading.Lock()
    deadline = time.monotonic() + page_seconds
    counter = iter(range(10**9))

    def user(session):
        for _ in range(requests_per_user):
            if time.monotonic() > deadline:
                return
            with lock:
                n = next(counter)
            _one(session, make_request(n), timings, lock)

    threads = [threading.Thread(target=user, args=(s,), daemon=True) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings
