"""Senior managers: hotspots and themes, computed in the database, exports audited."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import figures
from contexts import selectors
from contexts.models import Context
from tests.factories import (
    ConcernFactory,
    ContextFactory,
    HarmCategoryFactory,
    SeniorManagerFactory,
)

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _count(world):
    """Work out the borough's figures, as Celery beat does every few minutes."""
    return figures.borough_figures_refresh(authority=world.records["accounts.organisation"]["la"])


def _concerns_at(world, place, days_ago: list[int], harm="cse"):
    for n in days_ago:
        ConcernFactory(
            logged_by=world.users["sw"],
            location=place,
            occurred_at=timezone.now() - timedelta(days=n, hours=1),
            narrative="Seen with older males",
            harm_categories=[HarmCategoryFactory(slug=harm)],
        )


@pytest.mark.parametrize("user_name", ["sw", "tm", "partner", "admin"])
def test_only_senior_managers_see_hotspots_and_themes(world, client, user_name):
    client.force_login(world.users[user_name])
    for url in (
        reverse("contexts:hotspots"),
        reverse("cases:themes"),
        reverse("cases:themes") + "?export=concerns-by-harm",
    ):
        assert client.get(url).status_code == 404, url


def test_hotspots_rank_places_with_change_and_flag_emerging_ones(world, client, settings):
    settings.HOTSPOT_CONCERNS_PER_30_DAYS = 1  # 3 in 90 days makes a hotspot
    team_place = world.records["contexts.context"]["team"]
    other_place = world.records["contexts.context"]["other"]
    _concerns_at(world, team_place, [1, 5, 10, 20])  # all in the last 90 days
    _concerns_at(world, other_place, [2, 100, 120, 150], harm="cce")  # falling
    _count(world)
    sm = world.users["sm"]
    places, threshold = selectors.hotspots(user=sm, days=90)
    ranked = [(p.place.name, p.current, p.previous) for p in places]
    # The world already has one concern at each place, logged today.
    assert ranked[0] == (team_place.name, 6, 0)
    assert ranked[1] == (other_place.name, 2, 3)
    assert threshold == 3
    client.force_login(sm)
    page = client.get(reverse("contexts:hotspots"), {"days": "90"}).content.decode()
    assert page.count("Emerging hotspot</strong>") == 1
    assert "+6" in page and "-1" in page
    # Filters: by harm and by kind of place.
    only_cce, _ = selectors.hotspots(user=sm, days=90, harm="cce")
    assert [p.place.name for p in only_cce] == [other_place.name]
    Context.objects.filter(pk=other_place.pk).update(kind="school")
    parks, _ = selectors.hotspots(user=sm, days=90, kind="park")
    assert [p.place.name for p in parks] == [team_place.name]


def test_hotspot_and_themes_query_counts_do_not_grow(world, client):
    client.force_login(world.users["sm"])
    places = [world.records["contexts.context"]["team"], world.records["contexts.context"]["other"]]

    def counts():
        result = []
        for url in (reverse("contexts:hotspots"), reverse("cases:themes")):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    _concerns_at(world, places[0], [1, 40])
    _count(world)
    small = counts()
    for i in range(10):
        place = ContextFactory(
            authority=world.records["accounts.organisation"]["la"], name=f"Extra {i}"
        )
        _concerns_at(world, place, [3, 50, 200])
    _concerns_at(world, places[1], list(range(1, 60, 2)))
    _count(world)
    assert counts() == small


def test_themes_count_and_export_as_audited_csv(world, client):
    _count(world)
    sm = world.users["sm"]
    client.force_login(sm)
    page = client.get(reverse("cases:themes")).content.decode()
    assert "Referrals by source agency" in page and "Test Police" in page
    before = LogEntry.objects.filter(object_pk="export").count()
    response = client.get(reverse("cases:themes"), {"export": "referrals-by-source"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Source agency,") and lines[0].endswith(",Total")
    totals = {line.split(",")[0]: int(line.split(",")[-1]) for line in lines[1:]}
    assert totals == {"Test Borough Council": 1, "Test Police": 1, "Test Academy": 1}
    entry = LogEntry.objects.filter(object_pk="export").latest("timestamp")
    assert LogEntry.objects.filter(object_pk="export").count() == before + 1
    assert entry.actor == sm and entry.additional_data["export"] == "referrals-by-source"
    assert client.get(reverse("cases:themes"), {"export": "nope"}).status_code == 404


def test_hotspot_ranking_exports_as_audited_csv(world, client):
    _concerns_at(world, world.records["contexts.context"]["team"], [1, 2])
    _count(world)
    sm = world.users["sm"]
    client.force_login(sm)
    response = client.get(reverse("contexts:hotspots"), {"days": "30", "export": "places"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Place,Reference,Kind,Last 30 days")
    assert lines[1].startswith("Test team place,")
    entry = LogEntry.objects.filter(object_pk="export").latest("timestamp")
    assert entry.actor == sm and entry.additional_data["export"] == "hotspots"
    assert entry.additional_data["filters"]["days"] == 30


def test_figures_say_how_fresh_they_are_and_stay_as_they_were_until_counted_again(world, client):
    sm = world.users["sm"]
    client.force_login(sm)
    for url in (reverse("contexts:hotspots"), reverse("cases:themes")):
        page = client.get(url).content.decode()
        assert "The figures are being counted for the first time" in page
    place = world.records["contexts.context"]["team"]
    counted = _count(world)
    assert counted.as_of == timezone.localdate() and counted.seconds is not None
    for url in (reverse("contexts:hotspots"), reverse("cases:themes")):
        page = client.get(url).content.decode()
        assert f"Figures as of {timezone.localtime(counted.worked_out_at):%H:%M}" in page
    before = [r.current for r in selectors.hotspots(user=sm, days=30)[0] if r.place == place]
    _concerns_at(world, place, [1, 2, 3])
    # Not counted yet: the page shows the figures as they were when worked out ...
    after = [r.current for r in selectors.hotspots(user=sm, days=30)[0] if r.place == place]
    assert after == before
    # ... until the next count, which the beat task runs for every authority.
    from cases import tasks

    assert tasks.refresh_borough_figures() == 2  # both authorities of the world
    counted_again = [r.current for r in selectors.hotspots(user=sm, days=30)[0] if r.place == place]
    assert counted_again == [before[0] + 3]


def test_figures_count_what_senior_managers_may_see_and_only_their_authoritys(world):
    """A concern about a restricted young person only is not counted; another authority's
    figures are never read."""
    place = world.records["contexts.context"]["other"]
    restricted = world.records["cases.youngperson"]["restricted"]
    ConcernFactory(
        logged_by=world.users["sw2"],  # named on the restricted record
        occurred_at=timezone.now() - timedelta(days=1),
        narrative="Seen with an adult",
        young_people=[(restricted, "harmed")],
        location=place,
    )
    _count(world)
    sm = world.users["sm"]
    counts = {r.place.pk: r.current for r in selectors.hotspots(user=sm, days=30)[0]}
    assert counts[place.pk] == 1  # the world's own concern there, not the restricted one
    la2 = world.records["accounts.organisation"]["la2"]
    figures.borough_figures_refresh(authority=la2)
    other_sm = SeniorManagerFactory(username="sm_la2", organisation=la2)
    assert not selectors.hotspots(user=other_sm, days=30)[0].exists()
    assert selectors.figures_for(user=other_sm).authority == la2
    assert selectors.figures_for(user=sm).authority == world.records["accounts.organisation"]["la"]
