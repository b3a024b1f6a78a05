"""What hangs off a subject: each kind of record declares itself once.

A young person, a place (``contexts.Context``) and a peer group are *subjects*; concerns,
referrals, cases, actions, aliases, guardians, memberships … hang off them, and so will case
notes, documents, assessments and plans. Each such record type is a :class:`RecordType`,
declared with its domain (``cases/<domain>/records.py``, ``contexts/records.py``,
``peers/records.py``) and registered from its app's ``AppConfig.ready()``. The declaration
says, in one place:

* ``label`` and ``subject_paths``: the model (``app_label.ModelName``) and the lookups from one
  of its rows to the :class:`~safeguarding.subjects.models.Subject` (or subjects) it hangs off;
* ``visibility``: how it is seen through its subject (``visibility.through_subject(gate)``, the
  role gates of its rule in ``safeguarding/accounts/visibility.py``): registering it is what
  lets ``visibility.about()`` read it on a subject's page. Its ``@policy`` (the rule for
  ``restrict()``) stays in visibility.py, the one rule;
* ``chronology``: its entries in every subject's chronology (:class:`Chronology`);
* ``panels``: what it shows on the subject pages (:class:`Panel`);
* ``audit``: which of its fields are personal, so the audit masks them (:class:`Audit`), or
  ``not_audited`` and why;
* ``notifications``: the ``NotificationType`` event types it sends
  (``safeguarding/notifications/services.py``).

What a partner agency may read of it is its entry in ``disclosure.PARTNER_READS`` (the one
list; :meth:`RecordType.fields_seen_by`); council staff read every field of what they may see.

Who reads the registry: the chronology (``cases/subject_pages/selectors.py``), the subject pages
(``cases/subject_pages/views.py``), ``visibility.about()`` and the audit (both fed by
:func:`register`), and the tests that check every record type is governed, audited, disclosed
and shown (``tests/test_record_types.py`` and the coverage tests). ``docs/new-record-type.md``
is the checklist for adding one.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Where a panel goes on a subject page: a section of its own, or a row of the details card.
SECTION = "section"
DETAILS = "details"
#: ... or a banner at the very top of the page, before its heading (warning notes in force).
BANNER = "banner"


class EntryText(NamedTuple):
    """How one chronology entry reads (all three as the viewer may read them)."""

    title: str
    detail: str
    by: str


@dataclass(frozen=True)
class Chronology:
    """A record type's entries in a subject's chronology.

    ``rows(user, access)``: its rows about the subject of ``access`` (a
    ``visibility.SubjectAccess``) that ``user`` may see — a queryset from ``visibility.about()``
    (or a ``visibility.ConcernRows`` from ``concerns_about()``); ``date_field`` orders them
    (newest first) and is the entry's time. ``entry(record, read)`` says how an entry reads
    (:class:`EntryText`), where ``read(name)`` is the record's field as the viewer may read it
    (``disclosure.read``: ``""`` for a name a partner may not read). ``harm``: the lookup from a
    row to a harm category's slug, for the harm filter; without one, the record type has no
    entries when a harm is chosen.

    Loading: each page reads the newest ``(date, pk)`` of each record type as far as the page
    reaches, merges them, then reads the records the page shows in one query
    (``select_related``, then ``prefetch``). ``whole=True`` reads the rows whole at once
    instead (one query fewer, for record types a subject has few of). A fixed number of
    queries a page, whatever the subject holds.
    """

    kind: str  # the entry's kind and the filter's value, e.g. "referral"
    label: str  # the filter's option, e.g. "Referrals"
    rows: Callable[..., Any]
    date_field: str
    entry: Callable[..., EntryText]
    harm: str | None = None
    tag: str = "grey"  # the GOV.UK tag colour of its entries
    order: int = 100  # among the kinds (the filter's options; ties in time)
    select_related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    whole: bool = False


@dataclass
class SubjectPage:
    """What a panel's context function is given: the page's user, its record (a young person,
    place or peer group) and the user's access to it, decided once (``visibility.access_to``).
    :meth:`once` shares a read between panels (a group's memberships feed two)."""

    user: Any
    record: Any
    access: Any
    _kept: dict = field(default_factory=dict, repr=False)

    @property
    def subject(self):
        return self.record.subject

    @property
    def kind(self) -> str:
        return self.record.subject.kind

    def once(self, name: str, make: Callable[[], Any]):
        if name not in self._kept:
            self._kept[name] = make()
        return self._kept[name]


@dataclass(frozen=True)
class Panel:
    """What a record type shows on the subject pages of ``kinds`` (``Subject.Kind`` values):
    ``template`` (included in the page) with the names ``context(page)`` gives (a
    :class:`SubjectPage`), which join the page's context (two panels on one page may not give
    the same name). ``place``: :data:`SECTION` (after the details card) or :data:`DETAILS` (a
    summary row in it, after the subject's own) or :data:`BANNER` (a GOV.UK notification
    banner at the top of the page); ``order`` among the panels of that place."""

    template: str
    context: Callable[[SubjectPage], dict]
    kinds: tuple[str, ...]
    order: int = 100
    place: str = SECTION


@dataclass(frozen=True)
class Audit:
    """How a record type is audited: every text and date field named in ``personal``, as
    personal (``True``: masked in the audit's diffs) or not (see
    ``safeguarding.audit.registry.PERSONAL_FIELDS``). ``authority``: the lookups from a record to
    its local authority (default: its first subject's). ``neutral_repr``: its ``str()`` holds
    personal data, so audit rows name it by kind and id."""

    personal: Mapping[str, bool]
    authority: tuple[str, ...] = ()
    neutral_repr: bool = False


@dataclass(frozen=True)
class RecordType:
    """One kind of record that hangs off a subject (see the module's docstring)."""

    label: str  # "app_label.ModelName"
    subject_paths: tuple[str, ...]
    visibility: Any = None  # visibility.through_subject(...), for visibility.about()
    chronology: Chronology | None = None
    panels: tuple[Panel, ...] = ()
    audit: Audit | None = None
    not_audited: str = ""  # why, when ``audit`` is None
    notifications: tuple[str, ...] = ()

    @property
    def label_lower(self) -> str:
        return self.label.lower()

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.label)

    @property
    def authority_paths(self) -> tuple[str, ...]:
        if self.audit and self.audit.authority:
            return self.audit.authority
        return (f"{self.subject_paths[0]}__authority_id",)

    def fields_seen_by(self, user) -> frozenset[str] | None:
        """The names of its fields ``user`` may read of a record they may see: ``None`` (every
        field) for council staff; a partner agency's, its ``disclosure.PARTNER_READS`` entry."""
        from safeguarding.accounts import disclosure

        if not disclosure.is_partner(user):
            return None
        return disclosure.PARTNER_READS.get(self.label_lower, frozenset())


