"""Subject pages: what they show, and query counts that do not grow with the rows shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Concern, ConcernSubject, HarmCategory


def _add_concerns(world, yp, ctx, n):
    cse = HarmCategory.objects.get(slug="cse")
    for i in range(n):
        c = Concern.objects.create(
            authority=yp.authority,
            occurred_at=timezone.now(),
            narrative=f"Seen near the park {i}",
            source="police",
            reliability="reliable",
            logged_by=world.users["sw"],
        )
        c.harm_categories.add(cse)
        ConcernSubject.objects.create(concern=c, subject=yp.subject, part="at_risk")
        ConcernSubject.objects.create(concern=c, subject=ctx.subject, part="location")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_subject_pages_query_counts_do_not_grow_with_the_chronology(world, client):
    yp = world.records["cases.youngperson"]["own"]
    ctx = world.records["contexts.context"]["team"]
    client.force_login(world.users["sw"])
    pages = [
        reverse("cases:young-person", args=[yp.pk]),
        reverse("contexts:context", args=[ctx.pk]),
        reverse("peers:peer-group", args=[world.records["peers.peergroup"]["team"].pk]),
        reverse("home"),
    ]
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
    from django.db import transaction

    from cases import services
    from cases.models import YoungPerson

    t1 = world.records["accounts.team"]["t1"]
    with transaction.atomic():
        for i in range(n):
            yp = YoungPerson(
                authority=world.records["accounts.organisation"]["la"],
                given_name=f"Extra{i}",
                family_name="Testperson",
            )
            yp.save()
            services.case_open(
                subject=yp.subject, team=t1, opened_by=None, worker=world.users["sw"]
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
    from django.db import transaction

    from cases import services
    from cases.models import YoungPerson
    from contexts.models import Context
    from peers.models import PeerGroup
    from safeguarding.accounts import grants
    from safeguarding.accounts.models import User
    from tests.conftest import make_user

    la = world.records["accounts.organisation"]["la"]
    t1, t2 = world.records["accounts.team"]["t1"], world.records["accounts.team"]["t2"]
    with transaction.atomic():
        for i in range(start, start + n):
            yp = YoungPerson(authority=la, given_name=f"Extra{i}", family_name="Testperson")
            yp.save()
            services.case_open(
                subject=yp.subject, team=t1, opened_by=None, worker=world.users["sw"]
            )
            Context(authority=la, name=f"Extra place {i}", kind=Context.Kind.SHOP).save()
            group = PeerGroup(authority=la, name=f"Extra group {i}")
            group.save()
            grants.grant_team(group, t1)
            make_user(f"extra_{i}", User.Role.SOCIAL_WORKER, la, t2)


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
    yp = world.records["cases.youngperson"]["own"]
    ctx = world.records["contexts.context"]["team"]
    _add_concerns(world, yp, ctx, 8)
    client.force_login(world.users["sw"])
    url = reverse("cases:young-person", args=[yp.pk])
    # The world's concern, referral and allocation, and the 8 added: 11 entries, newest first.
    first = client.get(url)
    entries = first.context["chronology"]
    assert entries.paginator.count == 11
    assert [e.detail for e in entries.object_list] == [
        f"Seen near the park {i}" for i in (7, 6, 5, 4, 3)
    ]
    page = first.content.decode()
    assert "Showing 1 to 5 of 11 entries" in page
    assert 'href="?page=2#chronology"' in page
    pages = [entries] + [client.get(url, {"page": str(n)}).context["chronology"] for n in (2, 3)]
    assert [len(p.object_list) for p in pages] == [5, 5, 1] and not pages[-1].has_next()
    seen = [(e.kind, e.obj.pk) for p in pages for e in p.object_list]
    assert len(set(seen)) == 11  # nothing shown twice, nothing missed
    assert [e.when for p in pages for e in p.object_list] == sorted(
        (e.when for p in pages for e in p.object_list), reverse=True
    )
    # Filters are kept in the page links; junk or out-of-range pages show a real page.
    filtered = client.get(url, {"type": "concern", "page": "2"}).content.decode()
    assert 'href="?type=concern&amp;page=1#chronology"' in filtered
    assert client.get(url, {"page": "x"}).context["chronology"].number == 1
    assert client.get(url, {"page": "99"}).context["chronology"].number == 3


def _add_linked(world, n):
    """``n`` concerns at team one's place and group, each about a new young person of team
    one (so the lists of linked people grow) and the world's own young person."""
    from django.db import transaction

    from cases import services
    from cases.models import YoungPerson

    la = world.records["accounts.organisation"]["la"]
    t1 = world.records["accounts.team"]["t1"]
    own = world.records["cases.youngperson"]["own"]
    ctx, group = world.records["contexts.context"]["team"], world.records["peers.peergroup"]["team"]
    cse = HarmCategory.objects.get(slug="cse")
    with transaction.atomic():
        for i in range(n):
            yp = YoungPerson(authority=la, given_name=f"Linked{i}", family_name="Testperson")
            yp.save()
            services.case_open(subject=yp.subject, team=t1, opened_by=None)
            c = Concern.objects.create(
                authority=la,
                occurred_at=timezone.now(),
                narrative=f"Seen together {i}",
                source="police",
                reliability="reliable",
                logged_by=world.users["sw2"],
            )
            c.harm_categories.add(cse)
            for subject, part in (
                (yp.subject, "at_risk"),
                (own.subject, "witness"),
                (ctx.subject, "location"),
                (group.subject, "peer_group"),
            ):
                ConcernSubject.objects.create(concern=c, subject=subject, part=part)


def test_subject_pages_query_counts_do_not_grow_with_what_they_are_linked_to(world, client):
    """Busier subjects — more concerns, more people linked through them, more pages of
    chronology — cost the same number of queries, for each role that opens them."""
    pages = [
        reverse("cases:young-person", args=[world.records["cases.youngperson"]["own"].pk]),
        reverse("contexts:context", args=[world.records["contexts.context"]["team"].pk]),
        reverse("peers:peer-group", args=[world.records["peers.peergroup"]["team"].pk]),
        reverse("home"),
    ]

    def counts():
        result = []
        for user in ("sw", "tm", "sm"):
            client.force_login(world.users[user])
            result.append([_queries(client, url) for url in pages])
            result.append(_queries(client, pages[1] + "?page=2&type=concern"))
        return result

    def flat(nested):
        return [n for item in nested for n in (item if isinstance(item, list) else [item])]

    _add_linked(world, 3)
    small = flat(counts())
    _add_linked(world, 60)  # more than a page of chronology and of linked people
    large = flat(counts())
    # Never more; one fewer where the first page of the chronology is now all concerns (the
    # older referral and allocation, read when a page has some, are on a later page).
    assert all(b <= a for a, b in zip(small, large, strict=True)), (small, large)
    assert sum(small) - sum(large) <= len(small)
