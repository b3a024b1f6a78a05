"""Idempotency-Key on POST /api/v1/referrals/: replay, reuse, in progress, scope, retention."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from cases.models import Referral
from safeguarding.api import services as api_services
from safeguarding.api.models import IdempotencyKey
from tests.api.conftest import REFERRALS, assert_problem, client_with, post_referral, referral_body


def test_the_same_key_and_body_replays_the_first_answer_and_creates_nothing(world, api):
    police, key = api("p1"), str(uuid.uuid4())
    first = post_referral(police, key=key)
    assert first.status_code == 201
    assert not first.has_header("Idempotent-Replayed")
    count = Referral.objects.count()

    again = post_referral(police, key=key)

    assert again.status_code == 201
    assert again.content == first.content  # the same bytes, keys in the same order
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == count


def test_the_same_body_with_its_keys_in_another_order_is_the_same_request(world, api):
    police, key = api("p1"), str(uuid.uuid4())
    body = referral_body()
    assert post_referral(police, body, key=key).status_code == 201
    reordered = dict(reversed(list(body.items())))
    assert post_referral(police, reordered, key=key)["Idempotent-Replayed"] == "true"


def test_a_quoted_key_is_the_same_key(world, api):
    police = api("p1")
    assert post_referral(police, key="abc-123").status_code == 201
    assert post_referral(police, key='"abc-123"')["Idempotent-Replayed"] == "true"


def test_the_same_key_with_a_different_body_is_a_422(world, api):
    police, key = api("p1"), str(uuid.uuid4())
    assert post_referral(police, key=key).status_code == 201
    count = Referral.objects.count()
    changed = referral_body(narrative="A different account of what happened.")
    assert_problem(post_referral(police, changed, key=key), 422, "idempotency-key-reused")
    assert Referral.objects.count() == count


def test_keys_are_scoped_to_the_organisation(world, api):
    key = str(uuid.uuid4())
    police = post_referral(api("p1"), key=key)
    school = post_referral(api("p2"), referral_body(narrative="The school's own."), key=key)
    assert police.status_code == school.status_code == 201
    assert not school.has_header("Idempotent-Replayed")
    assert police.json()["reference"] != school.json()["reference"]
    assert IdempotencyKey.objects.filter(key=key).count() == 2


def test_all_of_an_organisations_tokens_share_its_keys(world, api, issue_token):
    key = str(uuid.uuid4())
    first = post_referral(api("p1"), key=key)
    second_token = client_with(issue_token("p1").secret)
    again = post_referral(second_token, key=key)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_a_key_is_required_and_must_be_well_formed(world, api):
    police = api("p1")
    count = Referral.objects.count()
    response = police.post(REFERRALS, referral_body(), format="json")
    assert_problem(response, 400, "idempotency-key-required")
    for bad in ("", "has space", "x" * 256, '"unbalanced', "naïve"):
        problem = assert_problem(post_referral(police, key=bad), 400, "idempotency-key-required")
        assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert Referral.objects.count() == count


def test_a_request_that_failed_saved_nothing_and_frees_its_key(world, api):
    police, key = api("p1"), str(uuid.uuid4())
    invalid = referral_body(harm_categories=["not-a-category"])
    assert_problem(post_referral(police, invalid, key=key), 422, "validation-failed")
    # The corrected request may use the same key.
    fixed = post_referral(police, key=key)
    assert fixed.status_code == 201
    assert not fixed.has_header("Idempotent-Replayed")


def test_keys_are_kept_for_24_hours_then_may_be_reused_and_are_purged(world, api):
    police, key = api("p1"), str(uuid.uuid4())
    assert post_referral(police, key=key).status_code == 201
    row = IdempotencyKey.objects.get(key=key)
    assert row.caller == police.token.service_user
    assert row.organisation == police.token.organisation

    IdempotencyKey.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(hours=23, minutes=59)
    )
    assert post_referral(police, key=key)["Idempotent-Replayed"] == "true"

    IdempotencyKey.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    assert api_services.idempotency_keys_purge() == 1
    assert not IdempotencyKey.objects.filter(pk=row.pk).exists()
    fresh = post_referral(police, referral_body(narrative="A new referral."), key=key)
    assert fresh.status_code == 201 and not fresh.has_header("Idempotent-Replayed")


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_is_processing_is_a_409(world, api):
    """Another connection holds the key's lock, as the first request does while it works."""
    police, key = api("p1"), str(uuid.uuid4())
    caller = police.token.service_user
    IdempotencyKey.objects.create(
        caller=caller, organisation=caller.organisation, key=key, method="POST",
        path=REFERRALS, fingerprint="0" * 64,
    )  # fmt: skip
    locked, release = threading.Event(), threading.Event()

    def first_request_working():
        try:
            with transaction.atomic():
                IdempotencyKey.objects.select_for_update().get(caller=caller, key=key)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    worker = threading.Thread(target=first_request_working)
    worker.start()
    try:
        assert locked.wait(30)
        count = Referral.objects.count()
        response = post_referral(police, key=key)
        problem = assert_problem(response, 409, "idempotency-key-in-use")
        assert response["Retry-After"] == "1"
        assert "still being processed" in problem["detail"]
        assert Referral.objects.count() == count
    finally:
        release.set()
        worker.join(30)
    # Once the first attempt has gone (it saved nothing), the retry goes through.
    assert post_referral(police, key=key).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_the_same_request_from_many_threads_at_once_makes_one_referral(world, api):
    """Real threads, each with its own database connection, released together."""
    police, key = api("p1"), str(uuid.uuid4())
    secret_header = police._credentials["HTTP_AUTHORIZATION"]
    body = referral_body(narrative="Sent eight times at once by a retrying client.")
    threads_count = 8
    start = threading.Barrier(threads_count)
    statuses, replayed, references, errors = [], [], [], []
    lock = threading.Lock()

    def send():
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=secret_header)
        try:
            start.wait(30)
            response = post_referral(client, body, key=key)
            with lock:
                statuses.append(response.status_code)
                replayed.append(response.has_header("Idempotent-Replayed"))
                if response.status_code == 201:
                    references.append(response.json()["reference"])
        except Exception as error:  # reported below
            with lock:
                errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    assert len(statuses) == threads_count
    assert set(statuses) <= {201, 409}, statuses
    assert Referral.objects.filter(narrative=body["narrative"]).count() == 1
    assert len(set(references)) == 1  # every 201 is the one referral, first or replayed
    assert replayed.count(False) - statuses.count(409) == 1  # exactly one was not a replay
    print(f"concurrent idempotent POSTs: {sorted(statuses)}")


def test_the_purge_task_deletes_old_keys(world, api):
    from safeguarding.api.tasks import purge_idempotency_keys

    police, key = api("p1"), str(uuid.uuid4())
    assert post_referral(police, key=key).status_code == 201
    assert purge_idempotency_keys.apply().get() == 0
    IdempotencyKey.objects.filter(key=key).update(created_at=timezone.now() - timedelta(days=2))
    assert purge_idempotency_keys.apply().get() == 1


def test_celery_beat_runs_the_purge_hourly():
    from django.conf import settings

    from safeguarding.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 3600
