"""Shared by the retention tests: records made old enough to be due, and reviews."""

from datetime import date, timedelta

from django.utils import timezone

from cases.models import YoungPerson
from safeguarding.retention.models import RecordType, RetentionReview
from safeguarding.retention.schedule import rules_for


def old_young_person(authority, *, given="Old", born=date(1990, 3, 1), years_ago=30):
    """A young person made ``years_ago`` years ago, with no case: due under the defaults."""
    person = YoungPerson(authority=authority, given_name=given, date_of_birth=born)
    person.save()
    person.subject.__class__.objects.filter(pk=person.subject_id).update(
        created_at=timezone.now() - timedelta(days=365 * years_ago)
    )
    return person


def review_of(record, record_type=RecordType.YOUNG_PERSON) -> RetentionReview:
    """A review of ``record`` (a young person, place or peer group), due today, under its
    authority's rule for ``record_type``; its cases closed first (a record with an open case is
    never due, and is refused disposal)."""
    from cases.models import Case

    subject = record.subject
    from django.utils import timezone

    Case.objects.filter(subject=subject).exclude(status=Case.Status.CLOSED).update(
        status=Case.Status.CLOSED, closed_at=timezone.now()
    )
    rule = next(r for r in rules_for(subject.authority) if r.record_type == record_type)
    return RetentionReview.objects.create(
        authority=subject.authority,
        record_type=record_type,
        record_key=f"subject:{subject.pk}",
        reference=subject.reference,
        subject=subject,
        rule=rule,
        due_on=date.today(),
    )
