from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safeguarding.api"
    label = "api"
    verbose_name = "Partner API"

    def ready(self):
        from auditlog.registry import auditlog

        from . import schema  # noqa: F401  (registers the OpenAPI extensions)
        from .models import ApiToken

        # Issuing and revoking a token is audited; the hash and the last-used time are not
        # (the one is a secret's fingerprint, the other changes on every use).
        if not auditlog.contains(ApiToken):
            auditlog.register(ApiToken, exclude_fields=["hashed_key", "last_used_at"])
