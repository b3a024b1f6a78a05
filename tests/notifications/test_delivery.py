"""Notifications reach partner agencies and staff through real Celery workers, a real Redis broker,
a real SMTP server and a webhook receiver on loopback: nothing lost when Redis or a worker fails,
nothing processed twice, no child's details in transit.
"""

import base64
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cases.models import Referral
from safeguarding.api import services as api_services
from safeguarding.notifications.models import Channel, Notification
from safeguarding.notifications.services import EVENT_TYPES, ReferralDecided
from safeguarding.notifications.tasks import dispatch_due_notifications
from tests.api.conftest import referral_body

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

REFERRALS = "/api/v1/referrals/"


@pytest.fixture(autouse=True)
def _nothing_waiting(world):
    """The world's own notifications (work allocated to its workers) are not these tests'."""
    Notification.objects.all().delete()


def partner_api(world, org="p1") -> APIClient:
    issued = api_services.api_token_issue(
        organisation=world.records["accounts.organisation"][org],
        name=f"{org} case system",
        issued_by=world.users["admin"],
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    return client


def subscribe(world, receiver, org="p1", *, mailbox="safeguarding@police.example", events=None):
    """The organisation's channels: a mailbox and a webhook to ``receiver``, for ``events``."""
    organisation = world.records["accounts.organisation"][org]
    Channel.objects.filter(organisation=organisation).delete()
    events = list(EVENT_TYPES) if events is None else events
    channels = []
    if mailbox:
        channels.append(
            Channel.objects.create(
                organisation=organisation, kind="email", email=mailbox, event_types=events
            )
        )
    if receiver is not None:
        channels.append(
            Channel.objects.create(
                organisation=organisation, kind="webhook", url=receiver.url, event_types=events
            )
        )
    return channels


def post_referral(client, **changes):
    return client.post(
        REFERRALS,
        referral_body(**changes),
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def record_decision(world, org="p1") -> list[Notification]:
    """A notification for organisation ``org``, recorded as a service does: in a transaction,
    queued for the workers when it commits."""
    with transaction.atomic():
        return ReferralDecided.record(
            authority=world.records["accounts.organisation"]["la"],
            organisations=[world.records["accounts.organisation"][org]],
            reference="RTEST12345",
            link="/front-door/referrals/1",
        )


def status_of(row) -> Notification:
    return Notification.objects.get(pk=row.pk)


# --- end to end -------------------------------------------------------------------------------


def test_a_referral_is_acknowledged_by_email_and_by_a_signed_webhook(world, worker, smtp, receiver):
    webhook = subscribe(world, receiver)[1]
    client = partner_api(world)
    with worker():
        response = post_referral(client)
        assert response.status_code == 201, response.content
        reference = response.json()["reference"]
        wait_for(lambda: len(smtp.messages) == 2 and receiver.processed, message="deliveries")

    # Email: to the organisation's mailbox and to the referrer's address, over SMTP.
    recipients = sorted(m["To"] for m in smtp.messages)
    assert recipients == ["pc@police.example", "safeguarding@police.example"]
    for message in smtp.messages:
        assert message["Subject"] == f"Referral received: {reference}"
        body = message.get_content()
        assert reference in body
        assert (
            "http://127.0.0.1:8000" + Referral.objects.get(reference=reference).get_absolute_url()
            in body
        )
        assert message["Auto-Submitted"] == "auto-generated"
    # Each email's Message-ID is its notification's event id: the same on every attempt.
    event_ids = {str(i) for i in Notification.objects.values_list("event_id", flat=True)}
    assert {m["Message-ID"].strip("<>").split("@")[0] for m in smtp.messages} <= event_ids

    # Webhook: Standard Webhooks headers, verified by the reference library.
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    verified = Webhook(webhook.secret).verify(body, headers)
    assert verified["type"] == "referral.received"
    assert verified["data"]["reference"] == reference
    assert headers["webhook-id"] == verified["data"]["event_id"]

    # A tampered body, a stale timestamp (correctly signed, but old) and another endpoint's
    # secret all fail verification.
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook.secret).verify(body.replace(reference.encode(), b"RTAMPERED0"), headers)
    stale = datetime.now(UTC) - timedelta(minutes=10)
    stale_headers = {
        **headers,
        "webhook-timestamp": str(int(stale.timestamp())),
        "webhook-signature": Webhook(webhook.secret).sign(
            headers["webhook-id"], stale, body.decode()
        ),
    }
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(webhook.secret).verify(body, stale_headers)
    other_secret = "whsec_" + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other_secret).verify(body, headers)

    rows = Notification.objects.filter(reference=reference)
    assert rows.count() == 3
    assert set(rows.values_list("status", "attempts")) == {("sent", 1)}


