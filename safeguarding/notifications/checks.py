"""Settings that would break at-least-once delivery stop the app at start (``manage.py check``)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def delivery_timings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    lease = settings.NOTIFICATION_LEASE_SECONDS
    limit = settings.CELERY_TASK_TIME_LIMIT
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    errors = []
    if lease <= limit:
        errors.append(
            checks.Error(
                f"NOTIFICATION_LEASE_SECONDS ({lease}) must be longer than the tasks' hard time "
                f"limit ({limit}s), or a delivery still running could be sent again.",
                id="notifications.E001",
            )
        )
    if visibility <= max(lease, settings.NOTIFICATION_QUEUE_RETRY_WITHIN):
        errors.append(
            checks.Error(
                f"The broker's visibility_timeout ({visibility}s) must be longer than the lease "
                "and the longest queued retry, or Redis would hand a task out twice.",
                id="notifications.E002",
            )
        )
    if settings.NOTIFICATION_MAX_ATTEMPTS < 1:
        errors.append(
            checks.Error("NOTIFICATION_MAX_ATTEMPTS must be at least 1.", id="notifications.E003")
        )
    queues = settings.NOTIFICATION_QUEUES
    if (
        set(queues) != {"email", "webhook"}
        or len({*queues.values(), settings.CELERY_TASK_DEFAULT_QUEUE}) != 3
    ):
        errors.append(
            checks.Error(
                "NOTIFICATION_QUEUES must name a queue for email and one for webhooks, each "
                "its own and not the default queue: a partner's endpoint that hangs would "
                "otherwise hold up staff email.",
                id="notifications.E004",
            )
        )
    return errors
