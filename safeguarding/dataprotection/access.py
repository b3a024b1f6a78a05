"""Who looked, and why: what the data protection officer reads of the audit.

* a young person's, place's or peer group's access log (:func:`subject_log`): every row about
  the subject or a record that hangs off it (cases, notes, concerns, referrals, aliases,
  flags, assessments, plans …), lists that showed it, downloads of its documents;
* a person's own log (:func:`user_log`): what they opened, listed, exported and downloaded;
* unusual access (:func:`unusual_access`): per person and day, what a reviewer should look at.

Every read goes through the rule with ``visibility.ACCOUNT``: the officer's own authority's
subjects, users and audit rows, restricted records included, nothing of another authority's.

How a row is found for a subject, at any size of the audit: each row written since
``audit/0003`` carries the subjects it is about (``additional_data["subjects"]``, ids as
strings, written before the INSERT by ``safeguarding.audit.origin.tag_row``), and one GIN
index over ``additional_data -> 'subjects'`` answers ``@> '["<id>"]'``. Rows written before
that migration carry no subjects and are not in a subject's log (they are in their actor's).
A person's log uses the index on ``(actor_id, timestamp DESC, id DESC)``; the unusual-access
report reads one authority's rows of the chosen days by ``timestamp``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from safeguarding.accounts import visibility

#: How many matches the officer's search for a young person, place or group shows.
MATCHES = 20
#: Reads, shown in a list, exported, downloaded, changed: the kinds of row, as the log says.
READ, SHOWN, EXPORTED, DOWNLOADED, CREATED, CHANGED, DELETED = (
    "Read",
    "Shown in a list",
    "Exported",
    "Downloaded",
    "Created",
    "Changed",
    "Deleted",
)


def _subject_models():
    from cases.models import YoungPerson
    from contexts.models import Context
    from peers.models import PeerGroup

    return (YoungPerson, Context, PeerGroup)


def find_subjects(officer, text: str) -> list:
    """The young people, places and peer groups of the officer's authority whose reference is
    ``text`` (exactly, any case) or whose name holds it: at most :data:`MATCHES` of each kind,
    restricted records included. ``[]`` for fewer than two characters. Three queries."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    YoungPerson, Context, PeerGroup = _subject_models()
    reference = Q(subject__reference__iexact=text)
    lookups = {
        YoungPerson: reference
        | Q(given_name__icontains=text)
        | Q(family_name__icontains=text)
        | Q(preferred_name__icontains=text),
        Context: reference | Q(name__icontains=text),
        PeerGroup: reference | Q(name__icontains=text),
    }
    found = []
    for model, lookup in lookups.items():
        rows = visibility.restrict(officer, model, visibility.ACCOUNT).filter(lookup)
        found.extend(rows.select_related("subject").order_by("pk")[:MATCHES])
    return found


def subject_record(officer, reference: str):
    """The young person, place or peer group whose subject reference is ``reference``, of the
    officer's authority (ACCOUNT), or ``Http404``. Two queries."""
    from safeguarding.subjects.models import Subject

    subject = visibility.get_or_404(officer, Subject, visibility.ACCOUNT, reference=reference)
    for model in _subject_models():
        if model.subject_kind == subject.kind:
            return visibility.get_or_404(
                officer,
                model.objects.select_related("subject"),
                visibility.ACCOUNT,
                subject=subject,
            )
    from django.http import Http404

    raise Http404("No such record")


def authority_user(officer, pk):
    """A user of the officer's authority or of its partner agencies (ACCOUNT), or ``Http404``
    (a user of another authority looks missing)."""
    from safeguarding.accounts.models import User

    return visibility.get_or_404(
        officer,
        User.objects.select_related("organisation", "team"),
        visibility.ACCOUNT,
        pk=pk,
    )


def authority_users(officer) -> QuerySet:
    """The users of the officer's authority and its partner agencies, by name (a filter's
    choices)."""
    from safeguarding.accounts.models import User

    return visibility.restrict(officer, User, visibility.ACCOUNT).order_by(
        "last_name", "first_name", "username", "pk"
    )


def _window(since: date | None, until: date | None) -> Q:
    """Rows from the start of ``since`` to the end of ``until`` (days in the service's time
    zone), as a range on ``timestamp`` (which its index answers)."""
    q = Q()
    zone = timezone.get_current_timezone()
    if since:
        q &= Q(timestamp__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        q &= Q(timestamp__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))
    return q


