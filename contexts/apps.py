from django.apps import AppConfig


class ContextsConfig(AppConfig):
    name = "contexts"

    def ready(self):
        # What hangs off a place (safeguarding/subjects/registry.py).
        from safeguarding.subjects import registry

        from . import records

        registry.register(*records.RECORD_TYPES)
