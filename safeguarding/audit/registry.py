"""Which records are audited and how: which of their fields are personal (masked in diffs),
whose authority a row is, and the calls that record a read, a list shown and an export.

The sealing of rows (their authority, the hash chain) is the database's: see
:mod:`safeguarding.audit.models`."""

from auditlog.context import auditlog_value
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save

# Every record that holds or reveals a young person's information: changes to these are
# written to the audit automatically (django-auditlog, with the signed-in user as actor).
# Record types that hang off a subject (aliases, flags, cases, allocations, concerns, referrals,
# actions, memberships, relationships …) are added from their declarations
# (``safeguarding.subjects.registry``, ``audit=Audit(...)``): see :func:`audit_record_type`.
AUDITED_MODELS = [
    "cases.YoungPerson",
    "cases.ConcernSubject",
    "cases.ReferralSubject",
    "cases.TransferRequest",
    "peers.PeerGroup",
    "cases.YoungPersonUserObjectPermission",
    "cases.YoungPersonGroupObjectPermission",
    # Where partners are told (a webhook's signing secret is never written to the audit), and
    # manual retries of notifications (deliveries themselves are recorded on their own rows).
    ("notifications.Channel", {"exclude_fields": ["secret", "previous_secret"]}),
    "notifications.Notification",
    # Meetings (cases/meetings): they hang off no single subject (a MACE panel has none).
    "cases.Invitee",
    "cases.MeetingReport",
    "cases.AgendaItem",
    "cases.MinutesSection",
    # Subject access requests (safeguarding/subject_access): who asked, how identity was
    # checked, extensions and refusals. Their bundles are not: compiling and downloading one
    # writes its own audit rows (safeguarding.subject_access.services and .output).
    "subject_access.SubjectAccessRequest",
]

#: What stays out of the audit's diffs. For every audited model, each of its text and date
#: fields is declared here as personal (``True``: names, dates of birth, addresses and
#: postcodes, identifiers of a person, narratives, descriptions, reasons, notes and other free
#: text) or not (``False``: choices, references, dates of the work). A personal field's change
#: is written as the field's name with :data:`MASK` for both values: the audit says *that* it
#: changed, never from what to what. ``tests/audit/test_personal_fields.py`` fails when an
#: audited model has a text or date field missing here. A record type that hangs off a subject
#: declares its own (``Audit(personal=...)`` in its declaration), added here when registered.
PERSONAL_FIELDS: dict[str, dict[str, bool]] = {
    "cases.YoungPerson": {
        "given_name": True,
        "family_name": True,
        "name_as_given": True,
        "preferred_name": True,
        "date_of_birth": True,
        "gender": True,
        "ethnicity": True,
        "address": True,
        "postcode": True,
        "nhs_number": True,
        "unique_pupil_number": True,
        "vulnerabilities": True,
        "restricted_reason": True,
    },
    "cases.ConcernSubject": {"part": False},
    "cases.Invitee": {
        "name": True,
        "role": False,
        "email": True,
        "attendance": False,
    },
    "cases.MeetingReport": {"text": True},
    "cases.AgendaItem": {
        "reference": True,
        "theme": True,
        "discussion": True,
        "update": True,
        "level": False,
    },
    "cases.MinutesSection": {"heading": False, "text": True},
    "subject_access.SubjectAccessRequest": {
        "reference": False,
        "requester_name": True,
        "requester_relationship": False,
        "requester_contact": True,
        "identity_method": False,
        "identity_notes": True,
        "identity_checked_on": False,
        "scope": False,
        "scope_from": False,
        "scope_to": False,
        "scope_notes": True,
        "received_on": False,
        "due_on": False,
        "extended_due_on": False,
        "extension_reason": True,
        "status": False,
        "refusal_reason": True,
        "sent_on": False,
        "closed_on": False,
    },
    "cases.ReferralSubject": {
        "kind": False,
        "described_name": True,
        "described_date_of_birth": True,
        "described_address": True,
        "described_postcode": True,
        "described_place_kind": False,
    },
    "cases.TransferRequest": {"reason": True, "status": False, "decision_reason": True},
    "peers.PeerGroup": {"name": True, "description": True, "purpose": True},
    "cases.YoungPersonUserObjectPermission": {},
    "cases.YoungPersonGroupObjectPermission": {},
    "notifications.Channel": {
        "kind": False,
        "email": True,
        "url": False,
        "secret": False,  # excluded from the audit altogether (above)
        "previous_secret": False,
        "description": True,
        "event_types": False,  # which kinds of event it receives (a JSON list of names)
    },
    "notifications.Notification": {
        "event_type": False,
        "kind": False,
        "email": True,
        "reference": False,
        "link": False,
        "status": False,
        "last_error": True,
    },
}

