"""Subject pages: what they show, and query counts that do not grow with the rows shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import ConcernSubject
from cases.services import NewYoungPerson
from safeguarding.accounts import visibility
from safeguarding.subjects.registry import chronology_kinds
from tests.factories import (
    ConcernFactory,
    ContextFactory,
    PeerGroupFactory,
    SocialWorkerFactory,
    YoungPersonFactory,
)
from tests.subject_pages import PLACE, SUBJECT_PAGES, YOUNG_PERSON
from tests.subject_pages import queries as _queries

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _add_concerns(world, yp, ctx, n):
    for i in range(n):
        ConcernFactory(
            logged_by=world.users["sw"],
            narrative=f"Seen near the park {i}",
            young_people=[(yp, "at_risk")],
            location=ctx,
        )


def _subject_pages(world) -> list[str]:
    """Team one's young person, place and peer group, and the home page."""
    return [pages.detail_url(pages.record(world)) for pages in SUBJECT_PAGES] + [reverse("home")]


def test_subject_pages_query_counts_do_not_grow_with_the_chronology(world, client):
    yp = YOUNG_PERSON.record(world)
    ctx = PLACE.record(world)
    client.force_login(world.users["sw"])
    pages = _subject_pages(world)
    _add_concerns(world, yp, ctx, 2)
    small = [_queries(client, url) for url in pages]
    _add_concerns(world, yp, ctx, 20)
    large = [_queries(client, url) for url in pages]
    assert small == large


def test_young_person_page_shows_the_chronology_and_hides_what_the_user_may_not_see(world, client):
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw"])
    page = client.get(reverse("cases:young-person", args=[yp.pk])).content.decode()
    assert yp.full_name in page
    assert "Test concern own" in page
    assert "Allocated to" in page
    # The concern about another team's young person at another place is not there.
    assert "Test concern other" not in page


def test_concern_page_names_only_the_subjects_the_user_may_see(world, client):
    concern = world.records["cases.concern"]["own"]
    other = world.records["cases.youngperson"]["other"]
    ConcernSubject.objects.create(concern=concern, subject=other.subject, part="witness")
    client.force_login(world.users["sw"])
    page = client.get(reverse("cases:concern", args=[concern.pk])).content.decode()
    assert world.records["cases.youngperson"]["own"].full_name in page
    assert other.full_name not in page


