"""The demo borough's retention (issue 16): records due for review on the data protection
officer's list (``dpo.olu``), and a legal hold.

The borough is made today, so nothing in it would be due for years. A few of its records are
made old instead, deterministically (the first by primary key, so the same seed gives
the same borough): young people who never had a case grown up (born 16 years earlier), their
record, concerns and case notes eight years old (no concern then precedes the birth of
another young person in it: the youngest are ten); referrals decided "no further action"
three years ago. Then one of those referrals is put under a legal hold by the officer,
and the listing (``safeguarding.retention.listing.list_due``) runs as Celery beat
would. No row is added to what the borough counts (young people, referrals …): only dates change.
"""

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import Case, CaseNote, Concern, Referral, YoungPerson
from safeguarding.accounts.models import User
from safeguarding.retention import listing, services
from safeguarding.subjects.models import Subject

#: How many of each the demo makes old.
OLD_YOUNG_PEOPLE = 3
OLD_REFERRALS = 3


def make_records_due(authority) -> dict[str, int]:
    """Age a few records, hold one, list what is due: ``list_due``'s counts."""
    now = timezone.now()
    people = list(
        YoungPerson.objects.filter(subject__authority=authority, restricted=False)
        .exclude(Exists(Case.objects.filter(subject_id=OuterRef("subject_id"))))
        .order_by("pk")[:OLD_YOUNG_PEOPLE]
    )
    subjects = [p.subject_id for p in people]
    back = relativedelta(years=8)
    for person in people:
        if person.date_of_birth:
            person.date_of_birth -= relativedelta(years=16)
        YoungPerson.objects.filter(pk=person.pk).update(date_of_birth=person.date_of_birth)
    Subject.objects.filter(pk__in=subjects).update(created_at=now - back)
    # What happened to them happened ten years ago too.
    for concern in Concern.objects.filter(involvements__subject_id__in=subjects).distinct():
        Concern.objects.filter(pk=concern.pk).update(occurred_at=concern.occurred_at - back)
    for note in CaseNote.objects.filter(subject_id__in=subjects):
        CaseNote.objects.filter(pk=note.pk).update(occurred_at=note.occurred_at - back)
    nfa = list(
        Referral.objects.filter(
            authority=authority, decision=Referral.Decision.NO_FURTHER_ACTION
        ).order_by("pk")[:OLD_REFERRALS]
    )
    for referral in nfa:
        back = relativedelta(years=3)
        Referral.objects.filter(pk=referral.pk).update(
            received_at=referral.received_at - back,
            decision_due_at=referral.decision_due_at - back,
            decided_at=(referral.decided_at or referral.received_at) - back,
        )
    officer = User.objects.filter(
        organisation=authority, role=User.Role.DATA_PROTECTION_OFFICER, is_active=True
    ).first()
    held = nfa[len(nfa) - 1] if nfa else None
    if officer is not None and held is not None:
        services.hold_place(
            user=officer,
            reference=held.reference,
            reason="A claim about how this referral was handled is pending.",
        )
    return listing.list_due(authority)
