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


def test_a_long_chronology_is_paged_newest_first(world, client, monkeypatch):
    from cases import selectors

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
