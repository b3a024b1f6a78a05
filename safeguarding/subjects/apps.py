from django.apps import AppConfig
from django.db.backends.signals import connection_created


class SubjectsConfig(AppConfig):
    name = "safeguarding.subjects"
    label = "subjects"
    verbose_name = "Subjects of work"

    def ready(self):
        from safeguarding.duplicates import register_sqlite_functions

        # The embedded default (SQLite, for `make run`) has no regexp_replace: matching
        # possible duplicates (safeguarding/duplicates.py) needs it on both databases.
        connection_created.connect(register_sqlite_functions, dispatch_uid="sqlite-regexp")
