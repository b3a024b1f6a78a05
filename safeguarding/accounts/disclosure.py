"""What a partner agency may read of a record it may see: the one list.

:mod:`safeguarding.accounts.visibility` decides *which records* a user may see. This module
decides *which of their fields* a partner agency's user (a person, or an organisation's API
token acting as its API user) may read. Council staff read every field of what they may see;
a partner reads only the names listed in :data:`PARTNER_READS` for the record's model.
**Everything else is the council's** — a decision's reason, a guardian's notes, a place's
description, who decided — and so is every field added later until it is listed here.

Where it is enforced (one mechanism for each way out of the application):

* **Pages**: :class:`DisclosureMiddleware` runs on every template response for a partner and
  replaces each record in the page's context (records, lists of them, pages, dataclasses
  holding them) by :class:`PartnerView`, which answers only the listed names and raises
  ``AttributeError`` for any other (a template shows nothing; Python code fails loudly).
* **The API**: :class:`safeguarding.api.views.RestrictedViewSet` hands its serializers the
  records through :func:`shown`, so a serializer field that reads an unlisted name fails.
* **Text worked out from records** (a chronology entry's title and detail): read through
  :func:`read`, which gives ``""`` for a name the viewer may not read.
* **Notifications** carry only a notification's :data:`NOTIFICATION_PARTS`: the email body and
  the webhook payload are built from :func:`notification_part`.

``tests/accounts/test_disclosure.py`` plants a marker in every unlisted text field of every
record and renders every route a partner can reach (pages, exports, API endpoints) and every
notification sent to a partner, and fails if a marker shows; it also fails when a URL pattern
is added without being covered.

Names are those of model fields, properties and methods. ``get_<field>_display`` may be read
with its field; ``pk``/``id`` and ``get_absolute_url`` always (a partner opening the link still
goes through the visibility rule).
"""

from collections.abc import Iterable, Mapping
from dataclasses import fields as dataclass_fields
from dataclasses import is_dataclass, replace

from django.core.paginator import Page
from django.db.models import Manager, Model, QuerySet

from . import visibility