def test_redis_down_when_a_referral_arrives_loses_nothing(
    world, redis_broker, worker, smtp, receiver, caplog
):
    subscribe(world, receiver)
    client = partner_api(world)
    redis_broker.stop()

    started = time.monotonic()
    response = post_referral(client)
    elapsed = time.monotonic() - started
    # The referral is saved and the partner answered, without hanging on the broker (a hang
    # would be the broker's connection timeouts and retries: tens of seconds or for ever).
    assert response.status_code == 201, response.content
    assert elapsed < 5, f"the API took {elapsed:.1f}s with Redis down"
    logged = caplog.text
    assert "Could not queue notification" in logged  # the broker really was down
    assert "Rate limit not applied: the cache is unreachable" in logged
    reference = response.json()["reference"]
    waiting = Notification.objects.filter(reference=reference)
    assert waiting.count() == 3
    assert set(waiting.values_list("status", "attempts")) == {("pending", 0)}

    redis_broker.start()
    with worker():
        # What Celery beat does every minute: queue whatever is due.
        dispatch_due_notifications.delay()
        wait_for(
            lambda: not waiting.exclude(status="sent").exists(),
            message="the sweep to deliver what was waiting",
        )
    assert len(smtp.messages) == 2
    assert len(receiver.processed) == 1


def test_a_worker_killed_mid_delivery_still_delivers_and_the_receiver_processes_once(
    world, worker_process, worker, receiver
):
    subscribe(world, receiver, mailbox=None)
    receiver.hold_first = True
    doomed = worker_process(NOTIFICATION_LEASE_SECONDS="2")
    [row] = record_decision(world)

    # The worker has claimed the notification and its request is at the receiver: kill it.
    wait_for(lambda: receiver.requests, message="the first delivery to reach the receiver")
    assert status_of(row).attempts == 1
    doomed.kill()
    receiver.release.set()
    assert status_of(row).status == "pending"

    # Once the dead worker's claim has run out, the sweep queues it again for another worker.
    with worker():
        wait_for(
            lambda: dispatch_due_notifications.delay() and status_of(row).status == "sent",
            timeout=30,
            interval=1,
            message="redelivery after the worker died",
        )
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert ids == {str(row.event_id)}  # the same event id on both attempts
    assert len(receiver.requests) == 2  # so the receiver, dropping repeats, acts on it once
    assert status_of(row).attempts == 2


# --- retries and the dead letter --------------------------------------------------------------


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 1
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 1


def test_a_receiver_that_fails_five_times_then_succeeds_gets_the_message(
    world, worker, receiver, fast_retries
):
    webhook = subscribe(world, receiver, mailbox=None)[0]
    receiver.fail_first = 5
    with worker():
        [row] = record_decision(world)
        wait_for(lambda: status_of(row).status == "sent", timeout=60, message="the sixth try")
    row = status_of(row)
    assert row.attempts == 6
    assert len(receiver.requests) == 6
    for request in receiver.requests:  # every attempt is signed afresh, with the same id
        Webhook(webhook.secret).verify(request["body"], request["headers"])
        assert request["headers"]["webhook-id"] == str(row.event_id)


def test_a_receiver_that_always_fails_ends_dead_lettered(world, worker, receiver, settings):
    subscribe(world, receiver, mailbox=None)
    receiver.always_fail = True
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 1
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 1
    with worker():
        [row] = record_decision(world)
        wait_for(lambda: status_of(row).status == "dead", timeout=60, message="dead letter")
        time.sleep(1.5)  # nothing more is tried once it is dead
    row = status_of(row)
    assert row.attempts == 3
    assert row.last_error == "The endpoint answered HTTP 500."
    assert len(receiver.requests) == 3
    assert receiver.processed == []


def test_backoff_grows_exponentially_with_jitter_and_is_capped(settings):
    from safeguarding.notifications.delivery import backoff_seconds

    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 600
    for attempts, ceiling in ((1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 600), (9, 600)):
        delays = {backoff_seconds(attempts) for _ in range(200)}
        assert max(delays) <= ceiling
        assert min(delays) >= 1
        assert len(delays) > 5, "jittered, not a fixed delay"


