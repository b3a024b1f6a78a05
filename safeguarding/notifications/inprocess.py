"""Celery beat's schedule, run in the web process when there is no broker (``make run``).

With the embedded default, tasks run in-process and no beat runs: notifications whose first
try failed, and actions gone overdue, would wait for ever. Instead, after a request has been
answered, each entry of ``CELERY_BEAT_SCHEDULE`` that is due is run here, at most as often as
its schedule says. With a broker (tests, production) this does nothing: beat does it.
"""

import logging
import threading
import time

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

_last_run: dict[str, float] = {}
_lock = threading.Lock()


def run_schedule(sender=None, **kwargs) -> list[str]:
    """Run the beat entries that are due; return their task names."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    now = time.monotonic()
    due = []
    with _lock:
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            if now - _last_run.get(name, float("-inf")) >= float(entry["schedule"]):
                _last_run[name] = now
                due.append(entry["task"])
    for task in due:
        try:
            import_string(task).apply()  # a task's name is its dotted path
        except Exception:
            logger.exception("The scheduled task %s failed", task)
    return due
