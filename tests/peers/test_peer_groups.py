"""Peer groups: members over time, relationships with source and reliability, the network."""

import pytest
from django.urls import reverse

from peers.models import PeerGroupMembership, Relationship
from peers.selectors import network_for_group

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def test_add_a_member_and_mark_them_as_left(world, client):
    group = world.records["peers.peergroup"]["team"]
    yp = world.records["cases.youngperson"]["team"]
    client.force_login(world.users["sw"])
    response = client.post(
        reverse("peers:membership-add", args=[group.pk]),
        {"young_person": yp.pk, "confidence": "medium", "source": "school", "source_detail": ""},
    )
    assert response.status_code == 302, response.content.decode()
    membership = PeerGroupMembership.objects.get(peer_group=group, young_person=yp)
    assert membership.recorded_by == world.users["sw"]
    end = reverse("peers:membership-end", args=[group.pk, membership.pk])
    assert client.get(end).status_code == 200
    response = client.post(end, {"reason": "Moved school"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on is not None and membership.left_reason == "Moved school"
    # History is kept: still shown on the group page, as having left.
    page = client.get(group.get_absolute_url()).content.decode()
    assert yp.full_name in page


def test_add_member_errors_keep_input(world, client):
    group = world.records["peers.peergroup"]["team"]
    client.force_login(world.users["sw"])
    response = client.post(
        reverse("peers:membership-add", args=[group.pk]),
        {"young_person": "", "confidence": "", "source": "", "source_detail": "kept text"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'value="kept text"' in page
    assert 'href="#id_confidence_0"' in page


def test_without_javascript_a_member_is_found_then_chosen(world, client):
    group = world.records["peers.peergroup"]["team"]
    team, restricted = (
        world.records["cases.youngperson"]["team"],
        world.records["cases.youngperson"]["restricted"],
    )
    client.force_login(world.users["sw"])
    url = reverse("peers:membership-add", args=[group.pk])
    page = client.get(url).content.decode()
    assert 'data-picker-url="/pick/young-people/"' in page and team.full_name not in page
    typed = {
        "young_person": "",
        "young_person_find": "Testperson",
        "find": "young_person",
        "confidence": "medium",
        "source": "school",
        "source_detail": "kept text",
    }
    response = client.post(url, typed)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in page
    assert 'value="kept text"' in page and 'value="Testperson"' in page
    assert f'<option value="{team.pk}">{team.full_name} (born 1 Jan 2010)</option>' in page
    assert restricted.full_name not in page  # sw may not pick them
    assert not PeerGroupMembership.objects.filter(peer_group=group, young_person=team).exists()

    chosen = {k: v for k, v in typed.items() if k != "find"} | {"young_person": str(team.pk)}
    assert client.post(url, chosen).status_code == 302
    assert PeerGroupMembership.objects.filter(peer_group=group, young_person=team).exists()
    # An id the rule does not let them pick is refused like one that does not exist.
    response = client.post(url, chosen | {"young_person": str(restricted.pk)})
    assert response.context["form"].errors["young_person"] == [
        "Choose a young person from the matches"
    ]


def test_add_and_remove_a_relationship(world, client):
    group = world.records["peers.peergroup"]["team"]
    own = world.records["cases.youngperson"]["own"]
    restricted = world.records["cases.youngperson"]["restricted"]
    client.force_login(world.users["sw2"])
    response = client.post(
        reverse("peers:relationship-add", args=[group.pk]),
        {
            "from_person": own.pk,
            "to_person": restricted.pk,
            "kind": "associate",
            "source": "police",
            "reliability": "untested",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    rel = Relationship.objects.get(from_person=own, to_person=restricted, kind="associate")
    network = network_for_group(user=world.users["sw2"], peer_group=group)
    assert f"rel{rel.pk}" in {e["data"]["id"] for e in network["edges"]}
    # A colleague who may not see the restricted young person sees neither node nor edge.
    hidden = network_for_group(user=world.users["sw"], peer_group=group)
    assert f"yp{restricted.pk}" not in {n["data"]["id"] for n in hidden["nodes"]}
    assert f"rel{rel.pk}" not in {e["data"]["id"] for e in hidden["edges"]}
    response = client.post(reverse("peers:relationship-remove", args=[group.pk, rel.pk]))
    assert response.status_code == 302
    assert not Relationship.objects.filter(pk=rel.pk).exists()


def test_another_teams_worker_cannot_change_the_group(world, client):
    group = world.records["peers.peergroup"]["team"]
    client.force_login(world.users["sw3"])
    assert client.get(reverse("peers:membership-add", args=[group.pk])).status_code == 404
    membership = world.records["peers.peergroupmembership"]["own"]
    url = reverse("peers:membership-end", args=[group.pk, membership.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Left"}).status_code == 404
    membership.refresh_from_db()
    assert membership.left_on is None