#: Whose audit a row about a record of each audited model is, when no actor says so (a task,
#: a signal without a signed-in user): the lookups, from the record, to a local authority or to
#: an organisation whose authority it is (the first that is set). See :func:`authority_of`.
AUTHORITY_PATHS: dict[str, tuple[str, ...]] = {
    "cases.YoungPerson": ("subject__authority_id",),
    "cases.ConcernSubject": ("concern__authority_id",),
    "cases.ReferralSubject": ("referral__authority_id",),
    "cases.TransferRequest": ("case__subject__authority_id",),
    "peers.PeerGroup": ("subject__authority_id",),
    "cases.YoungPersonUserObjectPermission": ("content_object__subject__authority_id",),
    "cases.YoungPersonGroupObjectPermission": ("content_object__subject__authority_id",),
    "notifications.Channel": ("organisation__authority_id", "organisation_id"),
    "notifications.Notification": ("authority_id",),
    "cases.Invitee": ("meeting__authority_id",),
    "cases.MeetingReport": ("meeting__authority_id",),
    "cases.AgendaItem": ("meeting__authority_id",),
    "cases.MinutesSection": ("meeting__authority_id",),
    "subject_access.SubjectAccessRequest": ("authority_id",),
    "api.ApiToken": ("organisation__authority_id", "organisation_id"),
}


def authority_of(model, pk) -> int | None:
    """The id of the local authority whose record ``model`` ``pk`` is (one query), or None
    when the record is gone or the model has no :data:`AUTHORITY_PATHS` entry."""
    paths = AUTHORITY_PATHS.get(model._meta.label) if model is not None else None
    if not paths:
        return None
    try:
        found = model._base_manager.filter(pk=pk).values_list(*paths).first()
    except (ValueError, TypeError, ValidationError):
        return None
    return next((value for value in found or () if value is not None), None)


#: Audited models whose ``str()`` holds personal data (a peer group's name, a mailbox), which
#: django-auditlog would write as the row's ``object_repr``: their rows name the record by its
#: kind and id instead (:func:`neutral_repr`).
NEUTRAL_REPR = {"peers.PeerGroup", "notifications.Channel"}


def neutral_repr(sender, instance, **kwargs):
    """``pre_save`` of an audit row: ``object_repr`` without personal data (see
    :data:`NEUTRAL_REPR`)."""
    if instance.pk is not None or instance.object_pk in ("shown", "export"):
        return
    model = instance.content_type.model_class()
    if model is not None and model._meta.label in NEUTRAL_REPR:
        instance.object_repr = f"{model._meta.verbose_name} {instance.object_pk}"


