from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "safeguarding.subjects"
    label = "subjects"
    verbose_name = "Subjects of work"
