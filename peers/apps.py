from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "peers"

    def ready(self):
        # What hangs off peer groups and young people here (safeguarding/subjects/registry.py).
        from safeguarding.subjects import registry

        from . import records

        registry.register(*records.RECORD_TYPES)
