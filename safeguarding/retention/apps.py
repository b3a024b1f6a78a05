from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "safeguarding.retention"
    label = "retention"
    verbose_name = "Retention"
