"""Lists that show young people's records are audited: one row per page or response, naming
exactly the records shown (never what was searched for)."""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _shown_rows(since: int):
    return list(LogEntry.objects.filter(pk__gt=since, object_pk="shown").order_by("id"))


def _last_id() -> int:
    last = LogEntry.objects.order_by("-id").first()
    return last.pk if last else 0


@pytest.mark.parametrize("query", ["Testperson", "Giventeam Testperson", "1/1/2010", "Test"])
def test_a_search_writes_one_row_naming_what_it_showed(world, client, query):
    sw = world.users["sw"]
    client.force_login(sw)
    since = _last_id()
    response = client.post(reverse("search"), {"q": query})
    assert response.status_code == 200
    results = response.context["results"]
    shown = {
        label: [record.pk for record in results[key]]
        for label, key in (
            ("cases.youngperson", "young_people"),
            ("peers.peergroup", "peer_groups"),
            ("contexts.context", "contexts"),
        )
        if results[key]
    }
    assert shown.get("cases.youngperson"), "the search should show young people"
    (row,) = _shown_rows(since)
    assert row.actor == sw and row.action == LogEntry.Action.ACCESS
    assert row.additional_data["shown"] == shown
    assert query not in json.dumps([row.additional_data, row.object_repr, row.changes])


def test_a_search_that_shows_nothing_writes_nothing(world, client):
    client.force_login(world.users["sw"])
    since = _last_id()
    assert client.post(reverse("search"), {"q": "Nobodyatall"}).status_code == 200
    assert _shown_rows(since) == []


def test_the_young_people_picker_writes_one_row_naming_its_matches(world, client):
    sw = world.users["sw"]
    client.force_login(sw)
    since = _last_id()
    response = client.post(reverse("pick", args=["young-people"]), {"q": "Testperson"})
    assert response.status_code == 200
    values = [int(item["value"]) for item in response.json()["results"]]
    assert values
    (row,) = _shown_rows(since)
    assert row.additional_data["shown"] == {"cases.youngperson": values}
    assert row.actor == sw