def _rows(officer) -> QuerySet:
    return (
        visibility.restrict(officer, LogEntry, visibility.ACCOUNT)
        .select_related("actor__organisation", "actor__team")
        .order_by("-timestamp", "-id")
    )


def _about_subject(subject_id: int) -> Q:
    """Rows whose ``subjects`` hold ``subject_id``: JSON containment, which the GIN index
    answers (PostgreSQL); the embedded SQLite database of ``make run`` has no containment
    lookup, so there the array's text is searched for the quoted id."""
    if connection.vendor == "postgresql":
        return Q(additional_data__subjects__contains=[str(subject_id)])
    return Q(additional_data__subjects__icontains=f'"{subject_id}"')


def subject_log(
    officer, record, *, user=None, since: date | None = None, until: date | None = None
) -> QuerySet:
    """The audit rows about ``record`` (a young person, place or peer group the officer may
    ACCOUNT for) and the records that hang off it, newest first: optionally only ``user``'s
    and only those from ``since`` to ``until`` (days, inclusive). Uses the GIN index on
    ``additional_data -> 'subjects'`` (module docstring)."""
    rows = _rows(officer).filter(_about_subject(record.subject_id))
    if user is not None:
        rows = rows.filter(actor=user)
    return rows.filter(_window(since, until))


def user_log(officer, person, *, since: date | None = None, until: date | None = None) -> QuerySet:
    """The audit rows ``person`` wrote (reads, lists shown, exports, downloads, break-glass
    access, changes), newest first, from ``since`` to ``until`` (days, inclusive). Uses the
    index on ``(actor_id, timestamp DESC, id DESC)``."""
    return _rows(officer).filter(actor=person).filter(_window(since, until))


@dataclass
class Entry:
    """One audit row as the access log shows it."""

    row: LogEntry
    when: datetime
    who: str
    role: str
    organisation: str
    team: str
    via: str  # "web", "api", "task" or "" (rows written before it was recorded)
    view: str  # the page's or endpoint's name, or ""
    what: str  # READ, SHOWN, EXPORTED …
    record: str  # "case note 12", "young person 3"
    fields: list[str] = field(default_factory=list)  # "status: open → closed", "address"
    reason: str = ""
    break_glass: str = ""
    detail: str = ""  # "40 rows"; the kinds of record a list showed

    def cells(self) -> list:
        """The row of the CSV export."""
        return [
            timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M:%S"),
            self.who,
            self.role,
            self.organisation,
            self.team,
            self.via,
            self.view,
            self.what,
            self.record,
            "; ".join(self.fields),
            self.detail,
            self.reason,
            self.break_glass,
        ]


CSV_HEADER = [
    "When",
    "Who",
    "Role",
    "Organisation",
    "Team",
    "Through",
    "Page or endpoint",
    "What",
    "Record",
    "Fields",
    "Detail",
    "Reason",
    "Break-glass",
]


def _changed_fields(changes) -> list[str]:
    if not isinstance(changes, dict):
        return []
    shown = []
    for name, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            shown.append(f"{name}: {values[0]} → {values[1]}")
        else:
            shown.append(name)
    return shown


def _text(value) -> str:
    if value in (None, True, False):
        return ""
    if isinstance(value, dict):
        return str(value.get("reason") or "")
    return str(value)


def describe(row: LogEntry) -> Entry:
    """How the access log shows ``row`` (no query: the actor comes with the row, its kind of
    record from ContentType's cache). Masked values stay masked: the audit never held them."""
    data = row.additional_data if isinstance(row.additional_data, dict) else {}
    model = ContentType.objects.get_for_id(row.content_type_id).model_class()
    kind = model._meta.verbose_name if model is not None else "record"
    actor = row.actor
    what, detail, fields = READ, "", []
    record = f"{kind} {row.object_pk}"
    if row.action == LogEntry.Action.ACCESS:
        if row.object_pk == "shown":
            what, record = SHOWN, f"list of {model._meta.verbose_name_plural}" if model else ""
            shown = data.get("shown") if isinstance(data.get("shown"), dict) else {}
            detail = ", ".join(f"{len(ids)} {label}" for label, ids in shown.items())
        elif row.object_pk == "export":
            what, record = EXPORTED, str(data.get("export") or "")
            detail = f"{data.get('rows', '')} rows"
        elif data.get("download"):
            what = DOWNLOADED
    elif row.action == LogEntry.Action.CREATE:
        what = CREATED
    elif row.action == LogEntry.Action.DELETE:
        what = DELETED
    else:
        what, fields = CHANGED, _changed_fields(row.changes)
    return Entry(
        row=row,
        when=row.timestamp,
        who=(actor.get_full_name() or actor.username) if actor else (row.actor_email or "System"),
        role=actor.get_role_display() if actor else "",
        organisation=str(actor.organisation) if actor and actor.organisation_id else "",
        team=str(actor.team) if actor and actor.team_id else "",
        via=str(data.get("via") or ""),
        view=str(data.get("view") or ""),
        what=what,
        record=record,
        fields=fields,
        reason=_text(data.get("reason")),
        break_glass=_text(data.get("break_glass")) or ("Yes" if data.get("break_glass") else ""),
        detail=detail,
    )