#: Model label (``app_label.modelname``, lower case) -> the names a partner may read.
PARTNER_READS: dict[str, frozenset[str]] = {
    # The partner's own referral: what it sent, where it is, and what was decided — not why
    # (the reason "stays with the council"), not who decided, not the council's links.
    "cases.referral": frozenset(
        {
            "reference",
            "source_organisation",
            "referrer_name",
            "referrer_role",
            "referrer_email",
            "referrer_phone",
            "received_at",
            "decision_due_at",
            "urgency",
            "narrative",
            "consent",
            "lawful_basis",
            "lawful_basis_detail",
            "harm_categories",
            "status",
            "decision",
            "decided_at",
            "__str__",
        }
    ),
    # What the partner described, never the council record it was linked to.
    "cases.referralsubject": frozenset(
        {
            "kind",
            "described_name",
            "described_date_of_birth",
            "described_address",
            "described_postcode",
            "described_place_kind",
        }
    ),
    # An action assigned to the partner's organisation: what to do, by when, its progress.
    "cases.action": frozenset(
        {
            "subject",
            "description",
            "owner_organisation",
            "due_on",
            "status",
            "progress_note",
            "created_at",
            "updated_at",
            "completed_at",
            "is_overdue",
        }
    ),
    # Case content a partner reads nothing of, even where the rule lets it see a row: each
    # record type that hangs off a subject (safeguarding/subjects/registry.py) has its entry
    # here, so adding one means deciding what partners read of it.
    "cases.alias": frozenset(),
    "cases.harmflag": frozenset(),
    "cases.case": frozenset(),
    "cases.allocation": frozenset(),
    "cases.caseriskchange": frozenset(),
    "cases.casestatuschange": frozenset(),
    "cases.concern": frozenset(),
    "cases.casenote": frozenset(),
    "cases.document": frozenset(),
    # Warning notes are the council's own alert to its staff: partners read none of them.
    "cases.warningnote": frozenset(),
    # Assessments: a school reads its own school assessment whole; a guardian organisation the
    # approved place assessment's summary (the page shows only the conclusion's threshold,
    # recommendation and summary for partners, and the sides' ratings: no young person).
    "cases.assessment": frozenset(
        {
            "subject",
            "kind",
            "version",
            "status",
            "answers",
            "sections_done",
            "started_on",
            "due_on",
            "completed_on",
            "organisation",
            "submitted_at",
            "threshold",
            "recommendation",
            "reference",
            "threshold_label",
            "recommendation_label",
            "definition",
            "open",
            "school_name",  # a school's own assessments, on its My work (the place's name)
        }
    ),
    "cases.evidenceitem": frozenset(),
    # A school's own assessment's history, with the comments it was returned with (partners
    # read the events of their own school's assessment only: visibility._assessed).
    "cases.assessmentevent": frozenset({"assessment", "kind", "at", "note"}),
    "cases.assessmentmention": frozenset(),
    # Plans: a partner asked for something by a plan (a response it owns, a measure it
    # records) reads the plan by its reference, kind, status and dates, and its goals' words
    # (what its work is for); never the reason it ends, nor a young person's safety details.
    "cases.plan": frozenset(
        {
            "subject",
            "kind",
            "status",
            "started_on",
            "next_review_on",
            "ended_on",
            "reference",
            "is_open",
            "for_young_person",
            "is_review_overdue",
        }
    ),
    "cases.goal": frozenset({"plan", "statement", "position"}),
    # The measures its organisation records, and their values with their notes (what it and
    # the council recorded against them).
    "cases.measure": frozenset(
        {
            "goal",
            "name",
            "kind",
            "direction",
            "baseline_value",
            "baseline_on",
            "target_value",
            "recorder_organisation",
        }
    ),
    "cases.measurevalue": frozenset(
        {"measure", "value", "recorded_on", "note", "recorded_by", "organisation", "recorded_at"}
    ),
    "cases.planreview": frozenset(),
    "cases.planevent": frozenset(),
    "cases.warningnoteevent": frozenset(),
    # Requests for sign-off: the council's. A partner who asked for sign-off of something of
    # theirs (a school's assessment) reads the decision on that record's own page.
    "approvals.approval": frozenset(),
    "peers.peergroupmembership": frozenset(),
    "peers.relationship": frozenset(),
    # A subject by its reference (never a child's name).
    "subjects.subject": frozenset({"kind", "reference", "__str__"}),
    # A place the partner guards: where it is, not what the council writes about it.
    "contexts.context": frozenset(
        {"subject", "reference", "name", "kind", "address", "postcode", "__str__"}
    ),
    # The partner's own guardianship of a place (its notes are the council's).
    "contexts.contextguardian": frozenset(
        {
            "context",
            "organisation",
            "name",
            "role",
            "present_when",
            "contact",
            "told_of_concerns",
            "ended_on",
            "__str__",
        }
    ),
    "accounts.organisation": frozenset({"name", "kind", "__str__"}),
    "accounts.user": frozenset({"first_name", "last_name", "get_full_name", "__str__"}),
    "cases.harmcategory": frozenset(
        {"slug", "name", "description", "is_active", "display_order", "__str__"}
    ),
    # The partner's own webhook endpoints and email channels (the signing secret is shown once,
    # by the endpoint that makes it, and is never read back).
    "notifications.channel": frozenset(
        {
            "organisation",
            "kind",
            "email",
            "url",
            "event_types",
            "description",
            "is_active",
            "created_at",
            "previous_secret_expires_at",
            "__str__",
        }
    ),
    "notifications.notification": frozenset(
        {"event_id", "event_type", "reference", "link", "created_at", "__str__"}
    ),
}

#: What a notification (email, webhook payload) is made of, whoever receives it.
NOTIFICATION_PARTS = PARTNER_READS["notifications.notification"]


def notification_part(notification, name: str):
    """One part of a notification as it is sent: only :data:`NOTIFICATION_PARTS` (an email or
    webhook goes outside the council, to partners among others)."""
    if name not in NOTIFICATION_PARTS:
        raise LookupError(f"A notification does not carry {name!r} (disclosure.NOTIFICATION_PARTS)")
    return getattr(notification, name)


_ALWAYS = frozenset({"pk", "id", "get_absolute_url", "_meta"})


def _label(model) -> str:
    return model._meta.label_lower


def is_partner(user) -> bool:
    """Whether ``user`` reads through this list: a partner agency's person or API token
    (:func:`safeguarding.accounts.visibility.is_partner_agency`)."""
    return visibility.is_partner_agency(user)


