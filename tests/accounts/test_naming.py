"""Naming staff on a restricted young person, in the app (cases/naming.py): a team manager of
the team holding the record, with a reason, audited; everyone else gets a 404."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases.models import YoungPerson, YoungPersonUserObjectPermission
from safeguarding.accounts.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


@pytest.fixture
def restricted(world) -> YoungPerson:
    return world.records["cases.youngperson"]["restricted"]


@pytest.fixture
def tm2(world) -> User:
    """A team manager of another team of the same authority."""
    return make_user(
        "tm2",
        User.Role.TEAM_MANAGER,
        world.records["accounts.organisation"]["la"],
        world.records["accounts.team"]["t2"],
    )


def _named_url(yp):
    return reverse("cases:young-person-named", args=[yp.pk])


def _page(client, yp):
    return client.get(reverse("cases:young-person", args=[yp.pk])).status_code


def _name(client, yp, person, reason="Covering the allocated worker's leave"):
    return client.post(_named_url(yp), {"person": str(person.pk), "reason": reason})


def test_the_holding_teams_manager_names_and_unnames_staff(world, client, restricted):
    sw, tm = world.users["sw"], world.users["tm"]
    client.force_login(sw)
    assert _page(client, restricted) == 404

    client.force_login(tm)
    page = client.get(_named_url(restricted))
    assert page.status_code == 200
    text = page.content.decode()
    assert restricted.reference in text
    assert restricted.given_name not in text  # the manager need not be named on the record
    assert str(world.users["sw2"]) in text  # the allocated worker

    response = _name(client, restricted, sw)
    assert response.status_code == 302
    assert YoungPersonUserObjectPermission.objects.filter(
        content_object=restricted, user=sw
    ).exists()
    entry = LogEntry.objects.filter(
        object_pk=str(restricted.pk), actor=tm, additional_data__named=sw.pk
    ).get()
    assert entry.additional_data["reason"] == "Covering the allocated worker's leave"
    client.force_login(sw)
    assert _page(client, restricted) == 200

    client.force_login(tm)
    remove = reverse("cases:young-person-unname", args=[restricted.pk, sw.pk])
    assert client.get(remove).status_code == 200
    response = client.post(remove, {"reason": "Back from leave"})
    assert response.status_code == 302
    assert LogEntry.objects.filter(
        object_pk=str(restricted.pk), actor=tm, additional_data__unnamed=sw.pk
    ).exists()
    client.force_login(sw)
    assert _page(client, restricted) == 404


@pytest.mark.parametrize("who", ["sw", "sw2", "sm", "admin", "partner", "tm2", "la2_sw"])
def test_anyone_else_gets_a_404_and_changes_nothing(world, client, restricted, tm2, who):
    user = tm2 if who == "tm2" else world.records["accounts.user"][who]
    client.force_login(user)
    before = YoungPersonUserObjectPermission.objects.count()
    assert client.get(_named_url(restricted)).status_code == 404
    assert _name(client, restricted, user).status_code == 404
    remove = reverse("cases:young-person-unname", args=[restricted.pk, world.users["sw2"].pk])
    assert client.get(remove).status_code == 404
    assert client.post(remove, {"reason": "x"}).status_code == 404
    assert YoungPersonUserObjectPermission.objects.count() == before


def test_not_a_restricted_record_is_a_404(world, client):
    client.force_login(world.users["tm"])
    team = world.records["cases.youngperson"]["team"]
    assert client.get(_named_url(team)).status_code == 404


@pytest.mark.parametrize(
    "person, reason, field",
    [
        ("sw", "", "reason"),
        ("sw", "   ", "reason"),
        ("partner", "A reason", "person"),
        ("la2_sw", "A reason", "person"),
        ("admin", "A reason", "person"),
        ("sw2", "A reason", "person"),  # already named
        ("tm", "A reason", "person"),  # themselves: nobody widens their own access
    ],
)
def test_refused_naming_says_why_and_keeps_what_was_typed(
    world, client, restricted, person, reason, field
):
    client.force_login(world.users["tm"])
    before = YoungPersonUserObjectPermission.objects.count()
    response = _name(client, restricted, world.records["accounts.user"][person], reason)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    text = response.content.decode()
    assert "There is a problem" in text
    if reason.strip():
        assert reason in text
    assert YoungPersonUserObjectPermission.objects.count() == before


def test_a_manager_cannot_name_themselves_and_still_cannot_open_the_record(
    world, client, restricted
):
    tm = world.users["tm"]
    client.force_login(tm)
    assert _page(client, restricted) == 404
    response = _name(client, restricted, tm, "I want to read it")
    assert response.status_code == 200
    assert "cannot name yourself" in response.content.decode()
    assert _page(client, restricted) == 404


def test_the_allocated_worker_is_not_unnamed_here(world, client, restricted):
    client.force_login(world.users["tm"])
    remove = reverse("cases:young-person-unname", args=[restricted.pk, world.users["sw2"].pk])
    response = client.post(remove, {"reason": "Trying"})
    assert response.status_code == 200
    assert "reallocate" in response.content.decode()
    assert YoungPersonUserObjectPermission.objects.filter(
        content_object=restricted, user=world.users["sw2"]
    ).exists()


def test_unnaming_needs_a_reason(world, client, restricted):
    from django.db import transaction

    from safeguarding.accounts import grants

    sw = world.users["sw"]
    with transaction.atomic():
        grants.name_user(restricted, sw)
    client.force_login(world.users["tm"])
    remove = reverse("cases:young-person-unname", args=[restricted.pk, sw.pk])
    response = client.post(remove, {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert YoungPersonUserObjectPermission.objects.filter(
        content_object=restricted, user=sw
    ).exists()


def test_finding_staff_without_javascript(world, client, restricted):
    """The Find button posts the form back with matches and saves nothing."""
    client.force_login(world.users["tm"])
    response = client.post(
        _named_url(restricted),
        {"person_find": "Sw3", "find": "person", "reason": "Keep this reason"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert f'value="{world.users["sw3"].pk}"' in text
    assert "Keep this reason" in text
    assert not response.context["form"].errors


def test_the_young_persons_page_links_to_the_named_staff_for_a_named_holding_manager(
    world, client, restricted
):
    from django.db import transaction

    from safeguarding.accounts import grants

    tm = world.users["tm"]
    with transaction.atomic():
        grants.name_user(restricted, tm)
    client.force_login(tm)
    page = client.get(reverse("cases:young-person", args=[restricted.pk])).content.decode()
    assert _named_url(restricted) in page
    client.force_login(world.users["sw2"])  # named, but not a manager
    page = client.get(reverse("cases:young-person", args=[restricted.pk])).content.decode()
    assert _named_url(restricted) not in page
