from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safeguarding.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from auditlog.models import LogEntry
        from auditlog.signals import pre_log
        from django.db.models.signals import pre_save

        from . import origin, registry

        registry.register_audited_models()
        pre_save.connect(
            registry.attribute_to_authority, sender=LogEntry, dispatch_uid="audit-authority"
        )
        pre_log.connect(origin.remember_record, dispatch_uid="audit-record")
        pre_save.connect(origin.tag_row, sender=LogEntry, dispatch_uid="audit-origin")
        pre_save.connect(registry.neutral_repr, sender=LogEntry, dispatch_uid="audit-repr")
