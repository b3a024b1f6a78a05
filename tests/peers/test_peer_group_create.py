"""Peer groups created in the app (a neutral name, why it is recorded, held by the creator's
team through the one rule), the list of groups, and members ended with a date and a reason."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peers.models import PeerGroup, PeerGroupMembership
from peers.services import (
    labelling_word,
    membership_add,
    membership_end,
    peer_group_create,
    peer_group_update,
)
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

PURPOSE = "To plan for the safety of young people seen together at the park."


def _create(world, user="sw", **values):
    return peer_group_create(
        by=world.users[user], **({"name": "Friends at Northside park", "purpose": PURPOSE} | values)
    )


# --- the neutral-name rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("Northside Gang", "Gang"),
        ("the crew at the station", "crew"),
        ("Eastbrook OCG", "OCG"),
        ("Organised  crime group", "Organised  crime"),
        ("County lines boys", "County lines"),
        ("Friends at Northside park", None),
        ("Langley estate group", None),  # "gang" inside a word is not a label
        ("Crewe Road lot", None),
        ("Year 10 group, Eastbrook Academy", None),
    ],
)
def test_labels_are_found_as_whole_words(name, word):
    assert labelling_word(name) == word


# --- services -----------------------------------------------------------------------------


def test_a_group_is_created_held_by_the_creator_s_team_through_the_one_rule(world):
    group = _create(world, description="They meet after school.")
    assert (group.name, group.purpose, group.created_by) == (
        "Friends at Northside park",
        PURPOSE,
        world.users["sw"],
    )
    assert group.subject.authority == world.records["accounts.organisation"]["la"]
    fresh = PeerGroup.objects.get(pk=group.pk)
    may = {
        name: (visibility.can(user, fresh), visibility.can(user, fresh, visibility.CHANGE))
        for name, user in world.users.items()
    }
    assert may == {
        "sw": (True, True),  # the creator
        "sw2": (True, True),  # and their team
        "tm": (True, True),
        "sw3": (False, False),  # another team
        "sm": (True, False),  # the authority's senior manager reads
        "partner": (False, False),
        "admin": (False, False),
    }
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(PeerGroup), object_pk=str(group.pk)
    )
    assert "Northside" not in str(entry.changes) and "Northside" not in entry.object_repr


def test_a_label_or_no_purpose_is_refused_at_the_field(world):
    with pytest.raises(ApplicationError) as error:
        _create(world, name="Northside gang", purpose="  ")
    assert set(error.value.message_dict) == {"name", "purpose"}
    assert "“gang”" in error.value.message_dict["name"][0]
    group = _create(world)
    with pytest.raises(ApplicationError) as error:
        peer_group_update(group, by=world.users["sw"], changes={"name": "Northside crew"})
    assert list(error.value.message_dict) == ["name"]
    assert PeerGroup.objects.get(pk=group.pk).name == "Friends at Northside park"


@pytest.mark.parametrize("user", ["sm", "partner", "admin"])
def test_only_practitioners_in_a_team_create_groups(world, user):
    with pytest.raises(NotAllowed):
        _create(world, user=user)
    assert not PeerGroup.objects.filter(name="Friends at Northside park").exists()


def test_a_member_is_ended_with_a_date_and_a_reason_and_kept(world):
    group = _create(world)
    yp = world.records["cases.youngperson"]["own"]
    membership = membership_add(
        peer_group=group,
        young_person=yp,
        by=world.users["sw"],
        source="school",
        confidence="high",
        joined_on=timezone.localdate() - timedelta(days=30),
        source_detail="Head of year",
    )
    with pytest.raises(ApplicationError) as error:
        membership_end(
            membership=membership,
            by=world.users["sw"],
            reason="",
            left_on=timezone.localdate() - timedelta(days=40),
        )
    assert set(error.value.message_dict) == {"reason", "left_on"}
    # A social worker of another team may not.
    with pytest.raises(RecordNotFound):
        membership_end(membership=membership, by=world.users["sw3"], reason="Moved")
    ended = membership_end(membership=membership, by=world.users["sw"], reason="Moved school")
    assert (ended.left_on, ended.left_reason) == (timezone.localdate(), "Moved school")
    assert PeerGroupMembership.objects.filter(pk=membership.pk).exists()
    with pytest.raises(ApplicationError):
        membership_end(membership=membership, by=world.users["sw"], reason="Again")
    # Ended: they may be added again as a new membership, the old one kept.
    again = membership_add(
        peer_group=group, young_person=yp, by=world.users["sw"], source="police", confidence="low"
    )
    assert PeerGroupMembership.objects.filter(peer_group=group, young_person=yp).count() == 2
    assert again.pk != membership.pk


def test_a_member_the_user_cannot_see_is_never_added(world):
    group = _create(world)
    for person in ("restricted", "other"):  # not named on it; another team's
        with pytest.raises(RecordNotFound):
            membership_add(
                peer_group=group,
                young_person=world.records["cases.youngperson"][person],
                by=world.users["sw"],
                source="police",
                confidence="low",
            )


# --- pages --------------------------------------------------------------------------------


def test_create_a_group_from_the_list(world, client):
    client.force_login(world.users["sw"])
    groups = client.get(reverse("peers:peer-groups"))
    page = groups.content.decode()
    create = reverse("peers:peer-group-create")
    assert f'href="{create}"' in page and "Test team group" in page
    assert "Test other group" not in page  # another team's
    form = client.get(create).content.decode()
    assert "govuk-inset-text" in form and "“gang”" in form and "Team One" in form
    response = client.post(
        create, {"name": "Friends at Northside park", "purpose": PURPOSE, "description": ""}
    )
    group = PeerGroup.objects.get(name="Friends at Northside park")
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Peer group created" in page and PURPOSE in page
    assert "Friends at Northside park" in client.get(reverse("peers:peer-groups")).content.decode()


def test_the_form_s_errors_are_at_the_fields_and_keep_what_was_typed(world, client):
    client.force_login(world.users["sw"])
    create = reverse("peers:peer-group-create")
    response = client.post(create, {"name": "Northside Gang", "purpose": "", "description": "kept"})
    page = response.content.decode()
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"][0].startswith("Enter a neutral name without “Gang”")
    assert errors["purpose"] == ["Say why the group is being recorded"]
    assert (
        'href="#id_name"' in page
        and 'value="Northside Gang"' in page
        and ">\nkept</textarea>" in page
    )
    assert not PeerGroup.objects.filter(name="Northside Gang").exists()


@pytest.mark.parametrize(
    ("user", "list_status", "create_status"),
    [("sm", 200, 404), ("partner", 404, 404), ("admin", 404, 404), ("tm", 200, 200)],
)
def test_who_sees_the_list_and_the_create_page(world, client, user, list_status, create_status):
    client.force_login(world.users[user])
    assert client.get(reverse("peers:peer-groups")).status_code == list_status
    create = reverse("peers:peer-group-create")
    assert client.get(create).status_code == create_status
    if create_status == 404:
        client.post(create, {"name": "Park friends", "purpose": PURPOSE})
        assert not PeerGroup.objects.filter(name="Park friends").exists()


def test_the_navigation_leads_to_the_list(world, client):
    client.force_login(world.users["sw"])
    page = client.get("/").content.decode()
    assert f'href="{reverse("peers:peer-groups")}"' in page


def test_end_a_membership_from_the_group_s_page(world, client):
    group = world.records["peers.peergroup"]["team"]
    membership = world.records["peers.peergroupmembership"]["own"]
    client.force_login(world.users["sw"])
    end = reverse("peers:membership-end", args=[group.pk, membership.pk])
    assert f'href="{end}"' in client.get(group.get_absolute_url()).content.decode()
    response = client.post(end, {"reason": "", "left_on_day": "1", "left_on_month": "13"})
    errors = response.context["form"].errors
    assert errors["reason"] == ["Say why they are no longer a member"]
    assert errors["left_on"] == ["The date must include a day, month and year"]
    assert client.post(end, {"reason": "No longer seen with the group"}).status_code == 302
    membership.refresh_from_db()
    assert membership.left_reason == "No longer seen with the group"
    page = client.get(group.get_absolute_url()).content.decode()
    assert "No longer seen with the group" in page  # kept, as history
    # A membership of another group through this group's URL: a 404.
    other = world.records["peers.peergroupmembership"]["other"]
    assert client.get(reverse("peers:membership-end", args=[group.pk, other.pk])).status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(world, client):
    client.force_login(world.users["sw"])

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("peers:peer-groups"), params).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm
    small = count()
    for i in range(60):  # more than a page
        _create(world, name=f"Park friends {i:02}")
    assert count() == small
    assert count(page=2) == small


def test_the_group_s_page_reads_members_in_a_fixed_number_of_queries(world, client):
    group = _create(world)
    client.force_login(world.users["sw"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(group.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    membership_add(
        peer_group=group,
        young_person=world.records["cases.youngperson"]["own"],
        by=world.users["sw"],
        source="police",
        confidence="low",
    )
    count()  # warm
    small = count()  # one member
    PeerGroupMembership.objects.filter(peer_group=group).delete()
    for name in ("own", "team"):
        membership = membership_add(
            peer_group=group,
            young_person=world.records["cases.youngperson"][name],
            by=world.users["sw"],
            source="police",
            confidence="low",
        )
        membership_end(membership=membership, by=world.users["sw"], reason="Moved")
        membership_add(
            peer_group=group,
            young_person=world.records["cases.youngperson"][name],
            by=world.users["sw"],
            source="school",
            confidence="high",
        )
    assert count() == small
