"""The beat job, run by a real Celery worker (in this process, solo pool) from the broker:
it lists the records due of every authority. ``transaction=True``: the worker reads the
database through its own connection, so the rows must be committed."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from safeguarding.accounts.models import Organisation
from safeguarding.celery import app as celery_app
from safeguarding.retention.models import RetentionReview
from safeguarding.retention.tasks import list_records_due

from .helpers import old_young_person


def test_the_beat_job_is_declared():
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "safeguarding.retention.tasks.list_records_due"
    )
    assert entry["schedule"] > 0
    assert list_records_due.name == entry["task"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_lists_the_records_due():
    if celery_app.conf.task_always_eager or settings.CELERY_BROKER_URL.startswith("memory"):
        pytest.skip("needs CELERY_BROKER_URL (Redis)")  # pragma: no cover - CI sets it
    la = Organisation.objects.create(name="Worker Borough", kind="local_authority")
    other = Organisation.objects.create(name="Worker Else", kind="local_authority")
    mine, theirs = old_young_person(la), old_young_person(other)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        list_records_due.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (
                RetentionReview.objects.filter(subject__in=[mine.subject, theirs.subject]).count()
                == 2
            ):
                break
            time.sleep(0.2)
    reviews = RetentionReview.objects.filter(subject__in=[mine.subject, theirs.subject])
    assert {(r.authority_id, r.reference) for r in reviews} == {
        (la.pk, mine.reference),
        (other.pk, theirs.reference),
    }
    assert {r.status for r in reviews} == {"due"}