_RECORD_TYPES: dict[str, RecordType] = {}


def register(*record_types: RecordType) -> None:
    """Register record types (from their app's ``AppConfig.ready()``): what ``visibility.about``
    and the audit need of each is handed to them here. Registering a label twice is an error."""
    from safeguarding.accounts import visibility
    from safeguarding.audit import registry as audit

    for record_type in record_types:
        if record_type.label_lower in _RECORD_TYPES:
            raise ValueError(f"{record_type.label} is registered twice")
        if record_type.audit is None and not record_type.not_audited:
            raise ValueError(f"{record_type.label}: declare its audit, or why it has none")
        _RECORD_TYPES[record_type.label_lower] = record_type
        if record_type.visibility is not None:
            if len(record_type.subject_paths) != 1:
                raise ValueError(f"{record_type.label}: read through one subject, one path")
            visibility.hangs_off_subject(
                record_type.label, record_type.subject_paths[0], record_type.visibility
            )
        if record_type.audit is not None:
            audit.audit_record_type(
                record_type.label,
                personal=record_type.audit.personal,
                authority=record_type.authority_paths,
                neutral_repr=record_type.audit.neutral_repr,
            )


def record_types() -> list[RecordType]:
    """Every registered record type, in the order registered."""
    return list(_RECORD_TYPES.values())


def record_type(label: str) -> RecordType:
    """The record type of ``label`` (``app_label.ModelName``, any case); ``LookupError`` if
    none is registered."""
    try:
        return _RECORD_TYPES[label.lower()]
    except KeyError:
        raise LookupError(f"No record type {label}") from None


def chronology() -> list[RecordType]:
    """The record types with chronology entries, in the order of their kinds."""
    found = [r for r in _RECORD_TYPES.values() if r.chronology is not None]
    return sorted(found, key=lambda r: (r.chronology.order, r.chronology.kind))


def chronology_kinds() -> dict[str, str]:
    """The chronology's kinds of entry and the filter's labels for them, in order, e.g.
    ``{"concern": "Concerns", "referral": "Referrals", "allocation": "Allocations"}``."""
    return {r.chronology.kind: r.chronology.label for r in chronology()}


def panels(kind: str, place: str = SECTION) -> list[Panel]:
    """The panels of the subject pages of ``kind`` (a ``Subject.Kind`` value) at ``place``, in
    order."""
    found = [
        panel
        for r in _RECORD_TYPES.values()
        for panel in r.panels
        if kind in panel.kinds and panel.place == place
    ]
    return sorted(found, key=lambda p: p.order)
