"""Which records are due for review under the retention schedule: the beat job's work.

:func:`list_due` writes one :class:`~safeguarding.retention.models.RetentionReview` per record
of an authority whose period (its rule, ``schedule.rules_for``) ends within
``settings.RETENTION_LOOKAHEAD_DAYS`` days, and removes the ``due`` rows of records no longer
due (new activity, a legal hold). Run again, it writes nothing new (idempotent): a row is
keyed by its record (``record_key``).

Set-based, one query per record type to find what is due, whatever the size of the borough:
each record's event date (its last activity, 18th birthday or closure) is worked out by the
database from correlated ``MAX`` subqueries by index, and compared with a cut-off worked out
once (today + lookahead minus the period). Only the due rows come back to Python, in batches.

What counts as activity for a subject: the record made, a concern about it (when it
happened), a case note (when the contact happened), a case opened or closed about it. A
subject with an open case is never due (work is going on), nor one under a legal hold, nor one
disposed of already (an anonymised record stays, its review ``disposed``).
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import (
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from .models import LegalHold, RecordType, RetentionReview, StartsFrom
from .schedule import rules_for

BATCH = 2000


class _PlusYears(Func):
    """``date + interval 'n years'`` (PostgreSQL; SQLite's ``date(d, '+n years')`` for
    ``make run``), as a date."""

    template = "(%(expressions)s + make_interval(years => %(years)s))::date"
    output_field = DateField()

    def __init__(self, expression, years: int):
        super().__init__(expression, years=int(years))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s, '+%(years)s years')",
            **extra_context,
        )


def _latest(model, subject_path: str, field: str, *, is_date: bool = False):
    """The latest ``field`` (as a date; ``is_date`` when it is a date already, which SQLite
    cannot truncate) of ``model``'s rows about the outer subject."""
    return Subquery(
        model.objects.filter(**{subject_path: OuterRef("subject_id")})
        .order_by()
        .values(subject_path)
        .annotate(latest=Max(F(field) if is_date else TruncDate(field)))
        .values("latest")[:1],
        output_field=DateField(),
    )


def _last_activity():
    """The latest day anything happened about the record: its creation, a concern, a case
    note, a case opened or closed, a referral received, an assessment or plan started, a
    meeting or agenda item about it, a warning note proposed."""
    from cases.models import (
        AgendaItem,
        Assessment,
        Case,
        CaseNote,
        ConcernSubject,
        Meeting,
        Plan,
        ReferralSubject,
        WarningNote,
    )

    created = TruncDate("subject__created_at")
    # Each "latest" falls back to the record's creation: PostgreSQL's GREATEST skips NULLs,
    # SQLite's MAX() (make run) would answer NULL for a record with no case notes, say.
    return Greatest(
        created,
        *(
            Coalesce(latest, created, output_field=DateField())
            for latest in (
                _latest(ConcernSubject, "subject", "concern__occurred_at"),
                _latest(CaseNote, "subject", "occurred_at"),
                _latest(Case, "subject", "opened_at"),
                _latest(Case, "subject", "closed_at"),
                _latest(ReferralSubject, "subject", "referral__received_at"),
                _latest(Assessment, "subject", "started_on", is_date=True),
                _latest(Plan, "subject", "started_on", is_date=True),
                _latest(Meeting, "subject", "starts_at"),
                _latest(AgendaItem, "subject", "meeting__starts_at"),
                _latest(WarningNote, "subject", "proposed_at"),
            )
        ),
        output_field=DateField(),
    )


def _event(rule, *, has_birthday: bool):
    from cases.models import Case

    last = _last_activity()
    if rule.starts_from == StartsFrom.EIGHTEENTH_BIRTHDAY and has_birthday:
        # The later of the 18th birthday and the last activity ("to the 18th birthday plus
        # some years of inactivity"); no date of birth known: the last activity.
        return Greatest(
            Coalesce(_PlusYears(F("date_of_birth"), 18), last, output_field=DateField()),
            last,
            output_field=DateField(),
        )
    if rule.starts_from == StartsFrom.CLOSURE:
        return ExpressionWrapper(_latest(Case, "subject", "closed_at"), output_field=DateField())
    return last