def partner_may_read(model, name: str) -> bool:
    """Whether a partner may read ``name`` (a field, property or method) of ``model``."""
    if name in _ALWAYS:
        return True
    allowed = PARTNER_READS.get(_label(model), frozenset())
    if name.startswith("get_") and name.endswith("_display"):
        return name.removeprefix("get_").removesuffix("_display") in allowed
    return name in allowed


def read(user, obj: Model, name: str, default=""):
    """``obj.name`` if ``user`` may read it, otherwise ``default`` (for text worked out from a
    record, such as a chronology entry)."""
    if isinstance(obj, PartnerView):
        obj = obj._record
    if is_partner(user) and not partner_may_read(type(obj), name):
        return default
    return getattr(obj, name)


class PartnerView:
    """A record as a partner reads it: the listed names, and ``AttributeError`` for any other
    (templates then show nothing; code fails loudly). Records reached through a listed
    relation are wrapped too."""

    __slots__ = ("_record",)

    def __init__(self, record: Model):
        object.__setattr__(self, "_record", record)

    def __getattr__(self, name):
        record = object.__getattribute__(self, "_record")
        if name.startswith("__") or not partner_may_read(type(record), name):
            raise AttributeError(
                f"{_label(type(record))}.{name} is not disclosed to partner agencies "
                "(safeguarding.accounts.disclosure.PARTNER_READS)"
            )
        return _wrap(getattr(record, name))

    def __setattr__(self, name, value):
        raise AttributeError("A record read by a partner agency is read-only")

    def __str__(self):
        record = self._record
        if partner_may_read(type(record), "__str__"):
            return str(record)
        return getattr(record, "reference", "") or ""

    def __eq__(self, other):
        other = other._record if isinstance(other, PartnerView) else other
        return self._record == other

    def __hash__(self):
        return hash(self._record)

    def __repr__(self):
        return f"<PartnerView of {_label(type(self._record))} {self._record.pk}>"


class _Rows:
    """A queryset or related manager as a partner reads it: its records wrapped."""

    def __init__(self, rows):
        self._rows = rows

    def _all(self):
        rows = self._rows.all() if isinstance(self._rows, Manager) else self._rows
        return [_wrap(row) for row in rows]

    def all(self):
        return self._all()

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())

    def __bool__(self):
        return bool(self._all())

    def __getitem__(self, index):
        return self._all()[index]

    def count(self):
        return len(self._all())

    def exists(self):
        return bool(self._all())

    def first(self):
        rows = self._all()
        return rows[0] if rows else None


def _wrap(value):
    if isinstance(value, PartnerView | _Rows):
        return value
    if isinstance(value, Model):
        return PartnerView(value)
    if isinstance(value, Manager | QuerySet):
        return _Rows(value)
    if isinstance(value, Page):
        value.object_list = [_wrap(item) for item in value.object_list]
        return value
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _wrap(getattr(value, f.name))
            for f in dataclass_fields(value)
            if isinstance(getattr(value, f.name), Model | Manager | QuerySet | list | tuple)
        }
        return replace(value, **changes) if changes else value
    if isinstance(value, list | tuple) and any(
        isinstance(item, Model) or is_dataclass(item) for item in value
    ):
        return type(value)(_wrap(item) for item in value)
    return value


def shown(user, value):
    """``value`` (a record, queryset, list, page or dataclass of records) as ``user`` may read
    it: unchanged for council staff; for a partner, every record a :class:`PartnerView`."""
    if not is_partner(user):
        return value
    if isinstance(value, Iterable) and not isinstance(
        value, str | bytes | Mapping | Model | Manager | QuerySet | Page
    ):
        return [_wrap(item) for item in value]
    return _wrap(value)


def context_for(user, context: dict | None) -> dict | None:
    """A page's template context as ``user`` may read it (each value through :func:`shown`)."""
    if context is None or not is_partner(user):
        return context
    # The view itself holds the raw records (``view.object``): pages are made without it.
    return {key: _wrap(value) for key, value in context.items() if key != "view"}


class DisclosureMiddleware:
    """Every page a partner is shown (a template response) goes through :func:`context_for`
    before it is rendered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        user = getattr(request, "user", None)
        if user is not None and is_partner(user):
            response.context_data = context_for(user, response.context_data)
        return response
