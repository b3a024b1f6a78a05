from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "safeguarding.subject_access"
    label = "subject_access"
    verbose_name = "Subject access requests"