def csv_rows(rows: QuerySet):
    """The CSV export's rows of a log (read in chunks)."""
    for row in rows.iterator(chunk_size=2000):
        yield describe(row).cells()


def record_looked_at_user(officer, person) -> None:
    """Write an audit row saying ``officer`` opened ``person``'s access log (the officer's own
    looking is on record too; users are not audited models, so no ``accessed`` signal)."""
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(person)),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr=f"Access log of user {person.pk}",
        action=LogEntry.Action.ACCESS,
        actor=officer,
        actor_email=getattr(officer, "email", "") or None,
        additional_data={"access_log_of": person.pk},
    )


# --- unusual access --------------------------------------------------------------------------


def thresholds() -> dict:
    """The unusual-access report's settings: ``records`` (distinct young people outside the
    caseload a day), ``export_rows`` (rows in one export), ``night`` (``(from, until)`` hours,
    local time)."""
    return {
        "records": settings.UNUSUAL_ACCESS_RECORDS_PER_DAY,
        "export_rows": settings.UNUSUAL_ACCESS_EXPORT_ROWS,
        "night": tuple(settings.UNUSUAL_ACCESS_NIGHT_HOURS),
    }


@dataclass
class Finding:
    """One person's unusual access on one day (local), and why it is listed."""

    user: object
    day: date
    outside_caseload: int = 0  # distinct young people opened, not their team's nor named
    break_glass: int = 0
    restricted: int = 0  # reads of restricted young people's records
    largest_export: int = 0  # rows
    at_night: int = 0  # reads and lists in the night hours
    review: object = None  # the AccessReview, if marked

    def reasons(self, limits: dict) -> list[str]:
        found = []
        if self.outside_caseload > limits["records"]:
            found.append(f"{self.outside_caseload} young people outside their caseload")
        if self.break_glass:
            found.append(f"{self.break_glass} break-glass")
        if self.restricted:
            found.append(f"{self.restricted} reads of restricted records")
        if self.largest_export >= limits["export_rows"]:
            found.append(f"an export of {self.largest_export} rows")
        if self.at_night:
            found.append(f"{self.at_night} at night")
        return found


_ROWS_SQL = """
WITH rows AS (
    SELECT e.actor_id, (e.timestamp AT TIME ZONE %(zone)s) AS local, e.object_pk,
           e.action, e.additional_data AS d
    FROM auditlog_logentry e
    WHERE e.actor_id = ANY(%(actors)s)
      AND e.timestamp >= %(start)s AND e.timestamp < %(end)s
)
"""

_SUMMARY_SQL = (
    _ROWS_SQL
    + """
SELECT r.actor_id, r.local::date,
       count(*) FILTER (WHERE r.d ? 'break_glass'),
       count(*) FILTER (WHERE r.action = %(access)s AND r.object_pk NOT IN ('shown', 'export')
                        AND (r.d -> 'subjects') ?| %(restricted)s::text[]),
       coalesce(max(CASE WHEN r.object_pk = 'export' AND jsonb_typeof(r.d -> 'rows') = 'number'
                         THEN (r.d ->> 'rows')::bigint END), 0),
       count(*) FILTER (WHERE r.action = %(access)s AND ({night}))
FROM rows r
GROUP BY 1, 2
"""
)