# --- what is in transit -----------------------------------------------------------------------


def test_webhooks_never_reach_internal_addresses_in_production(world, receiver, settings):
    """The endpoint was saved when loopback was allowed; with production's rule in force the
    delivery is refused at send time (a DNS name re-pointed inside would be refused the same
    way), and the receiver sees nothing."""
    from safeguarding.notifications.delivery import attempt

    subscribe(world, receiver, mailbox=None)
    [row] = record_decision(world)
    settings.WEBHOOKS_ALLOW_INTERNAL = False
    assert attempt(row.pk) == "pending"
    assert receiver.requests == []
    assert "https://" in status_of(row).last_error


@pytest.fixture
def in_process(settings):
    """Tasks run in the web process, as with `make run` (no broker)."""
    from safeguarding.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_make_run_retries_in_process_after_requests(
    world, in_process, receiver, fast_retries, client
):
    """Without beat, the schedule (the sweep among it) runs in the web process after requests:
    a first try that failed is tried again."""
    from safeguarding.notifications import inprocess

    subscribe(world, receiver, mailbox=None)
    receiver.fail_first = 1
    inprocess._last_run.clear()
    client.get("/healthz")  # the schedule's first run: nothing is due yet
    [row] = record_decision(world)
    assert status_of(row).status == "pending" and status_of(row).attempts == 1
    inprocess._last_run.clear()  # as if a minute had passed
    time.sleep(1.1)  # the retry's time comes
    client.get("/healthz")
    assert status_of(row).status == "sent" and status_of(row).attempts == 2
    assert len(receiver.requests) == 2


def test_the_sweep_does_not_queue_again_what_it_has_just_queued(world):
    from safeguarding.notifications.delivery import SWEEP_REQUEUE_AFTER, dispatch_due

    subscribe(world, None)
    [row] = record_decision(world)  # queued after commit; suppose that message was lost
    assert dispatch_due() == 1
    assert dispatch_due() == 0  # still waiting for a worker: not queued again
    Notification.objects.filter(pk=row.pk).update(
        swept_at=timezone.now() - SWEEP_REQUEUE_AFTER - timedelta(seconds=1)
    )
    assert dispatch_due() == 1  # a while later, still not taken: queued again


def test_a_delivery_whose_worker_dies_every_time_ends_dead_lettered(world, settings):
    """Each claim counts an attempt; if the worker dies every time, nothing records a failure,
    so the sweep gives the row up once the last claim has run out."""
    from safeguarding.notifications.delivery import attempt, dispatch_due

    subscribe(world, None)
    [row] = record_decision(world)
    Notification.objects.filter(pk=row.pk).update(
        attempts=settings.NOTIFICATION_MAX_ATTEMPTS,
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )
    assert attempt(row.pk) is None  # no claim beyond the limit
    dispatch_due()
    row = status_of(row)
    assert row.status == "dead"
    assert row.last_error == "The worker sending it stopped on every attempt."


@pytest.mark.parametrize("answer", ["410", "removed"])
def test_an_endpoint_that_is_gone_is_dead_lettered_at_once(world, receiver, answer):
    from safeguarding.notifications.delivery import attempt

    channel = subscribe(world, receiver, mailbox=None)[0]
    [row] = record_decision(world)
    if answer == "410":
        receiver.always_fail = True
        receiver.status = 410
    else:
        channel.delete()
    assert attempt(row.pk) == "dead"
    assert status_of(row).attempts == 1
    assert "410" in status_of(row).last_error or "removed" in status_of(row).last_error


@pytest.mark.parametrize(
    ("answer", "status", "error"),
    [
        ("550 5.1.1 No such mailbox", "dead", "The mail server refused the address (550)."),
        (
            "450 4.2.1 Mailbox busy, try later",
            "pending",
            "The mail server refused the address (450).",
        ),
    ],
)
def test_a_mailbox_that_does_not_exist_is_dead_lettered_and_a_busy_one_retried(
    world, smtp, answer, status, error
):
    from safeguarding.notifications.delivery import attempt

    subscribe(world, None, mailbox="gone@police.example")
    smtp.refuse = {"gone@police.example": answer}
    [row] = record_decision(world)
    assert attempt(row.pk) == status
    assert status_of(row).last_error == error
    assert smtp.messages == []


