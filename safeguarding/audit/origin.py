"""Where an audit row came from and which young people, places and peer groups it is about: the
keys every new row gets in ``additional_data``, for the data protection officer's access log
(``safeguarding.dataprotection.access``).

* ``"via"``: ``"web"`` (a page), ``"api"`` (a request under ``/api/``) or ``"task"`` (no
  request: a Celery task, a management command);
* ``"view"``: the URL pattern's name of the request (``request.resolver_match.view_name``,
  e.g. ``"cases:young-person"``), when it was resolved; a row that already names its view
  (:func:`safeguarding.audit.registry.record_shown`) keeps its own;
* ``"subjects"``: the ids of the :class:`~safeguarding.subjects.models.Subject` rows the row's
  record hangs off, as strings (``["12", "40"]``), or of the records a "shown" row lists. Kept
  as strings so that the expression index on ``additional_data -> 'subjects'`` (GIN,
  migration ``audit/0003``) answers both ``@> '["12"]'`` (one subject's log) and
  ``?| array['12', '40']`` (any of several: reads of restricted records).

How a row's subjects are found: the lookups of :data:`SUBJECT_PATHS` and of the record types'
declarations (``safeguarding.subjects.registry``, ``subject_paths``). When django-auditlog writes
the row, the record itself is at hand (its ``pre_log`` signal, :func:`remember_record`) and a
record that holds its subject's id (a young person, a case note) costs no query; otherwise one
query (one ``UNION ALL`` for a "shown" row, whatever it lists).

The hash chain (``chain.CANONICAL_SQL``) seals ``additional_data`` as written, these keys
included: they are set before the INSERT, never after.
"""

from contextvars import ContextVar

from django.core.exceptions import FieldDoesNotExist, ValidationError

#: The request being answered (set by ``audit.middleware.AuditlogMiddleware``), or None.
current_request: ContextVar = ContextVar("audit_request", default=None)
#: The record django-auditlog is writing a row about (its ``pre_log`` signal), or None.
_record: ContextVar = ContextVar("audit_record", default=None)

#: Lookups from a record to the subject(s) it is about, for audited models that are no record
#: type of ``safeguarding.subjects.registry`` (those declare their own ``subject_paths``).
SUBJECT_PATHS: dict[str, tuple[str, ...]] = {
    "subjects.Subject": ("pk",),
    "cases.YoungPerson": ("subject",),
    "peers.PeerGroup": ("subject",),
    "contexts.Context": ("subject",),
    "cases.ConcernSubject": ("subject",),
    "cases.ReferralSubject": ("subject",),
    "cases.TransferRequest": ("case__subject",),
    "cases.YoungPersonUserObjectPermission": ("content_object__subject",),
    "cases.YoungPersonGroupObjectPermission": ("content_object__subject",),
    "cases.Invitee": ("meeting__subject",),
    "cases.MeetingReport": ("meeting__subject",),
    "cases.AgendaItem": ("meeting__subject",),
    "cases.MinutesSection": ("meeting__subject",),
    # A subject access request and its bundle are about the young person who asked.
    "subject_access.SubjectAccessRequest": ("young_person__subject",),
    "subject_access.Bundle": ("request__young_person__subject",),
}

API_PREFIX = "/api/"


def subject_paths(model) -> tuple[str, ...]:
    """The lookups from a record of ``model`` to its subjects (``()`` for a model about none)."""
    from safeguarding.subjects import registry

    label = model._meta.label
    if label in SUBJECT_PATHS:
        return SUBJECT_PATHS[label]
    try:
        return registry.record_type(label).subject_paths
    except LookupError:
        return ()


def _held(record, path: str):
    """The subject id ``path`` leads to from ``record`` without a query, or ``...`` when it
    would take one (a relation not loaded, a path through many rows)."""
    if path == "pk":
        return record.pk
    obj = record
    *hops, last = path.split("__")
    for hop in hops:
        try:
            field = obj._meta.get_field(hop)
        except FieldDoesNotExist:
            return ...
        if not getattr(field, "many_to_one", False) and not getattr(field, "one_to_one", False):
            return ...
        if not field.concrete or not field.is_cached(obj):
            return ...
        obj = getattr(obj, hop)
        if obj is None:
            return None
    try:
        field = obj._meta.get_field(last)
    except FieldDoesNotExist:
        return ...
    if not field.concrete or not field.is_relation:
        return ...
    return getattr(obj, field.attname)


def _paths_query(model, pks, paths):
    querysets = [
        model._base_manager.filter(pk__in=pks, **{f"{path}__isnull": False})
        .values_list(path)
        .order_by()
        for path in paths
    ]
    return querysets


def subjects_of(records: dict, instance=None) -> list[str]:
    """The ids (as strings, sorted, each once) of the subjects the records are about.

    ``records``: ``{model: [primary keys]}``; ``instance``: the one record itself when there
    is one (its subject is then read from it when it holds it). One query at most."""
    found: set = set()
    querysets = []
    for model, pks in records.items():
        paths = subject_paths(model) if model is not None else ()
        if not paths or not pks:
            continue
        if instance is not None and type(instance) is model:
            held = [_held(instance, path) for path in paths]
            if ... not in held:
                found.update(value for value in held if value is not None)
                continue
        querysets.extend(_paths_query(model, pks, paths))
    if querysets:
        try:
            query = querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else None
            rows = query if query is not None else querysets[0]
            found.update(value for (value,) in rows)
        except (ValueError, TypeError, ValidationError):
            pass
    return sorted({str(value) for value in found}, key=lambda v: (len(v), v))


def remember_record(sender, instance, action, **kwargs):
    """django-auditlog's ``pre_log``: the record its next row is about (for :func:`tag_row`)."""
    _record.set(instance)


def _origin() -> dict:
    request = current_request.get()
    if request is None:
        return {"via": "task"}
    data = {"via": "api" if request.path.startswith(API_PREFIX) else "web"}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        data["view"] = match.view_name
    return data


def tag_row(sender, instance, **kwargs):
    """``pre_save`` of an audit row: its ``via``, ``view`` and ``subjects`` (module docstring).
    Keys the row was given already are kept."""
    if instance.pk is not None:
        return
    record, _ = _record.get(), _record.set(None)
    data = instance.additional_data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return
    added = {key: value for key, value in _origin().items() if key not in data}
    if "subjects" not in data:
        model = instance.content_type.model_class()
        if instance.object_pk == "shown" and isinstance(data.get("shown"), dict):
            from django.apps import apps

            records = {}
            for label, ids in data["shown"].items():
                try:
                    records[apps.get_model(label)] = ids
                except (LookupError, ValueError):
                    continue
            subjects = subjects_of(records)
        elif instance.object_pk == "export" or model is None:
            subjects = []
        else:
            pk = instance.object_id if instance.object_id is not None else instance.object_pk
            if record is not None and (type(record) is not model or str(record.pk) != str(pk)):
                record = None
            subjects = subjects_of({model: [pk]}, instance=record)
        if subjects:
            added["subjects"] = subjects
    if added:
        instance.additional_data = {**data, **added}
