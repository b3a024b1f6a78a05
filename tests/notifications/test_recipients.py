"""Who is told of what: each event reaches the people and organisations the practice expects,
through the channels they chose, and no one else."""

import pytest
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import HarmCategory, Referral
from safeguarding.notifications.models import Channel, Notification
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.world_per_module]


def told(event_type) -> set[tuple]:
    rows = Notification.objects.filter(event_type=event_type)
    return {
        (
            row.kind,
            row.recipient_user.username if row.recipient_user else row.recipient_organisation.name,
            row.email or row.channel.url,
        )
        for row in rows.select_related("recipient_user", "recipient_organisation", "channel")
    }


@pytest.fixture
def channels(world):
    """The police (p1) have a mailbox told of everything about referrals and a webhook told only
    of decisions; the school (p2) nothing about referrals."""
    p1 = world.records["accounts.organisation"]["p1"]
    Notification.objects.all().delete()  # the world's own
    Channel.objects.filter(organisation=p1).delete()
    Channel.objects.create(
        organisation=p1,
        kind="email",
        email="mash@police.example",
        event_types=["referral.received", "referral.decided"],
    )
    Channel.objects.create(
        organisation=p1,
        kind="webhook",
        url="https://police.example/hooks",
        event_types=["referral.decided"],
    )
    Channel.objects.create(
        organisation=p1,
        kind="email",
        email="off@police.example",
        event_types=["referral.decided"],
        is_active=False,
    )


def test_a_referral_is_acknowledged_and_its_decision_told_to_who_referred(world, channels):
    partner = world.users["partner"]
    referral = services.referral_receive(
        referred_by=partner,
        young_people=[services.ReferredYoungPerson(name="Described Child")],
        harm_categories=list(HarmCategory.objects.all()[:1]),
        narrative="Seen at the station.",
        urgency="routine",
        referrer_name="PC Test",
        referrer_email="pc.test@police.example",
        consent="not_sought",
        lawful_basis="public_task",
        lawful_basis_detail="Asking would increase the risk.",
    )
    police = "Test Police"
    assert told("referral.received") == {
        ("email", police, "mash@police.example"),  # the organisation's mailbox
        ("email", "partner", "partner@example.invalid"),  # the person who sent it
        ("email", police, "pc.test@police.example"),  # the address the referrer gave
    }
    services.referral_decide(
        referral=Referral.objects.get(pk=referral.pk),
        decision=Referral.Decision.NO_FURTHER_ACTION,
        reason="Known, no new risk",
        decided_by=world.users["tm"],
    )
    assert told("referral.decided") == {
        ("email", police, "mash@police.example"),
        ("webhook", police, "https://police.example/hooks"),  # subscribed to decisions only
        ("email", "partner", "partner@example.invalid"),
        ("email", police, "pc.test@police.example"),
    }  # and not the switched-off mailbox


def test_transfers_tell_the_worker_and_both_teams_managers(world):
    la = world.records["accounts.organisation"]["la"]
    tm, tm2 = (
        world.users["tm"],
        make_user("tm2", "team_manager", la, world.records["accounts.team"]["t2"]),
    )
    case = world.records["cases.case"]["team"]  # team one's, allocated to sw2
    Notification.objects.all().delete()
    transfer = services.transfer_request(
        case=case, to_team=world.records["accounts.team"]["t2"], requested_by=tm, reason="Moved"
    )
    assert told("work.transfer_requested") == {("email", "tm2", "tm2@example.invalid")}
    services.transfer_accept(request=transfer, accepted_by=tm2)
    # The worker who held it learns it is no longer theirs; the accepting manager acted, so is
    # not told; the manager who asked learns the answer.
    assert told("work.transferred") == {("email", "sw2", "sw2@example.invalid")}
    assert told("work.transfer_decided") == {("email", "tm", "tm@example.invalid")}


def test_a_direct_move_tells_the_receiving_managers(world):
    la = world.records["accounts.organisation"]["la"]
    make_user("tm2", "team_manager", la, world.records["accounts.team"]["t2"])
    Notification.objects.all().delete()
    services.case_transfer(
        case=world.records["cases.case"]["own"],
        to_team=world.records["accounts.team"]["t2"],
        transferred_by=world.users["tm"],
    )
    assert told("work.transferred") == {
        ("email", "sw", "sw@example.invalid"),
        ("email", "tm2", "tm2@example.invalid"),
    }


def test_an_inactive_member_of_staff_is_not_emailed(world):
    sw2 = world.users["sw2"]
    sw2.is_active = False
    sw2.save()
    from safeguarding.notifications.services import WorkAllocated

    with transaction.atomic():
        rows = WorkAllocated.record(
            authority=world.records["accounts.organisation"]["la"],
            users=[sw2, world.users["sw"]],
            reference="YTEST",
            link="/",
        )
    assert [r.recipient_user for r in rows] == [world.users["sw"]]
    assert rows[0].next_attempt_at <= timezone.now()
