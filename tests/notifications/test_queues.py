"""One slow partner must not delay everyone (issue 13): a partner's webhook endpoint that hangs
holds a worker for the whole webhook timeout, so webhooks and email are delivered from queues of
their own, each consumed by its own worker. Real worker processes, a real Redis, a real SMTP
server and an endpoint that takes the connection and never answers.
"""

import socket
import threading
import time

import pytest
from django.db import transaction

from safeguarding.notifications.models import Channel, Notification
from safeguarding.notifications.services import ReferralDecided, queue_name

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _nothing_waiting(world):
    Notification.objects.all().delete()


@pytest.fixture
def hanging_endpoint():
    """An HTTP endpoint on loopback that accepts every connection and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # read nothing, answer nothing, keep it open

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks", held
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        server.close()


def record(world, hanging_url):
    """A decision the partner hears of by webhook (its endpoint hangs) and a member of staff by
    email, recorded as a service does: queued when the transaction commits."""
    partner = world.records["accounts.organisation"]["p1"]
    Channel.objects.filter(organisation=partner).delete()
    Channel.objects.create(
        organisation=partner,
        kind="webhook",
        url=hanging_url,
        event_types=[ReferralDecided.event_type],
    )
    authority = world.records["accounts.organisation"]["la"]
    common = {"authority": authority, "reference": "RTEST12345", "link": "/front-door/referrals/1"}
    # The webhook first: a single worker would take it first and hang on it.
    with transaction.atomic():
        [webhook] = ReferralDecided.record(organisations=[partner], **common)
    with transaction.atomic():
        [email] = ReferralDecided.record(users=[world.users["tm"]], **common)
    assert (webhook.kind, email.kind) == ("webhook", "email")
    return webhook, email


def test_each_channel_has_a_queue_of_its_own(settings):
    assert queue_name("email") != queue_name("webhook")
    assert settings.CELERY_TASK_DEFAULT_QUEUE not in (queue_name("email"), queue_name("webhook"))


def test_staff_email_is_delivered_while_a_partner_endpoint_hangs(
    world, worker_process, smtp, hanging_endpoint
):
    url, held = hanging_endpoint
    worker_process(queues=[queue_name("webhook")])
    worker_process(queues=[queue_name("email")])
    world.users["tm"].email = "tm.jordan@eastbrook.example"
    world.users["tm"].save(update_fields=["email"])
    started = time.monotonic()
    webhook, email = record(world, url)

    wait_for(lambda: held, timeout=20, message="the webhook worker to reach the endpoint")
    wait_for(lambda: smtp.messages, timeout=20, message="the staff email")
    waited = time.monotonic() - started

    # The email went while the webhook was still waiting for its answer (10 s timeout).
    assert [m["To"] for m in smtp.messages] == ["tm.jordan@eastbrook.example"]
    assert Notification.objects.get(pk=email.pk).status == Notification.Status.SENT
    hanging = Notification.objects.get(pk=webhook.pk)
    assert hanging.status == Notification.Status.PENDING
    assert hanging.attempts == 1 and hanging.last_error == ""  # claimed, still in flight
    assert waited < 8, waited


def test_one_worker_for_everything_would_hold_the_email_until_the_webhook_times_out(
    world, worker_process, smtp, hanging_endpoint
):
    """The control: the same deliveries through one worker consuming both queues (as before)
    wait behind the hanging endpoint, which is what the separate workers prevent."""
    url, held = hanging_endpoint
    worker_process(queues=[queue_name("webhook"), queue_name("email")], WEBHOOK_TIMEOUT_SECONDS="3")
    world.users["tm"].email = "tm.jordan@eastbrook.example"
    world.users["tm"].save(update_fields=["email"])
    webhook, _email = record(world, url)

    wait_for(lambda: held, timeout=20, message="the worker to reach the endpoint")
    reached = time.monotonic()
    wait_for(lambda: smtp.messages, timeout=30, message="the staff email")
    assert time.monotonic() - reached > 2  # it waited for the webhook's timeout
    assert Notification.objects.get(pk=webhook.pk).last_error  # which then failed, to retry


def test_each_queue_has_its_own_worker_in_the_production_stack(settings):
    import shlex
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).parents[2] / "docker-compose.yml").read_text())
    consumed = {}
    for name, service in compose["services"].items():
        command = (
            shlex.split(service.get("command") or "")
            if isinstance(service.get("command"), str)
            else service.get("command") or []
        )
        if command[:4] == ["celery", "-A", "safeguarding", "worker"]:
            consumed[name] = command[command.index("--queues") + 1].split(",")
    wanted = [settings.CELERY_TASK_DEFAULT_QUEUE, *settings.NOTIFICATION_QUEUES.values()]
    assert sorted(q for queues in consumed.values() for q in queues) == sorted(wanted)
    assert all(len(queues) == 1 for queues in consumed.values()), consumed


def test_queues_that_would_share_a_worker_stop_the_app(settings):
    from safeguarding.notifications.checks import delivery_timings

    settings.NOTIFICATION_QUEUES = {"email": "celery", "webhook": "webhooks"}
    assert [e.id for e in delivery_timings()] == ["notifications.E004"]
