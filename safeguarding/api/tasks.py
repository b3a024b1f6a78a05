"""Celery tasks of the API (thin wrappers around services)."""

from celery import shared_task

from . import services


@shared_task
def purge_idempotency_keys() -> int:
    """Delete idempotency keys past their 24 hours. Run it hourly (Celery beat)."""
    return services.idempotency_keys_purge()
