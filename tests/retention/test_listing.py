"""The listing of records due for review (the beat job's work): what is due under each rule,
idempotent, held and open records left out, a fixed number of queries whatever the number
of records."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.models import Referral
from safeguarding.retention import listing, services
from safeguarding.retention.models import RecordType, RetentionReview

from .helpers import old_young_person

pytestmark = pytest.mark.world_per_module


def _la(world):
    return world.records["accounts.organisation"]["la"]


def _dpo(world):
    return world.records["accounts.user"]["dpo"]


def test_due_young_people_are_listed_once(world):
    la = _la(world)
    old = old_young_person(la)  # 18 in 2008, made 30 years ago: due since 2015
    young = old_young_person(la, given="Young", born=date(2015, 1, 1))  # 18 in 2033
    listing.list_due(la)
    review = RetentionReview.objects.get(record_key=f"subject:{old.subject_id}")
    assert review.record_type == RecordType.YOUNG_PERSON and review.status == "due"
    assert review.due_on == date(2015, 3, 1)  # 18th birthday + 7 years (the default)
    assert review.reference == old.reference
    assert not RetentionReview.objects.filter(subject=young.subject).exists()
    # The world's young people have open cases and today's activity: none is due.
    assert not RetentionReview.objects.filter(
        subject_id=world.records["cases.youngperson"]["own"].subject_id
    ).exists()
    rows = RetentionReview.objects.count()
    listing.list_due(la)
    assert RetentionReview.objects.count() == rows  # idempotent
    assert RetentionReview.objects.get(pk=review.pk).due_on == review.due_on


def test_recent_activity_takes_a_record_off_the_list(world):
    la = _la(world)
    old = old_young_person(la)
    listing.list_due(la)
    assert RetentionReview.objects.filter(subject=old.subject).exists()
    from cases.models import CaseNote

    CaseNote.objects.create(
        subject=old.subject,
        kind="visit",
        occurred_at=timezone.now() - timedelta(days=1),
        text="Seen again",
        source="professional",
        reliability="confirmed",
    )
    listing.list_due(la)
    assert not RetentionReview.objects.filter(subject=old.subject).exists()


def test_a_recent_referral_about_them_takes_a_record_off_the_list_too(world):
    """Activity is any record about them, not only cases and notes: a referral received last
    week about someone whose case closed years ago keeps them off the list (its disposal
    would delete the referral)."""
    from cases.models import ReferralSubject

    la = _la(world)
    old = old_young_person(la)
    listing.list_due(la)
    assert RetentionReview.objects.filter(subject=old.subject).exists()
    referral = world.records["cases.referral"]["staff"]
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(days=7))
    ReferralSubject.objects.create(
        referral=referral, kind="young_person", subject=old.subject, described_name="Old"
    )
    listing.list_due(la)
    assert not RetentionReview.objects.filter(subject=old.subject).exists()


def test_a_held_record_is_never_listed(world):
    la = _la(world)
    old = old_young_person(la)
    services.hold_place(user=_dpo(world), reference=old.reference, reason="A claim is pending")
    listing.list_due(la)
    assert not RetentionReview.objects.filter(subject=old.subject).exists()


def test_an_extension_that_runs_out_is_due_again(world):
    la = _la(world)
    old = old_young_person(la)
    listing.list_due(la)
    review = RetentionReview.objects.get(subject=old.subject)
    services.review_extend(
        user=_dpo(world),
        review=review,
        until=date.today() + timedelta(days=100),
        reason="Proceedings are expected",
    )
    listing.list_due(la)
    assert RetentionReview.objects.get(pk=review.pk).status == "extended"
    listing.list_due(la, today=date.today() + timedelta(days=90))  # within the lookahead
    assert RetentionReview.objects.get(pk=review.pk).status == "due"


def test_places_groups_and_referrals_of_no_further_action(world):
    la = _la(world)
    place = world.records["contexts.context"]["team"]
    referral = world.records["cases.referral"]["agency"]
    Referral.objects.filter(pk=referral.pk).update(
        status="decided", decision="nfa", decided_at=timezone.now() - timedelta(days=3 * 365)
    )
    listing.list_due(la, today=date.today() + timedelta(days=8 * 365))
    types = dict(RetentionReview.objects.values_list("record_key", "record_type"))
    assert types[f"referral:{referral.pk}"] == RecordType.NFA_REFERRAL
    # The place's case is open: not due, however far ahead.
    assert f"subject:{place.subject_id}" not in types


def test_the_listing_costs_the_same_whatever_the_number_of_records(
    world, django_assert_max_num_queries
):
    la = _la(world)
    old_young_person(la)
    listing.list_due(la)
    with django_assert_max_num_queries(40) as few:
        listing.list_due(la)
    for n in range(20):
        old_young_person(la, given=f"Many{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        counts = listing.list_due(la)
    assert counts[RecordType.YOUNG_PERSON] == 21
