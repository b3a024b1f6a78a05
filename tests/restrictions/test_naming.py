"""Automatic naming on restricted records (cases/restrictions/services.py): restricting names
the allocated worker and the holding team's managers; allocation, transfer and a manager joining
the team keep it up to date; someone named by hand stays; each naming is in the register with
its basis."""

from datetime import date

import pytest
from django.urls import reverse

from cases.casework import services as casework
from cases.models import Case, NamedStaff, Restriction
from cases.restrictions import services
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError, RecordNotFound
from tests.conftest import make_user

from .conftest import named

pytestmark = pytest.mark.world_per_module


def _restrict(world, name="team"):
    yp = world.records["cases.youngperson"][name]
    services.restriction_start(
        young_person=yp, by=world.users["tm"], reason="A relative works in the council"
    )
    yp.refresh_from_db()
    return yp


def _bases(yp):
    return set(
        NamedStaff.objects.filter(young_person=yp, ended_at__isnull=True).values_list(
            "user__username", "basis"
        )
    )


def test_restricting_names_the_allocated_worker_and_the_teams_managers(world):
    sw, tm = world.users["sw"], world.users["tm"]
    yp = world.records["cases.youngperson"]["team"]
    assert visibility.can(sw, yp)  # the team reads it while it is not restricted

    yp = _restrict(world)

    assert yp.restricted and yp.restricted_reason == "A relative works in the council"
    restriction = Restriction.objects.get(young_person=yp, lifted_at__isnull=True)
    assert restriction.review_on > date.today()
    assert _bases(yp) == {("sw2", "allocated"), ("tm", "manager")}
    assert named(yp, tm) and named(yp, world.users["sw2"])
    assert visibility.can(tm, yp) and not visibility.can(sw, yp)
    assert not visibility.can(world.users["sm"], yp)


def test_only_a_manager_of_the_holding_team_restricts(world, tm_b):
    yp = world.records["cases.youngperson"]["team"]
    for who in (world.users["sw2"], world.users["sm"], tm_b):
        with pytest.raises(RecordNotFound):
            services.restriction_start(young_person=yp, by=who, reason="Why")
    with pytest.raises(ApplicationError) as error:
        services.restriction_start(young_person=yp, by=world.users["tm"], reason="  ")
    assert "reason" in error.value.message_dict


def test_a_manager_who_joins_the_team_later_is_named_and_one_who_leaves_is_not(world, tm_b):
    yp = _restrict(world)
    t1 = world.records["accounts.team"]["t1"]
    newcomer = make_user(
        "tm_new", User.Role.TEAM_MANAGER, world.records["accounts.organisation"]["la"], t1
    )
    assert named(yp, newcomer) and ("tm_new", "manager") in _bases(yp)

    tm_b.team = t1
    tm_b.save()
    assert named(yp, tm_b)
    tm_b.team = world.records["accounts.team"]["t2"]
    tm_b.save()
    assert not named(yp, tm_b)
    assert NamedStaff.objects.filter(user=tm_b, ended_at__isnull=False).exists()


def test_allocation_names_the_new_worker_and_ends_the_old_workers_naming(world):
    yp = _restrict(world)
    case = Case.objects.get(subject=yp.subject)
    casework.case_allocate(case=case, worker=world.users["sw"], allocated_by=world.users["tm"])
    assert ("sw", "allocated") in _bases(yp) and ("sw2", "allocated") not in _bases(yp)
    assert named(yp, world.users["sw"]) and not named(yp, world.users["sw2"])


def test_transfer_names_the_receiving_managers_and_unnames_the_previous_ones(world, tm_b):
    from cases.naming import name_staff

    yp = _restrict(world)
    tm, sw = world.users["tm"], world.users["sw"]
    name_staff(young_person=yp, person=sw, by=tm, reason="Covers the duty rota")
    case = Case.objects.get(subject=yp.subject)
    request = casework.transfer_request(
        case=case, to_team=world.records["accounts.team"]["t2"], requested_by=tm, reason="Moved"
    )
    casework.transfer_accept(request=request, accepted_by=tm_b)

    assert _bases(yp) == {("tm_b", "manager"), ("sw", "by_hand")}
    assert named(yp, tm_b) and not named(yp, tm) and not named(yp, world.users["sw2"])
    assert named(yp, sw)  # named by hand: stays until un-named
    ended = NamedStaff.objects.get(young_person=yp, user=tm, basis="manager")
    assert ended.ended_at and ended.end_reason
    # The receiving manager now names and reviews; the previous one may not.
    assert visibility.can(tm_b, yp, visibility.NAME)
    assert not visibility.can(tm, yp, visibility.NAME)


def test_the_named_staff_page_shows_each_basis(world, client):
    from cases.naming import name_staff

    yp = _restrict(world)
    name_staff(young_person=yp, person=world.users["sw"], by=world.users["tm"], reason="Rota")
    client.force_login(world.users["tm"])
    text = client.get(reverse("cases:young-person-named", args=[yp.pk])).content.decode()
    assert "Allocated worker" in text
    assert "Manager of the team holding the record" in text
    assert "Named by a manager" in text
    assert yp.given_name in text or yp.subject.reference in text


def test_an_automatically_named_manager_is_not_unnamed_by_hand(world, tm_b):
    from cases.naming import unname_staff

    yp = _restrict(world)
    t1 = world.records["accounts.team"]["t1"]
    other = make_user(
        "tm_other", User.Role.TEAM_MANAGER, world.records["accounts.organisation"]["la"], t1
    )
    with pytest.raises(ApplicationError) as error:
        unname_staff(young_person=yp, person=other, by=world.users["tm"], reason="Not needed")
    assert "person" in error.value.message_dict
    assert named(yp, other)


def test_restricting_through_the_page(world, client):
    yp = world.records["cases.youngperson"]["team"]
    url = reverse("cases:young-person-restrict", args=[yp.pk])
    client.force_login(world.users["sw2"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["tm"])
    page = client.get(reverse("cases:young-person", args=[yp.pk])).content.decode()
    assert url in page
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "Say why it is restricted" in response.content.decode()
    response = client.post(url, {"reason": "At risk from a relative on the staff"})
    assert response.status_code == 302
    yp.refresh_from_db()
    assert yp.restricted
    assert client.get(url).status_code == 404  # already restricted
