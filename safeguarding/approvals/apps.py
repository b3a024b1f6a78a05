from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "safeguarding.approvals"
    label = "approvals"
    verbose_name = "Sign-off"

    def ready(self):
        # An approval hangs off the subject whose team decides it: declared once, like the
        # record types of the domain (its rule's reading through the subject, its audit, the
        # notifications it sends).
        from safeguarding.subjects import registry

        from . import records

        registry.register(*records.RECORD_TYPES)
