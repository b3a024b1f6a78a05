"""Celery tasks: thin wrappers around ``delivery``. Arguments are row ids, never content."""

from celery import shared_task

from . import delivery


@shared_task(ignore_result=True)
def deliver_notification(pk: int) -> None:
    delivery.attempt(pk)


@shared_task(ignore_result=True)
def dispatch_due_notifications() -> int:
    return delivery.dispatch_due()
