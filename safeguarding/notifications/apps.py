from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safeguarding.notifications"
    label = "notifications"
    verbose_name = "Notifications"