def test_a_mail_server_refusing_us_is_retried_not_given_up(world, smtp):
    """Credentials or our sender address wrong: every email fails alike, and is put right on our
    side, so nothing is dead-lettered at once."""
    from safeguarding.notifications.delivery import attempt

    subscribe(world, None)
    smtp.refuse_sender = "530 5.7.0 Authentication required"
    [row] = record_decision(world)
    assert attempt(row.pk) == "pending"
    assert status_of(row).last_error == "The mail server answered 530."


def test_a_switched_off_endpoint_keeps_its_deliveries_waiting(world, receiver):
    from safeguarding.notifications.delivery import attempt

    channel = subscribe(world, receiver, mailbox=None)[0]
    [row] = record_decision(world)
    Channel.objects.filter(pk=channel.pk).update(is_active=False)
    assert attempt(row.pk) == "pending"
    assert status_of(row).last_error == "The endpoint is switched off."
    assert receiver.requests == []


def test_each_address_of_the_endpoint_is_tried_in_turn(world, receiver, monkeypatch):
    """The name has two addresses; nothing listens on the first."""
    from safeguarding.notifications import webhooks
    from safeguarding.notifications.delivery import attempt

    channel = subscribe(world, receiver, mailbox=None)[0]
    port = int(receiver.url.split(":")[2].split("/")[0])
    channel.url = f"http://two.example.org:{port}/hooks"
    channel.save()

    class TwoAddresses:  # the socket module, as the webhooks module sees it, for this name
        def __getattr__(self, name):
            return getattr(socket, name)

        @staticmethod
        def getaddrinfo(host, port, *args, **kwargs):
            return [(2, 1, 6, "", ("127.0.0.2", port)), (2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(webhooks, "socket", TwoAddresses())
    [row] = record_decision(world)
    assert attempt(row.pk) == "sent"
    assert receiver.requests[0]["headers"]["host"] == f"two.example.org:{port}"


def test_make_run_delivers_in_process_to_the_console(world, settings, capsys):
    """With no broker (the embedded default), tasks run in the web process and emails are
    printed on the console, so someone trying the app sees notifications happen."""
    from safeguarding.celery import app

    subscribe(world, None)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    app.conf.task_always_eager = True
    try:
        [row] = [r for r in record_decision(world) if r.kind == "email"]
    finally:
        app.conf.task_always_eager = False
    printed = capsys.readouterr().out
    assert "Subject: Referral decided: RTEST12345" in printed
    assert status_of(row).status == "sent"


def test_celery_is_configured_for_at_least_once_delivery(settings):
    from safeguarding.celery import app

    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    visibility_timeout = conf.broker_transport_options["visibility_timeout"]
    # The broker redelivers an unacknowledged task only after it could no longer be running.
    assert conf.task_time_limit < settings.NOTIFICATION_LEASE_SECONDS < visibility_timeout
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert visibility_timeout > settings.NOTIFICATION_QUEUE_RETRY_WITHIN
    # Queuing gives up quickly when the broker is down (the sweep sends it later).
    policy = conf.task_publish_retry_policy
    assert policy["max_retries"] <= 3 and policy["interval_max"] <= 1
    assert conf.broker_connection_timeout <= 5
    # Retries are bounded, and a sweep runs on the beat schedule.
    assert 1 < settings.NOTIFICATION_MAX_ATTEMPTS <= 20
    tasks = {entry["task"] for entry in conf.beat_schedule.values()}
    for name in tasks:  # each is its task's dotted path (make run imports them by it)
        assert import_string(name).name == name
    assert "safeguarding.notifications.tasks.dispatch_due_notifications" in tasks
    assert "cases.tasks.notify_overdue_actions" in tasks


def test_timings_that_would_send_twice_stop_the_app(settings):
    from safeguarding.notifications.checks import delivery_timings

    assert delivery_timings() == []
    settings.NOTIFICATION_LEASE_SECONDS = settings.CELERY_TASK_TIME_LIMIT
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60}
    assert [e.id for e in delivery_timings()] == ["notifications.E001", "notifications.E002"]


def test_events_are_recorded_only_inside_the_transaction_of_their_event(world):
    with pytest.raises(RuntimeError, match="transaction"):
        ReferralDecided.record(
            authority=world.records["accounts.organisation"]["la"],
            organisations=[world.records["accounts.organisation"]["p1"]],
            reference="R",
            link="/",
        )
