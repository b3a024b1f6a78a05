"""Celery tasks of retention: thin wrappers around :mod:`safeguarding.retention.listing`."""

from celery import shared_task

from . import listing


@shared_task
def list_records_due() -> dict:
    """Celery beat (daily, ``CELERY_BEAT_SCHEDULE``): list every authority's records due for
    review. Returns ``{authority id: {record type: rows due}}`` (ids as text, for JSON)."""
    return {str(k): v for k, v in listing.list_due_everywhere().items()}
