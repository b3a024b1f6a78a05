"""Possible duplicates (issue 13; safeguarding/duplicates.py): a new young person with the name
and date of birth of one the user can see, a new place with the name and postcode of one they
can see, or a new record at the front door identical to one on record, asks first, offering the
match (use it) or a confirmation (create anyway). A match the user cannot see is never offered
nor hinted at: the record is created as if there were none."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import Concern, HarmCategory, Referral, YoungPerson
from contexts.models import Context
from safeguarding import duplicates
from safeguarding.accounts import visibility
from tests.cases.test_concern_log import _post_data
from tests.factories import ReferralFactory

pytestmark = pytest.mark.world_per_module

SAME_PERSON = "A young person with this name and date of birth is already on record"
SAME_PLACE = "A place with this name and postcode is already on record"


def _person(**more):
    """A concern about one new young person: "  givenown   TESTPERSON", born 1 January 2010
    (the world's "own" young person, GivenOwn Testperson, written otherwise)."""
    return _post_data(
        **{
            "people-0-new_given_name": "  givenown ",
            "people-0-new_family_name": "TESTPERSON",
            "people-0-new_date_of_birth_day": "1",
            "people-0-new_date_of_birth_month": "1",
            "people-0-new_date_of_birth_year": "2010",
            "people-0-part": "harmed",
            **more,
        }
    )


def _log(client, world, data, user="sw"):
    client.force_login(world.users[user])
    harm = HarmCategory.objects.get(slug="cce").pk
    return client.post(reverse("cases:concern-log"), {**data, "harm_categories": [harm]})


def test_names_compare_without_case_or_spacing(world):
    own = world.records["cases.youngperson"]["own"]
    found = duplicates.young_people_like(
        user=world.users["sw"],
        given_name=" GIVENOWN\t",
        family_name="testperson ",
        date_of_birth=date(2010, 1, 1),
        action=visibility.PICK,
    )
    assert found == [own]
    # The same name split otherwise is the same name; another date of birth is not a match.
    assert duplicates.young_people_like(
        user=world.users["sw"],
        given_name="Givenown Testperson",
        family_name="",
        date_of_birth=date(2010, 1, 1),
        action=visibility.PICK,
    ) == [own]
    assert not duplicates.young_people_like(
        user=world.users["sw"],
        given_name="GivenOwn",
        family_name="Testperson",
        date_of_birth=date(2010, 1, 2),
        action=visibility.PICK,
    )


def test_a_new_young_person_like_a_known_one_is_asked_about_and_nothing_is_saved(world, client):
    own = world.records["cases.youngperson"]["own"]
    concerns, people = Concern.objects.count(), YoungPerson.objects.count()
    response = _log(client, world, _person())
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and page.count(SAME_PERSON) == 2  # summary and field
    assert f'value="{own.pk}"' in page and own.reference in page
    assert 'value="new"' in page and "No, add them as someone new" in page
    assert 'value="  givenown "' in page or 'value="givenown"' in page  # what was typed, kept
    assert (Concern.objects.count(), YoungPerson.objects.count()) == (concerns, people)


def test_choosing_the_known_young_person_uses_them(world, client):
    own = world.records["cases.youngperson"]["own"]
    people = YoungPerson.objects.count()
    response = _log(client, world, _person(**{"people-0-same_as": str(own.pk)}))
    assert response.status_code == 302, response.content.decode()
    concern = Concern.objects.latest("logged_at")
    assert list(concern.subjects.all()) == [own.subject]
    assert YoungPerson.objects.count() == people


def test_confirming_someone_new_creates_them(world, client):
    people = YoungPerson.objects.count()
    response = _log(client, world, _person(**{"people-0-same_as": "new"}))
    assert response.status_code == 302, response.content.decode()
    assert YoungPerson.objects.count() == people + 1


def test_a_record_the_user_may_not_pick_is_not_offered_nor_hinted(world, client):
    other = world.records["cases.youngperson"]["other"]  # team two's
    assert not visibility.can(world.users["sw"], other, visibility.PICK)
    people = YoungPerson.objects.count()
    response = _log(client, world, _person(**{"people-0-new_given_name": "GivenOther"}))
    assert response.status_code == 302  # created as if there were no match
    assert YoungPerson.objects.count() == people + 1
    assert other.reference not in client.get(response["Location"]).content.decode()


def test_choosing_a_record_the_user_may_not_pick_is_refused(world, client):
    other = world.records["cases.youngperson"]["other"]
    response = _log(client, world, _person(**{"people-0-same_as": str(other.pk)}))
    assert response.status_code == 200
    assert "Choose one of the records offered" in response.content.decode()


def _place(**more):
    return _post_data(**{"new_place_name": "test  TEAM place", "new_place_kind": "park", **more})


def test_a_new_place_like_a_known_one_is_asked_about(world, client):
    ctx = world.records["contexts.context"]["team"]  # "Test team place", no postcode
    places = Context.objects.count()
    response = _log(client, world, _place())
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(SAME_PLACE) == 2 and ctx.reference in page
    assert "No, it is a new place" in page
    assert Context.objects.count() == places

    used = _log(client, world, _place(new_place_same_as=str(ctx.pk)))
    assert used.status_code == 302, used.content.decode()
    assert Concern.objects.latest("logged_at").subjects.get() == ctx.subject
    assert Context.objects.count() == places

    created = _log(client, world, _place(new_place_same_as="new"))
    assert created.status_code == 302
    assert Context.objects.count() == places + 1


def test_another_postcode_is_another_place(world, client):
    places = Context.objects.count()
    response = _log(client, world, _place(new_place_postcode="EB1 1AA"))
    assert response.status_code == 302
    assert Context.objects.count() == places + 1


def test_a_place_the_user_may_not_pick_is_not_offered(world, client):
    elsewhere = Context(
        authority=world.records["accounts.organisation"]["la2"], name="Elsewhere Park", kind="park"
    )
    elsewhere.save()  # another authority's
    assert not visibility.can(world.users["sw"], elsewhere, visibility.PICK)
    places = Context.objects.count()
    response = _log(client, world, _place(new_place_name="elsewhere park"))
    assert response.status_code == 302
    assert Context.objects.count() == places + 1
    assert elsewhere.reference not in client.get(response["Location"]).content.decode()


# --- the front door -------------------------------------------------------------------------


def _referral(world, name, born=date(2010, 1, 1)):
    referral = ReferralFactory(
        source_organisation=world.records["accounts.organisation"]["p1"],
        about=[{"kind": "young_person", "described_name": name, "described_date_of_birth": born}],
    )
    return referral, referral.about.get()


def _decide(client, world, referral, row, link, **more):
    client.force_login(world.users["tm"])
    return client.post(
        reverse("cases:triage-decide", args=[referral.pk]),
        {"decision": "nfa", "reason": "Known to us.", f"link_{row.pk}": link, **more},
    )


def test_the_front_door_asks_before_creating_a_record_identical_to_one_on_record(world, client):
    own = world.records["cases.youngperson"]["own"]
    referral, row = _referral(world, "Givenown  Testperson")
    client.force_login(world.users["tm"])
    page = client.get(reverse("cases:triage-decide", args=[referral.pk])).content.decode()
    assert "Same name and date of birth" in page and own.reference in page
    people = YoungPerson.objects.count()

    response = _decide(client, world, referral, row, "new")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Already on record: GivenOwn Testperson, born 1 January 2010 ({own.reference})" in page
    assert YoungPerson.objects.count() == people
    referral.refresh_from_db()
    assert referral.status != Referral.Status.DECIDED

    linked = _decide(client, world, referral, row, str(own.pk))
    assert linked.status_code == 302
    row.refresh_from_db()
    assert row.subject_id == own.subject_id
    assert YoungPerson.objects.count() == people


def test_the_front_door_creates_anyway_when_confirmed(world, client):
    referral, row = _referral(world, "GivenOwn Testperson")
    people = YoungPerson.objects.count()
    response = _decide(client, world, referral, row, "new", **{f"confirm_new_{row.pk}": "on"})
    assert response.status_code == 302, response.content.decode()
    assert YoungPerson.objects.count() == people + 1


def test_the_front_door_does_not_hint_at_a_record_it_may_not_match(world, client):
    restricted = world.records["cases.youngperson"]["restricted"]
    assert not visibility.can(world.users["tm"], restricted, visibility.MATCH)
    referral, row = _referral(world, "GivenRestricted Testperson")
    client.force_login(world.users["tm"])
    page = client.get(reverse("cases:triage-decide", args=[referral.pk])).content.decode()
    assert restricted.reference not in page and "Same name" not in page
    people = YoungPerson.objects.count()
    assert _decide(client, world, referral, row, "new").status_code == 302
    assert YoungPerson.objects.count() == people + 1


def test_the_front_door_asks_before_creating_a_place_identical_to_one_on_record(world, client):
    ctx = world.records["contexts.context"]["team"]  # "Test team place", no postcode
    referral = ReferralFactory(
        source_organisation=world.records["accounts.organisation"]["p1"],
        about=[
            {
                "kind": "context",
                "described_name": "TEST team  place",
                "described_place_kind": "park",
            }
        ],
    )
    row = referral.about.get()
    places = Context.objects.count()
    response = _decide(client, world, referral, row, "new")
    assert response.status_code == 200
    assert f"Already on record: Test team place ({ctx.reference})" in response.content.decode()
    assert Context.objects.count() == places
    confirmed = _decide(client, world, referral, row, "new", **{f"confirm_new_{row.pk}": "on"})
    assert confirmed.status_code == 302
    assert Context.objects.count() == places + 1


@pytest.mark.both_databases
def test_matching_works_on_the_embedded_database_too(world):
    """``make run`` uses SQLite, which has no ``regexp_replace``: the app registers one on each
    SQLite connection (``duplicates.register_sqlite_functions``), so matching works on both."""
    sw = world.users["sw"]
    own = world.records["cases.youngperson"]["own"]
    found = duplicates.young_people_like(
        user=sw,
        given_name=f"  {own.given_name.upper()}\t",
        family_name=f" {own.family_name}  ",
        date_of_birth=own.date_of_birth,
        action=visibility.PICK,
    )
    assert [p.pk for p in found] == [own.pk]
    place = world.records["contexts.context"]["team"]
    Context.objects.filter(pk=place.pk).update(postcode="EB1  4QT")
    found = duplicates.places_like(
        user=sw, name=f" {place.name.lower()} ", postcode="eb14qt", action=visibility.PICK
    )
    assert [c.pk for c in found] == [place.pk]
