"""Which records are audited, and the one call that records a read."""

from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.apps import apps

# Every record that holds or reveals a young person's information: changes to these are
# written to the audit automatically (django-auditlog, with the signed-in user as actor).
AUDITED_MODELS = [
    "cases.YoungPerson",
    "cases.Alias",
    "cases.HarmFlag",
    "cases.Case",
    "cases.Allocation",
    "cases.Concern",
    "cases.ConcernSubject",
    "cases.Referral",
    "cases.ReferralSubject",
    "cases.Action",
    "cases.TransferRequest",
    "peers.PeerGroup",
    "peers.PeerGroupMembership",
    "peers.Relationship",
    "cases.YoungPersonUserObjectPermission",
    "cases.YoungPersonGroupObjectPermission",
    # Where partners are told (a webhook's signing secret is never written to the audit), and
    # manual retries of notifications (deliveries themselves are recorded on their own rows).
    ("notifications.Channel", {"exclude_fields": ["secret", "previous_secret"]}),
    "notifications.Notification",
]


def register_audited_models():
    for entry in AUDITED_MODELS:
        label, options = entry if isinstance(entry, tuple) else (entry, {})
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, **options)


def record_read(obj) -> None:
    """Write an audit row saying the current user read ``obj``.

    The actor is the user of the current request (AuditlogMiddleware) or of an explicit
    ``auditlog.context.set_actor`` block (API, tasks).
    """
    accessed.send(sender=type(obj), instance=obj)


def record_export(*, user, model, name: str, rows: int, filters: dict | None = None) -> None:
    """Write an audit row saying ``user`` exported ``rows`` rows built from ``model``'s records.

    Exports are audited like reads: who, what (the export's name and filters), when.
    """
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="export",
        object_repr=f"Export: {name}",
        action=LogEntry.Action.ACCESS,
        actor=user,
        actor_email=getattr(user, "email", "") or None,
        additional_data={"export": name, "rows": rows, "filters": filters or {}},
    )


def spreadsheet_safe(value):
    """A cell value that a spreadsheet will not run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
