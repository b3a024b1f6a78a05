from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safeguarding.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from django.core.signals import request_finished

        from . import checks, inprocess  # noqa: F401  (checks registers itself)

        request_finished.connect(inprocess.run_schedule, dispatch_uid="inprocess-schedule")