_OUTSIDE_SQL = (
    _ROWS_SQL  # noqa: S608 (constants only)
    + """
SELECT rd.actor_id, rd.day, count(DISTINCT yp.id)
FROM (
    SELECT r.actor_id, r.local::date AS day, subject.value::bigint AS subject_id
    FROM rows r CROSS JOIN LATERAL jsonb_array_elements_text(r.d -> 'subjects') AS subject
    WHERE r.action = %(access)s AND r.object_pk NOT IN ('shown', 'export')
      AND jsonb_typeof(r.d -> 'subjects') = 'array'
) rd
JOIN cases_youngperson yp ON yp.subject_id = rd.subject_id
JOIN accounts_user u ON u.id = rd.actor_id
LEFT JOIN accounts_team t ON t.id = u.team_id
WHERE NOT EXISTS (
        SELECT 1 FROM cases_youngpersongroupobjectpermission g
        WHERE g.content_object_id = yp.id AND g.group_id = t.group_id)
  AND NOT EXISTS (
        SELECT 1 FROM cases_youngpersonuserobjectpermission n
        WHERE n.content_object_id = yp.id AND n.user_id = rd.actor_id)
GROUP BY 1, 2
"""
)


def report_supported() -> bool:
    """The report's SQL is PostgreSQL's (JSON operators, ``FILTER``); the embedded SQLite
    database of ``make run`` has no such report (the page says so)."""
    return connection.vendor == "postgresql"


def unusual_access(officer, *, since: date, until: date) -> list[Finding]:
    """Per person and day (``since`` to ``until``, inclusive, local days), the officer's
    authority's unusual access: more than ``UNUSUAL_ACCESS_RECORDS_PER_DAY`` distinct young
    people opened whose record is neither their team's caseload (no grant to the team) nor
    names them; any break-glass access; any read of a restricted young person's records; an
    export of at least ``UNUSUAL_ACCESS_EXPORT_ROWS`` rows; any read or list in the night hours
    (``UNUSUAL_ACCESS_NIGHT_HOURS``). Newest day first, then by person. Six queries, whatever
    the number of rows (the authority's users and restricted records, two aggregates over
    those users' rows of the days, by the index on actor and time, the people listed, the
    reviews). Scale: 2 million rows, 500 users, 7 days (34,000 rows): 0.4 s for the summary.

    Only rows that carry their subjects count for the first two (``audit/0003``)."""
    from cases.models import YoungPerson
    from safeguarding.accounts import visibility as rule

    from .models import AccessReview

    if not rule.protects_data(officer) or not report_supported():
        return []
    limits = thresholds()
    night_from, night_until = limits["night"]
    hour = "extract(hour FROM r.local)"
    night = (
        f"{hour} >= %(night_from)s OR {hour} < %(night_until)s"
        if night_from > night_until
        else f"{hour} >= %(night_from)s AND {hour} < %(night_until)s"
    )
    zone = timezone.get_current_timezone()
    restricted = [
        str(pk)
        for pk in rule.restrict(officer, YoungPerson, rule.ACCOUNT)
        .filter(restricted=True)
        .values_list("subject_id", flat=True)
    ]
    # The authority's rows are its users' and its partners' (whose authority the audit's seal
    # is): by actor, the rows are read through the index on (actor, time), not the seals.
    actors = list(authority_users(officer).values_list("pk", flat=True))
    params = {
        "zone": str(zone),
        "actors": actors,
        "start": datetime.combine(since, time.min, tzinfo=zone),
        "end": datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone),
        "access": LogEntry.Action.ACCESS,
        "restricted": restricted,
        "night_from": night_from,
        "night_until": night_until,
    }
    found: dict[tuple[int, date], dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(_SUMMARY_SQL.format(night=night), params)
        for actor, day, glass, restricted_reads, export, at_night in cursor.fetchall():
            found[(actor, day)] = {
                "break_glass": glass,
                "restricted": restricted_reads,
                "largest_export": export,
                "at_night": at_night,
            }
        cursor.execute(_OUTSIDE_SQL, params)
        for actor, day, outside in cursor.fetchall():
            found.setdefault((actor, day), {})["outside_caseload"] = outside
    users = (
        authority_users(officer)
        .select_related("organisation", "team")
        .in_bulk({actor for actor, _ in found})
    )
    findings = []
    for (actor, day), counts in found.items():
        if actor not in users:
            continue  # another authority's user (cannot be: the rows are this authority's)
        finding = Finding(user=users[actor], day=day, **counts)
        if finding.reasons(limits):
            findings.append(finding)
    reviews = {
        (review.user_id, review.day): review
        for review in rule.restrict(officer, AccessReview, rule.ACCOUNT)
        .filter(day__gte=since, day__lte=until)
        .select_related("reviewed_by")
    }
    for finding in findings:
        finding.review = reviews.get((finding.user.pk, finding.day))
    findings.sort(key=lambda f: (-f.day.toordinal(), f.user.get_full_name(), f.user.pk))
    return findings
