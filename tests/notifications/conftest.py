"""Real parts for the notification tests: a Redis of their own (so stopping it disturbs nothing
else), Celery workers (in this process, or a separate process that can be killed), an SMTP
server (aiosmtpd) and a webhook receiver on loopback.

The Redis is private to this module's tests: it is started with ``redis-server`` on a free port,
the Celery app and the Django cache are pointed at it, and it can be stopped and started again.
"""

import email
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.db import connection
from kombu import pools as kombu_pools

from safeguarding.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def all_queues() -> list[str]:
    """Every queue the app sends to: the default (housekeeping) and each channel's."""
    from django.conf import settings

    return list(
        dict.fromkeys([settings.CELERY_TASK_DEFAULT_QUEUE, *settings.NOTIFICATION_QUEUES.values()])
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=30.0, interval=0.05, message="condition"):
    """Poll until ``condition()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


# --- Redis ------------------------------------------------------------------------------------


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603  (redis-server, fixed arguments)
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, message="redis-server to start")

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def _point_celery_at(url: str) -> None:
    """Send this process's Celery app to ``url``, dropping connections to the old broker."""
    # Celery copies broker_url into the read and write URLs when it is configured.
    celery_app.conf.broker_url = celery_app.conf.broker_read_url = url
    celery_app.conf.broker_write_url = url
    celery_app.conf.task_always_eager = False
    kombu_pools.reset()  # kombu's process-wide connection and producer pools
    celery_app.__dict__.pop("pool", None)  # a cached_property
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_broker(settings):
    """A Redis of this test's own, used as the Celery broker and the Django cache."""
    redis = PrivateRedis()
    redis.start()
    old = celery_app.conf.broker_url
    _point_celery_at(redis.url)
    assert celery_app.connection_for_write().as_uri().endswith(f":{redis.port}/0")
    assert celery_app.connection_for_read().as_uri().endswith(f":{redis.port}/0")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url}
    }
    try:
        yield redis
    finally:
        redis.stop()
        _point_celery_at(old)


@pytest.fixture
def worker(redis_broker):
    """A real Celery worker in this process (solo pool), consuming from the private Redis."""

    @contextmanager
    def run():
        # Leave the root logger alone, so what the worker logs reaches pytest's caplog.
        celery_app.conf.worker_hijack_root_logger = False
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=20,
            loglevel="INFO",
            queues=all_queues(),
        ) as w:
            yield w

    return run


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self):
        os.kill(self.process.pid, 9)
        self.process.wait(timeout=10)


@pytest.fixture
def worker_process(redis_broker, smtp, tmp_path):
    """``worker_process(queues=None, **env)``: a Celery worker in a process of its own (so it
    can be killed), on the test database and the private Redis, consuming ``queues`` (a list of
    queue names; every queue the app sends to by default)."""
    started = []

    def start(queues: list[str] | None = None, **env) -> WorkerProcess:
        db = connection.settings_dict
        database_url = (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        log = tmp_path / f"worker-{len(started)}.log"
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_broker.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "WEBHOOKS_ALLOW_INTERNAL": "true",
            **env,
        }
        process = subprocess.Popen(  # noqa: S603  (our celery, fixed arguments)
            [
                CELERY,
                "-A",
                "safeguarding",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--queues",
                ",".join(queues or all_queues()),
                "--hostname",
                f"test-{len(started)}@%h",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        wait_for(
            lambda: "ready." in log.read_text() or process.poll() is not None,
            timeout=60,
            message="the worker process to be ready",
        )
        assert process.poll() is None, log.read_text()
        return WorkerProcess(process, log)

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


# --- SMTP -------------------------------------------------------------------------------------


class Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[str] = []

    refuse: dict = None  # address -> SMTP answer, e.g. "550 5.1.1 No such mailbox"
    refuse_sender: str = ""  # an answer to MAIL FROM, e.g. "530 5.7.0 Authentication required"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = (self.refuse or {}).get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.content.decode("utf-8", errors="replace")
        self.raw.append(data)
        self.messages.append(email.message_from_string(data, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django sends to it over SMTP."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield mailbox
    finally:
        controller.stop()


# --- webhooks ---------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A partner's system: records every request, answers as told, and processes each event id
    once (a repeat is acknowledged and dropped, as Standard Webhooks asks of receivers)."""

    url: str = ""
    fail_first: int = 0  # answer 500 to this many requests, then 200
    always_fail: bool = False
    status: int = 500  # what a failing answer is
    hold_first: bool = False  # keep the first request waiting until ``release`` is set
    requests: list[dict] = field(default_factory=list)
    processed: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict, body: bytes) -> int:
        with self.lock:
            self.requests.append({"headers": headers, "body": body})
            number = len(self.requests)
        if self.hold_first and number == 1:
            self.release.wait(timeout=60)
        if self.always_fail or number <= self.fail_first:
            return self.status
        with self.lock:
            event_id = headers.get("webhook-id")
            if event_id not in self.processed:
                self.processed.append(event_id)
        return 200

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status = state.handle({k.lower(): v for k, v in self.headers.items()}, body)
            try:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender went away (a killed worker)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/safeguarding"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
