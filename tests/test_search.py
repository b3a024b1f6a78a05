"""Search finds young people by name, alias, date of birth and postcode, and places and peer
groups by name, among what the user may see.

Tests marked ``both_databases`` run on PostgreSQL and again on the embedded SQLite database
(``make test`` runs them a second time with ``DATABASE_URL=sqlite://:memory:``). The others
need PostgreSQL: misspelt names are found by its trigram matching only.
"""

import re
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as case_services
from cases.models import Alias, Referral, ReferralSubject, YoungPerson
from cases.selectors import known_for_referral
from contexts.models import Context
from safeguarding.search import search, search_named, search_young_people

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

both_databases = pytest.mark.both_databases


@pytest.fixture
def named(world):
    own = world.records["cases.youngperson"]["own"]
    own.given_name, own.family_name = "Jayden", "Okonkwo-Reilly"
    own.date_of_birth, own.postcode = date(2011, 7, 4), "EB4 7QT"
    own.save()
    Alias.objects.create(young_person=own, name="Jaybird")
    other = world.records["cases.youngperson"]["other"]
    other.given_name, other.family_name = "Jayden", "Okonkwo"
    other.date_of_birth, other.postcode = date(2011, 7, 4), "EB4 7QT"
    other.save()
    return own, other


def _young_person(world, given, family, team="t1"):
    yp = YoungPerson(
        authority=world.records["accounts.organisation"]["la"],
        given_name=given,
        family_name=family,
    )
    yp.save()
    case_services.case_open(
        subject=yp.subject, team=world.records["accounts.team"][team], opened_by=None
    )
    return yp


@pytest.fixture
def partner_referral_about(world):
    """Makes a partner's referral about one young person it describes by name."""

    def about(described_name):
        referral = Referral.objects.create(
            authority=world.records["accounts.organisation"]["la"],
            source_organisation=world.records["accounts.organisation"]["p1"],
            referrer_name="PC Test",
            narrative="Seen with older males at the station late at night.",
            consent=Referral.Consent.NOT_SOUGHT,
            lawful_basis=Referral.LawfulBasis.PUBLIC_TASK,
        )
        row = ReferralSubject.objects.create(
            referral=referral, kind="young_person", described_name=described_name
        )
        return referral, row

    return about


@pytest.fixture
def clarkes(world):
    """A young person and two namesakes, each sharing one of their names, in team one."""
    return (
        _young_person(world, "Jermaine", "Clarke"),
        _young_person(world, "Naomi", "Clarke"),
        _young_person(world, "Jermaine", "Smith"),
    )


@both_databases
@pytest.mark.parametrize(
    "text",
    [
        "Jayden Okonkwo-Reilly",
        "okonkwo-reilly jayden",
        "Reilly",
        "Jayden Reilly",
        "Jaybird",
        "4/7/2011",
        "eb47qt",
        "EB4 7QT",
    ],
)
def test_finds_by_name_alias_birthday_and_postcode(world, named, text):
    own, other = named
    found = search(user=world.users["sw"], text=text)["young_people"]
    assert own in found
    assert other not in found  # another team's young person never appears


@pytest.mark.parametrize(
    "text", ["Jaiden Okonkwo-Reily", "okonkwo reilly", "Jaybrd", "Okonkow", "Jayden Reily"]
)
def test_finds_misspelt_names_and_aliases_on_postgresql(world, named, text):
    own, other = named
    found = search(user=world.users["sw"], text=text)["young_people"]
    assert own in found
    assert other not in found


@both_databases
@pytest.mark.parametrize("text", ["Jermaine Clarke", "clarke, jermaine", "Jermaine Anthony Clarke"])
def test_a_full_name_finds_the_person_not_everyone_sharing_one_name(world, clarkes, text):
    # Every word must match a name; one of three or more may be a middle name nobody recorded.
    jermaine_clarke, naomi_clarke, jermaine_smith = clarkes
    assert search(user=world.users["sw"], text=text)["young_people"] == [jermaine_clarke]
    found = search(user=world.users["sw"], text="Clarke")["young_people"]
    assert {jermaine_clarke, naomi_clarke} <= set(found)
    assert jermaine_smith not in found


@both_databases
def test_a_word_of_one_or_two_letters_is_the_start_of_a_name(world, clarkes):
    jermaine_clarke, naomi_clarke, jermaine_smith = clarkes
    assert search(user=world.users["sw"], text="J Smith")["young_people"] == [jermaine_smith]
    assert search(user=world.users["sw"], text="Cl")["young_people"] == [
        jermaine_clarke,
        naomi_clarke,
    ]
    assert search(user=world.users["sw"], text="Te")["contexts"] == [
        world.records["contexts.context"]["team"]
    ]


def test_a_misspelt_full_name_ranks_the_closest_first_on_postgresql(world, clarkes):
    jermaine_clarke, *_ = clarkes
    _young_person(world, "Jermaine", "Clark")
    found = search(user=world.users["sw"], text="Jermain Clarke")["young_people"]
    assert found[0] == jermaine_clarke
    assert [yp.family_name for yp in found] == ["Clarke", "Clark"]