def _context_actor():
    """The actor django-auditlog's context (``set_actor``, the middleware) will give the row
    being saved: its receiver runs after ours. A context that has ended leaves its value behind
    but not its receiver, so only a context whose receiver is still connected counts."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return None
    uid = context.get("signal_duid")
    if not any(lookup_key[0] == uid for lookup_key, *_ in pre_save.receivers):
        return None
    return context.get("actor")


def attribute_to_authority(sender, instance, **kwargs):
    """``pre_save`` of an audit row: a row no signed-in user of an organisation writes (a
    task, the command line) is attributed to its record's authority, in ``additional_data``
    (the sealing trigger takes the actor's authority first, then this)."""
    if instance.pk is not None:
        return
    if instance.actor_id is not None:
        if not type(instance).actor.is_cached(instance):
            return  # the trigger reads the actor's authority
        actor = instance.actor
    else:
        actor = _context_actor()
    if getattr(actor, "organisation_id", None) is not None:
        return
    data = instance.additional_data
    if data is None:
        data = {}
    if not isinstance(data, dict) or "authority" in data:
        return
    authority = authority_of(instance.content_type.model_class(), instance.object_pk)
    if authority is not None:
        instance.additional_data = {**data, "authority": authority}


#: What a personal field's old and new values are written as.
MASK = "[changed]"


def mask_changed(value: str) -> str:
    """django-auditlog's ``mask_callable`` for personal fields: the value never reaches the
    audit, only that the field changed."""
    return MASK


def personal_fields(label: str) -> list[str]:
    """The personal fields of the audited model ``label`` (``app_label.ModelName``)."""
    return sorted(name for name, personal in PERSONAL_FIELDS.get(label, {}).items() if personal)


def audit_record_type(
    label: str, *, personal, authority: tuple[str, ...], neutral_repr: bool = False
) -> None:
    """Audit a record type that hangs off a subject, as its declaration says
    (``safeguarding.subjects.registry.register``): its entries in :data:`AUDITED_MODELS`,
    :data:`PERSONAL_FIELDS`, :data:`AUTHORITY_PATHS` (and :data:`NEUTRAL_REPR`) come from it.
    A label already declared here is an error: one declaration per model."""
    labels = {entry[0] if isinstance(entry, tuple) else entry for entry in AUDITED_MODELS}
    if label in labels or label in PERSONAL_FIELDS or label in AUTHORITY_PATHS:
        raise ValueError(f"{label} is audited twice")
    AUDITED_MODELS.append(label)
    PERSONAL_FIELDS[label] = dict(personal)
    AUTHORITY_PATHS[label] = tuple(authority)
    if neutral_repr:
        NEUTRAL_REPR.add(label)
    # The audit app's ready() registered what was declared before it; this one now.
    _register(label)


def _register(label: str, options: dict | None = None) -> None:
    model = apps.get_model(label)
    if not auditlog.contains(model):
        auditlog.register(
            model,
            mask_fields=personal_fields(label),
            mask_callable="safeguarding.audit.registry.mask_changed",
            **(options or {}),
        )


def register_audited_models():
    for entry in AUDITED_MODELS:
        label, options = entry if isinstance(entry, tuple) else (entry, {})
        _register(label, options)


def record_read(obj) -> None:
    """Write an audit row saying the current user read ``obj``.

    The actor is the user of the current request (AuditlogMiddleware) or of an explicit
    ``auditlog.context.set_actor`` block (API, tasks).
    """
    accessed.send(sender=type(obj), instance=obj)


def record_shown(view: str, shown: dict) -> None:
    """Write one audit row saying the current user was shown these records on ``view`` (a
    page's or an endpoint's name, no query text: a search can be a child's name).

    ``shown``: ``{model: records}``, the records of each model in the order shown; the row's
    resource is the first model, ``additional_data`` is ``{"view": view, "shown":
    {"app_label.model": [ids]}}``. Nothing is written when nothing was shown. One row per
    page or response, whatever its length (one INSERT). The actor is the request's user, as
    for :func:`record_read`.
    """
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    ids = {
        model._meta.label_lower: [record.pk for record in records]
        for model, records in shown.items()
        if records
    }
    if not ids:
        return
    first = next(model for model, records in shown.items() if records)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(first),
        object_pk="shown",
        object_repr=f"Shown: {view}",
        action=LogEntry.Action.ACCESS,
        cid=get_cid(),
        additional_data={"view": view, "shown": ids},
    )


def record_export(
    *,
    user,
    model,
    name: str,
    rows: int,
    filters: dict | None = None,
    subjects: list | None = None,
) -> None:
    """Write an audit row saying ``user`` exported ``rows`` rows built from ``model``'s records.

    Exports are audited like reads: who, what (the export's name and filters), when. Called
    by :func:`safeguarding.exports.csv_response`, which every export goes through.
    ``subjects``: the ``subjects.Subject`` ids the export is about, where it is about one or a
    few (a subject access bundle): the row is then on their access logs
    (``safeguarding/audit/origin.py``).
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
        additional_data={
            "export": name,
            "rows": rows,
            "filters": filters or {},
            **({"subjects": [str(pk) for pk in subjects]} if subjects else {}),
        },
    )


def record_download(*, user, obj, size: int | None = None) -> None:
    """Write an audit row saying ``user`` downloaded ``obj`` (a document): who, which, when,
    and how many bytes. Called before the file leaves, by the one view that serves documents
    (``cases.casework.views.DocumentDownloadView``); like :func:`record_export`."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_pk=str(obj.pk),
        object_id=obj.pk,
        object_repr=f"Download: {obj._meta.verbose_name} {obj.pk}",
        action=LogEntry.Action.ACCESS,
        actor=user,
        actor_email=getattr(user, "email", "") or None,
        additional_data={"download": True, "bytes": size},
    )
