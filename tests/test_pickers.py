"""The pickers' endpoint: what it answers is what the rule lets the user pick, a few at a time,
with no more than the form showed; the search text never goes into a URL."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import YoungPerson
from contexts.models import Context
from peers.models import PeerGroup
from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import User
from safeguarding.pickers import LIMIT
from tests.conftest import make_user

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _pick(client, slug, text, **extra):
    return client.post(reverse("pick", args=[slug]), {"q": text}, **extra)


def _found(client, slug, text) -> list[dict]:
    response = _pick(client, slug, text)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def _values(results) -> set[str]:
    return {r["value"] for r in results}


@pytest.fixture
def elsewhere(world):
    """A young person, a place and a group of another authority, named like ours."""
    la2 = world.records["accounts.organisation"]["la2"]
    team = world.records["accounts.team"]["t_la2"]
    with transaction.atomic():
        person = YoungPerson(
            authority=la2, given_name="GivenElse", family_name="Testperson", date_of_birth=None
        )
        person.save()
        services.case_open(
            subject=person.subject,
            team=team,
            opened_by=None,
            worker=world.records["accounts.user"]["la2_sw"],
        )
        place = Context(authority=la2, name="Test else place", kind=Context.Kind.PARK)
        place.save()
        group = PeerGroup(authority=la2, name="Test else group")
        group.save()
        grants.grant_team(group, team)
    return person, place, group


def test_young_people_only_those_the_rule_lets_the_user_pick(world, client, elsewhere):
    people = world.records["cases.youngperson"]
    client.force_login(world.users["sw"])
    results = _found(client, "young-people", "Testperson")
    assert _values(results) == {str(people["own"].pk), str(people["team"].pk)}
    # Not another team's, not a restricted one, not another authority's: whatever is typed.
    for name in ("GivenOther Testperson", "GivenRestricted", "GivenElse"):
        found = _found(client, "young-people", name)
        assert _values(found) <= {str(people["own"].pk), str(people["team"].pk)}, name
    # The worker named on the restricted record picks them.
    client.force_login(world.users["sw2"])
    assert str(people["restricted"].pk) in _values(_found(client, "young-people", "GivenRestr"))


def test_a_result_holds_what_the_option_showed_and_no_more(world, client):
    own = world.records["cases.youngperson"]["own"]
    own.postcode, own.nhs_number = "EB4 7QT", "9434765919"
    own.save()
    client.force_login(world.users["sw"])
    found = _found(client, "young-people", "GivenOwn Testperson")
    assert found[0] == {
        "value": str(own.pk),
        "label": "GivenOwn Testperson",
        "hint": "born 1 Jan 2010",
        "text": "GivenOwn Testperson (born 1 Jan 2010)",
    }
    # Found by postcode or date of birth, still shown without them.
    assert _found(client, "young-people", "EB4 7QT")[0]["value"] == str(own.pk)
    assert str(own.pk) in _values(_found(client, "young-people", "1/1/2010"))
    response = _pick(client, "young-people", "GivenOwn")
    assert "no-store" in {d.strip() for d in response["Cache-Control"].split(",")}
    for secret in ("EB4", "9434765919", own.reference):
        assert secret not in response.content.decode()


def test_places_the_authoritys_directory_not_anothers(world, client, elsewhere):
    _, else_place, _ = elsewhere
    places = world.records["contexts.context"]
    client.force_login(world.users["sw"])
    # Picking a place is from the authority's whole directory (another team's place too), so a
    # known place is named instead of added twice.
    results = _found(client, "places", "place")
    assert _values(results) == {str(places["team"].pk), str(places["other"].pk)}
    assert results[0]["hint"] == "Park or open space"
    assert str(else_place.pk) not in _values(_found(client, "places", "Test else place"))
    assert str(else_place.pk) not in _values(results)


def test_peer_groups_the_teams_own(world, client, elsewhere):
    groups = world.records["peers.peergroup"]
    client.force_login(world.users["sw"])
    results = _found(client, "peer-groups", "group")
    assert _values(results) == {str(groups["team"].pk)}
    assert results[0]["hint"] == groups["team"].reference


def test_workers_of_the_authority_who_may_be_given_work(world, client):
    users = world.users
    inactive = make_user(
        "gone", User.Role.SOCIAL_WORKER, users["sw"].organisation, users["sw"].team, is_active=False
    )
    client.force_login(users["sw"])
    found = _found(client, "workers", "Test")
    assert _values(found) == {str(users[name].pk) for name in ("sw", "sw2", "sw3", "tm")}
    assert str(inactive.pk) not in _values(found)
    # Not another authority's, not a partner, not a senior manager.
    for name in ("La2 Sw", "Partner", "Sm Test"):
        assert not _found(client, "workers", name), name
    # Every word must match: first and last names.
    assert _values(_found(client, "workers", "sw2 test")) == {str(users["sw2"].pk)}
    assert _found(client, "workers", "Sw2 Test")[0] == {
        "value": str(users["sw2"].pk),
        "label": "Sw2 Test",
        "hint": "Team One",
        "text": "Sw2 Test (Team One)",
    }


def test_people_the_authoritys_staff_and_its_partner_agencies_users(world, client):
    """``people`` (a meeting's invitee or co-chair): council staff pick active users of the
    authority and of its partner agencies, administrators aside; a partner picks only their own
    organisation's (the rule's PICK); nobody picks another authority's."""
    users = world.users
    records = world.records["accounts.user"]
    inactive = make_user("gone", User.Role.PARTNER, users["partner"].organisation, is_active=False)
    client.force_login(users["sw"])
    found = _values(_found(client, "people", "Test"))
    want = {"sw", "sw2", "sw3", "tm", "sm", "partner", "partner2"}
    assert found == {str(records[name].pk) for name in want}
    assert str(inactive.pk) not in found
    assert _found(client, "people", "Partner2 Test") == [
        {
            "value": str(records["partner2"].pk),
            "label": "Partner2 Test",
            "hint": "Test Academy",
            "text": "Partner2 Test (Test Academy)",
        }
    ]
    assert _found(client, "people", "Sw3")[0]["hint"] == "Test Borough Council, Team Two"
    # A partner: their own organisation's only; picking widens nothing they view.
    client.force_login(users["partner"])
    assert _found(client, "people", "Test") == [
        {
            "value": str(users["partner"].pk),
            "label": "Partner Test",
            "hint": "",  # a partner reads users' names only
            "text": "Partner Test",
        }
    ]
    assert set(visibility.restrict(users["sw"], User).values_list("pk", flat=True)) == {
        records[name].pk for name in ("sw", "sw2", "sw3", "tm", "sm", "admin", "dpo")
    }
    client.force_login(records["la2_sw"])
    assert _values(_found(client, "people", "Test")) == {str(records["la2_sw"].pk)}