@both_databases
@pytest.mark.parametrize("text", ["Test team", "team test", "TEAM"])
def test_finds_places_and_groups_the_user_may_see(world, text):
    results = search(user=world.users["sw"], text=text)
    assert results["contexts"] == [world.records["contexts.context"]["team"]]
    assert results["peer_groups"] == [world.records["peers.peergroup"]["team"]]


@both_databases
def test_a_date_of_birth_finds_young_people_only(world):
    results = search(user=world.users["sw"], text="1/1/2010")
    assert world.records["cases.youngperson"]["own"] in results["young_people"]
    assert results["contexts"] == results["peer_groups"] == []


@both_databases
def test_the_front_door_matches_a_full_name_across_teams(world, partner_referral_about):
    other = world.records["cases.youngperson"]["other"]  # team two's
    other.given_name, other.family_name = "Jermaine", "Clarke"
    other.save()
    _young_person(world, "Jermaine", "Smith", team="t2")
    referral, row = partner_referral_about("Jermaine Clarke")
    (known,) = known_for_referral(user=world.users["tm"], referral=referral)
    assert known.row == row
    assert known.matches == [other]


@both_databases
def test_search_page(world, named, client):
    client.force_login(world.users["sw"])
    page = client.post(reverse("search"), {"q": "Jayden Okonkwo"}).content.decode()
    assert "Okonkwo-Reilly" in page
    assert ">Jayden Okonkwo<" not in page
    blank = client.get(reverse("search")).content.decode()
    # SQLite matches names as typed: the page says so where that is what runs.
    warned = "does not find misspelt names" in blank
    assert warned == (connection.vendor == "sqlite")
    assert "at least 2" in client.post(reverse("search"), {"q": "J"}).content.decode()


@both_databases
def test_partners_do_not_search_it_is_a_404_like_their_other_closed_pages(world, named, client):
    """Searching is for the council's people (``visibility.searches``): a partner agency's user
    is answered 404 for the page and for a search, as for the team caseload (a page partners
    cannot use), nothing is searched or audited, and neither the menu nor the 404 page offers
    it. (The search page has no endpoints of its own; the pickers are another matter.)"""
    from auditlog.models import LogEntry

    client.force_login(world.users["partner"])
    closed = client.get(reverse("cases:team"))
    assert closed.status_code == 404
    shown = LogEntry.objects.filter(object_repr="Shown: search")
    for response in (
        client.get(reverse("search")),
        client.get(reverse("search") + "?q=Test"),
        client.post(reverse("search"), {"q": "Test"}),  # a place the partner guards
        client.post(reverse("search"), {"q": "Jayden Okonkwo"}),
    ):
        assert response.status_code == 404
        page = response.content.decode()
        assert '<h1 class="govuk-heading-l">Page not found</h1>' in page  # as for any missing one
        assert f'href="{reverse("search")}"' not in page
    assert not shown.exists()
    assert f'href="{reverse("search")}"' not in client.get(reverse("home")).content.decode()


@both_databases
@pytest.mark.parametrize("user", ["sw", "tm", "sm", "admin"])
def test_the_councils_people_search_and_are_offered_it(world, named, client, user):
    client.force_login(world.users[user])
    assert client.get(reverse("search")).status_code == 200
    assert client.post(reverse("search"), {"q": "Test"}).status_code == 200
    search_link = f'href="{reverse("search")}"'
    assert search_link in client.get(reverse("home")).content.decode()
    assert search_link in client.get("/no-such-page/").content.decode()


def _plan_without_table_scans(search_query) -> str:
    """The plan PostgreSQL makes for the one query ``search_query()`` runs on the searched
    table when it may not scan whole tables: a table scan left in it is one no index can
    avoid. (With a test's few rows the planner would rightly scan anyway.)"""
    search_query()  # the rule reads the user's team and the permission ids once, first
    with CaptureQueriesContext(connection) as queries:
        search_query()
    (sql,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "')]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _scans(table: str, plan: str) -> bool:
    return re.search(rf"Seq Scan on {table}(\s|$)", plan) is not None


@pytest.mark.parametrize(
    "text, indexes",
    [
        ("Smith", ["cases_youngperson_family_name_trgm", "cases_alias_name_trgm"]),
        ("Jermaine Clarke", ["cases_youngperson_given_name_trgm", "cases_alias_name_trgm"]),
        ("Jermaine Anthony Clarke", ["cases_youngperson_preferred_name_trgm"]),
        ("J Smith", ["cases_youngperson_given_name_trgm"]),
        ("4/7/2011", ["cases_yp_date_of_birth"]),
        ("EB4 7QT", ["cases_yp_compact_postcode"]),
    ],
)
def test_young_people_are_found_through_indexes_on_postgresql(world, text, indexes):
    plan = _plan_without_table_scans(lambda: search_young_people(user=world.users["sw"], text=text))
    assert not _scans("cases_youngperson", plan)
    assert not _scans("cases_alias", plan)
    for index in indexes:
        assert index in plan


def test_places_are_found_through_their_index_on_postgresql(world):
    plan = _plan_without_table_scans(
        lambda: search_named(Context, user=world.users["sw"], text="Test team")
    )
    assert not _scans("contexts_context", plan)
    assert "contexts_context_name_trgm" in plan