def _subject_rows(model, rule, authority_id: int, cutoff: date, extra: Q):
    """``(subject_id, reference, event date)`` of ``model``'s records of the authority due."""
    from cases.models import Case

    held = LegalHold.objects.filter(subject_id=OuterRef("subject_id"), lifted_at__isnull=True)
    disposed = RetentionReview.objects.filter(
        subject_id=OuterRef("subject_id"), status=RetentionReview.Status.DISPOSED
    )
    open_case = Case.objects.filter(subject_id=OuterRef("subject_id")).exclude(status="closed")
    has_birthday = model._meta.label == "cases.YoungPerson"
    return (
        model.objects.filter(subject__authority_id=authority_id)
        .filter(extra)
        .annotate(event=_event(rule, has_birthday=has_birthday))
        .filter(event__lte=cutoff)
        .exclude(Exists(held))
        .exclude(Exists(disposed))
        .exclude(Exists(open_case))
        .order_by()
        .values_list("subject_id", "subject__reference", "event")
    )


def _due_rows(record_type: str, rule, authority_id: int, cutoff: date):
    """``(record_key, reference, subject_id, referral_id, event)`` of one record type due."""
    from cases.models import Meeting, Referral, YoungPerson
    from contexts.models import Context
    from peers.models import PeerGroup

    protection = Exists(
        Meeting.objects.filter(subject_id=OuterRef("subject_id"), kind=Meeting.Kind.STRATEGY)
    )
    if record_type in (RecordType.YOUNG_PERSON, RecordType.YOUNG_PERSON_PROTECTION):
        extra = (
            Q(protection) if record_type == RecordType.YOUNG_PERSON_PROTECTION else ~Q(protection)
        )
        rows = _subject_rows(YoungPerson, rule, authority_id, cutoff, extra)
    elif record_type == RecordType.PLACE:
        rows = _subject_rows(Context, rule, authority_id, cutoff, Q())
    elif record_type == RecordType.PEER_GROUP:
        rows = _subject_rows(PeerGroup, rule, authority_id, cutoff, Q())
    else:
        held = LegalHold.objects.filter(referral_id=OuterRef("pk"), lifted_at__isnull=True)
        rows = (
            Referral.objects.filter(
                authority_id=authority_id,
                decision=Referral.Decision.NO_FURTHER_ACTION,
                status__in=[Referral.Status.DECIDED, Referral.Status.CLOSED],
            )
            .annotate(event=TruncDate("decided_at"))
            .filter(event__lte=cutoff)
            .exclude(Exists(held))
            .order_by()
            .values_list("pk", "reference", "event")
        )
        for pk, reference, event in rows.iterator(chunk_size=BATCH):
            yield f"referral:{pk}", reference, None, pk, event
        return
    for subject_id, reference, event in rows.iterator(chunk_size=BATCH):
        yield f"subject:{subject_id}", reference, subject_id, None, event


def list_due(authority, *, today: date | None = None) -> dict[str, int]:
    """List the authority's records due for review (see the module's docstring).

    Returns ``{record_type: rows due}``. Idempotent; one transaction per record type.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.RETENTION_LOOKAHEAD_DAYS)
    counts = {}
    for rule in rules_for(authority):
        period = relativedelta(years=rule.years, months=rule.months)
        cutoff = horizon - period
        run = timezone.now()
        with transaction.atomic():
            batch, count = [], 0
            for key, reference, subject_id, referral_id, event in _due_rows(
                rule.record_type, rule, authority.pk, cutoff
            ):
                batch.append(
                    RetentionReview(
                        authority_id=authority.pk,
                        record_type=rule.record_type,
                        record_key=key,
                        reference=reference,
                        subject_id=subject_id,
                        referral_id=referral_id,
                        rule=rule,
                        due_on=event + period,
                        listed_at=run,
                    )
                )
                if len(batch) >= BATCH:
                    count += _write(batch)
                    batch = []
            count += _write(batch)
            reviews = RetentionReview.objects.filter(
                authority_id=authority.pk, record_type=rule.record_type
            )
            # No longer due (new activity, a legal hold, a changed rule): off the list.
            reviews.filter(status=RetentionReview.Status.DUE, listed_at__lt=run).delete()
            # An extension that has run out: due again.
            reviews.filter(
                status=RetentionReview.Status.EXTENDED,
                listed_at=run,
                extended_to__lte=horizon,
            ).update(status=RetentionReview.Status.DUE)
        counts[rule.record_type] = count
    return counts


def _write(batch: list) -> int:
    if not batch:
        return 0
    RetentionReview.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["record_key"],
        update_fields=["listed_at", "rule", "reference", "due_on"],
    )
    return len(batch)


def list_due_everywhere(*, today: date | None = None) -> dict[int, dict[str, int]]:
    """:func:`list_due` for every local authority: ``{authority id: counts}``."""
    from safeguarding.accounts.models import Organisation

    return {
        authority.pk: list_due(authority, today=today)
        for authority in Organisation.objects.filter(kind="local_authority").order_by("pk")
    }