def test_who_may_pick_nothing_finds_nothing(world, client):
    for name in ("partner", "admin"):
        client.force_login(world.users[name])
        assert not _found(client, "young-people", "Testperson"), name
        assert not _found(client, "peer-groups", "Test team group"), name


def test_sign_in_post_and_a_known_picker_are_needed(world, client):
    url = reverse("pick", args=["young-people"])
    response = client.post(url, {"q": "Testperson"})
    assert response.status_code == 401
    assert "Testperson" not in response.content.decode()
    client.force_login(world.users["sw"])
    # The text is personal data: never in a URL.
    assert client.get(url, {"q": "Testperson"}).status_code == 405
    assert _pick(client, "children", "Testperson").status_code == 404


def test_csrf_is_checked(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["sw"])
    assert _pick(client, "young-people", "Testperson").status_code == 403


def test_short_text_finds_nothing_and_long_text_is_cut(world, client):
    client.force_login(world.users["sw"])
    assert _found(client, "young-people", " G ") == []
    assert _found(client, "young-people", "") == []
    assert _found(client, "workers", "x" * 5000) == []


def _add_people_and_places(world, start, n):
    la, t1 = world.records["accounts.organisation"]["la"], world.records["accounts.team"]["t1"]
    with transaction.atomic():
        for i in range(start, start + n):
            yp = YoungPerson(
                authority=la,
                given_name=f"Extra{i}",
                family_name="Testperson",
                date_of_birth=date(2010, 1, 1),
            )
            yp.save()
            services.case_open(subject=yp.subject, team=t1, opened_by=None, worker=None)
            place = Context(authority=la, name=f"Test extra place {i}", kind=Context.Kind.SHOP)
            place.save()
            group = PeerGroup(authority=la, name=f"Test extra group {i}")
            group.save()
            grants.grant_team(group, t1)
            make_user(f"extra_{i}", User.Role.SOCIAL_WORKER, la, t1)


def test_an_answer_is_a_few_records_in_queries_that_do_not_grow(world, client):
    client.force_login(world.users["sw"])
    searches = [
        ("young-people", "Testperson"),
        ("places", "place"),
        ("peer-groups", "group"),
        ("workers", "Test"),
    ]

    def queries():
        counts = []
        for slug, text in searches:
            with CaptureQueriesContext(connection) as captured:
                results = _found(client, slug, text)
            assert len(results) <= LIMIT
            counts.append(len(captured.captured_queries))
        return counts

    _add_people_and_places(world, 0, 2)
    small = queries()
    _add_people_and_places(world, 2, 30)
    assert queries() == small
    # At most LIMIT, however many match.
    assert len(_found(client, "young-people", "Testperson")) == LIMIT
    assert len(_found(client, "workers", "Test")) == LIMIT