def test_my_work_marks_overdue_reviews_and_actions(world, client):
    from datetime import timedelta

    from cases.models import Action

    case = world.records["cases.case"]["own"]
    case.next_review_due = timezone.localdate() - timedelta(days=3)
    case.save()
    Action.objects.filter(pk=world.records["cases.action"]["own"].pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(world.users["sw"])
    page = client.get(reverse("home")).content.decode()
    assert page.count("Overdue") == 2
    assert "Test action own" in page
    assert world.records["cases.youngperson"]["own"].full_name in page


def _add_young_people(world, n):
    for i in range(n):
        YoungPersonFactory(
            authority=world.records["accounts.organisation"]["la"],
            given_name=f"Extra{i}",
            case__team=world.records["accounts.team"]["t1"],
            case__worker=world.users["sw"],
        )


@pytest.mark.both_databases  # search's SQL differs on SQLite
def test_form_and_search_query_counts_do_not_grow_with_young_people(world, client):
    client.force_login(world.users["sw"])
    pages = [reverse("cases:concern-log"), reverse("home")]

    def search_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(reverse("search"), {"q": "Testperson"}).status_code == 200
        return len(ctx.captured_queries)

    _add_young_people(world, 2)
    small = [_queries(client, url) for url in pages] + [search_queries()]
    _add_young_people(world, 20)
    large = [_queries(client, url) for url in pages] + [search_queries()]
    assert small == large


def _add_to_the_borough(world, start, n):
    """``n`` more young people (team one's, allocated to sw), places, team one's peer groups and
    workers (of team two: the team one's manager allocates to is left as it is)."""
    la = world.records["accounts.organisation"]["la"]
    t1, t2 = world.records["accounts.team"]["t1"], world.records["accounts.team"]["t2"]
    for i in range(start, start + n):
        YoungPersonFactory(
            authority=la,
            given_name=f"Extra{i}",
            case__team=t1,
            case__worker=world.users["sw"],
        )
        ContextFactory(authority=la, name=f"Extra place {i}", kind="shop")
        PeerGroupFactory(authority=la, name=f"Extra group {i}", team=t1)
        SocialWorkerFactory(username=f"extra_{i}", team=t2)


def _page(client, url, data=None) -> tuple[int, int, int]:
    """Status, size in bytes and number of queries of a GET (or a POST of ``data``)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data) if data is not None else client.get(url)
    return response.status_code, len(response.content), len(ctx.captured_queries)


def test_form_pages_do_not_grow_with_the_borough(world, client):
    """The pages that pick young people, places, groups and workers hold the current choice and
    a search's matches, never a directory: the same bytes and queries with 2 or 32 more of each."""
    yp = world.records["cases.youngperson"]["own"]
    place, group = (
        world.records["contexts.context"]["team"],
        world.records["peers.peergroup"]["team"],
    )
    case = world.records["cases.case"]["own"]
    log = reverse("cases:concern-log")
    found = {
        "narrative": "Typed",
        "people-TOTAL_FORMS": "3",
        "people-INITIAL_FORMS": "0",
        "people-0-young_person_find": "GivenOwn",
        "find": "people-0-young_person",
    }
    requests = [
        ("sw", log, None),
        ("sw", f"{log}?young_person={yp.pk}&context={place.pk}&peer_group={group.pk}", None),
        ("sw", log, found),  # without JavaScript: Find, with one match
        ("sw", reverse("cases:action-add", args=[yp.reference]), None),
        ("sw", reverse("peers:membership-add", args=[group.pk]), None),
        ("tm", reverse("cases:case-allocate", args=[case.pk]), None),
    ]

    def measure():
        results = []
        for user, url, data in requests:
            client.force_login(world.users[user])
            results.append(_page(client, url, data))
        return results

    _add_to_the_borough(world, 0, 2)
    small = measure()
    assert all(status == 200 for status, _, _ in small), small
    _add_to_the_borough(world, 2, 30)
    assert measure() == small


def test_a_long_chronology_is_paged_newest_first(world, client, monkeypatch):
    from cases.subject_pages import selectors

    monkeypatch.setattr(selectors, "CHRONOLOGY_PER_PAGE", 5)
    yp, ctx = YOUNG_PERSON.record(world), PLACE.record(world)
    _add_concerns(world, yp, ctx, 8)
    client.force_login(world.users["sw"])
    url = YOUNG_PERSON.detail_url(yp)
    # The world's concern, referral, allocation, case note, risk change, closure step, warning
    # note, screening started, mention in a place assessment and safety plan started, and the
    # 8 added: 18 entries, newest first.
    first = client.get(url)
    entries = first.context["chronology"]
    assert entries.paginator.count == 18
    assert [e.detail for e in entries.object_list] == [
        f"Seen near the park {i}" for i in (7, 6, 5, 4, 3)
    ]
    page = first.content.decode()
    assert "Showing 1 to 5 of 18 entries" in page
    assert 'href="?page=2#chronology"' in page
    pages = [entries] + [client.get(url, {"page": str(n)}).context["chronology"] for n in (2, 3, 4)]
    assert [len(p.object_list) for p in pages] == [5, 5, 5, 3] and not pages[-1].has_next()
    seen = [(e.kind, e.obj.pk) for p in pages for e in p.object_list]
    assert len(set(seen)) == 18  # nothing shown twice, nothing missed
    assert [e.when for p in pages for e in p.object_list] == sorted(
        (e.when for p in pages for e in p.object_list), reverse=True
    )
    # Filters are kept in the page links; junk or out-of-range pages show a real page.
    filtered = client.get(url, {"type": "concern", "page": "2"}).content.decode()
    assert 'href="?type=concern&amp;page=1#chronology"' in filtered
    assert client.get(url, {"page": "x"}).context["chronology"].number == 1
    assert client.get(url, {"page": "99"}).context["chronology"].number == 4


def _add_linked(world, n, start=0):
    """``n`` concerns at team one's place and group, each about a new young person of team
    one (so the lists of linked people grow) and the world's own young person."""
    for i in range(n):
        ConcernFactory(  # the new young person joins team one's queue
            logged_by=world.users["sw2"],
            narrative=f"Seen together {i}",
            new_young_people=[NewYoungPerson(f"Linked{start + i}", "Testperson", part="at_risk")],
            young_people=[(YOUNG_PERSON.record(world), "witness")],
            location=PLACE.record(world),
            peer_group=world.records["peers.peergroup"]["team"],
        )


def test_subject_pages_query_counts_do_not_grow_with_what_they_are_linked_to(world, client):
    """Busier subjects — more concerns, more people linked through them, more pages of
    chronology — cost the same number of queries, for each role that opens them."""
    pages = _subject_pages(world)
    second = PLACE.chronology_url(PLACE.record(world), page=2, type="concern")

    def counts():
        result = []
        for user in ("sw", "tm", "sm"):
            client.force_login(world.users[user])
            result.append([_queries(client, url) for url in pages])
            result.append(_queries(client, second))
        return result

    def flat(nested):
        return [n for item in nested for n in (item if isinstance(item, list) else [item])]

    _add_linked(world, 3)
    small = flat(counts())
    _add_linked(world, 60, start=3)  # more than a page of chronology and of linked people
    large = flat(counts())
    # Never more; fewer where the first page of the chronology is now all concerns (the older
    # entries of other kinds, each kind read when a page has some, are on a later page): at
    # most one fewer per kind of entry on each page.
    assert all(b <= a for a, b in zip(small, large, strict=True)), (small, large)
    assert sum(small) - sum(large) <= len(small) * (len(chronology_kinds()) - 1)


@pytest.mark.parametrize("pages", SUBJECT_PAGES, ids=str)
def test_each_subject_page_shows_a_concern_about_it_and_edits_as_the_rule_says(
    world, client, pages
):
    """The pages every kind of subject has (tests/subject_pages.py): a concern logged about
    the record heads its chronology, filtered to concerns; its edit page opens for whoever the
    rule lets change the record and is missing for everyone else."""
    record = pages.record(world)
    concern = ConcernFactory(
        logged_by=world.users["sw"], narrative="Seen at the bus stop", **pages.concern_about(record)
    )
    client.force_login(world.users["sw"])
    newest = pages.chronology(client, record, type="concern").object_list[0]
    assert (newest.obj, newest.detail) == (concern, "Seen at the bus stop")
    answers = {}
    for name in ("sw", "sw2", "sw3", "tm", "sm", "partner"):
        user = world.users[name]
        client.force_login(user)
        answers[name] = client.get(pages.edit_url(record)).status_code
        assert answers[name] == (200 if visibility.can(user, record, visibility.CHANGE) else 404)
    assert set(answers.values()) == {200, 404}, answers
