"""ETag / If-Match on the API's PATCH endpoints (issue 13, lost updates;
safeguarding/api/preconditions.py): a GET of a record answers with its strong ETag; a PATCH
with the current ETag saves (200, the new ETag); with a stale one, 412 and nothing saved; without
If-Match, 428 and nothing saved. Every PATCH endpoint requires it."""

import pytest
from django.urls import reverse

from cases.models import Action
from safeguarding.notifications.models import Channel
from tests.api.conftest import assert_problem
from tests.api.fake_dns import resolving

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _endpoint(world):
    return Channel.objects.create(
        organisation=world.records["accounts.organisation"]["p1"],
        kind=Channel.Kind.WEBHOOK,
        url="https://hooks.police.example/safeguarding",
        event_types=["referral.decided"],
        description="Case system",
    )


#: What: (the record, its detail URL's name (or a function of the record giving its URL), a
#: change of one field, a change by someone else meanwhile)
RECORDS = {
    "action": (
        lambda world: world.records["cases.action"]["agency"],  # owned by p1
        "api:action-detail",
        {"progress_note": "Cameras fixed."},
        {"status": "in_progress"},
    ),
    # The same action, as a response in team one's place's plan (cases/plans/api.py).
    "plan action": (
        lambda world: Action.objects.get(pk=world.records["cases.action"]["agency"].pk),
        lambda action: reverse("api:plan-action-detail", args=[action.plan_id, action.pk]),
        {"progress_note": "Cameras fixed."},
        {"status": "in_progress"},
    ),
    "webhook endpoint": (
        _endpoint,
        "api:webhook-endpoint-detail",
        {"description": "Case system (live)"},
        {"is_active": False},
    ),
}


@pytest.fixture(params=RECORDS)
def record(request, world):
    """(URL, body, what is stored of the changed field, someone else's change)."""
    make, url_name, body, meanwhile = RECORDS[request.param]
    obj = make(world)
    rows = type(obj).objects.filter(pk=obj.pk)
    [(field, _)] = body.items()
    return (
        url_name(obj) if callable(url_name) else reverse(url_name, args=[obj.pk]),
        body,
        lambda: rows.values_list(field, flat=True).get(),
        lambda: rows.update(**meanwhile),
    )


def _patch(client, url, body, **headers):
    with resolving():
        return client.patch(url, body, format="json", **headers)


def test_a_get_answers_with_a_strong_etag_and_a_patch_with_it_saves(world, api, record):
    url, body, stored, _ = record
    police = api("p1")
    read = police.get(url)
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert police.get(url)["ETag"] == etag  # the same record, the same tag

    response = _patch(police, url, body, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert stored() == next(iter(body.values()))
    # The answer's ETag is the record's new version: what a GET now says.
    assert response["ETag"] != etag
    assert response["ETag"] == police.get(url)["ETag"]


def test_a_patch_with_a_stale_etag_is_412_and_saves_nothing(world, api, record):
    url, body, stored, meanwhile = record
    police = api("p1")
    etag = police.get(url)["ETag"]
    before = stored()
    meanwhile()  # someone else's change after the read
    problem = assert_problem(
        _patch(police, url, body, HTTP_IF_MATCH=etag), 412, "precondition-failed"
    )
    assert "changed" in problem["detail"]
    assert stored() == before
    # Read again: the new tag saves.
    fresh = police.get(url)["ETag"]
    assert _patch(police, url, body, HTTP_IF_MATCH=fresh).status_code == 200


@pytest.mark.parametrize("if_match", ['W/"x"', '"not-the-tag"', "garbage"])
def test_a_weak_or_unknown_tag_never_matches(world, api, record, if_match):
    url, body, stored, _ = record
    before = stored()
    assert_problem(_patch(api("p1"), url, body, HTTP_IF_MATCH=if_match), 412, "precondition-failed")
    assert stored() == before


def test_one_of_several_tags_and_the_star_match(world, api, record):
    url, body, _, _ = record
    police = api("p1")
    etag = police.get(url)["ETag"]
    assert _patch(police, url, body, HTTP_IF_MATCH=f'"other", {etag}').status_code == 200
    assert _patch(police, url, body, HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.parametrize("if_match", [None, ""])
def test_a_patch_without_if_match_is_428_and_saves_nothing(world, api, record, if_match):
    url, body, stored, _ = record
    before = stored()
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    problem = assert_problem(_patch(api("p1"), url, body, **headers), 428, "precondition-required")
    assert "If-Match" in problem["detail"]
    assert stored() == before


def test_another_organisations_record_is_404_whatever_the_if_match(world, api, record):
    url, body, _, _ = record
    assert_problem(_patch(api("p2"), url, body), 404, "not-found")
    assert_problem(_patch(api("p2"), url, body, HTTP_IF_MATCH="*"), 404, "not-found")


def test_the_schema_documents_if_match_etag_412_and_428(api):
    schema = api("p1").get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    import json

    paths = json.loads(schema.content)["paths"]
    for path in (
        "/api/v1/actions/{id}/",
        "/api/v1/plans/{id}/actions/{action_id}/",
        "/api/v1/webhook-endpoints/{id}/",
    ):
        patch = paths[path]["patch"]
        header = next(p for p in patch["parameters"] if p["name"] == "If-Match")
        assert header["in"] == "header" and header["required"] is True
        assert {"412", "428"} <= set(patch["responses"])
        assert "ETag" in patch["responses"]["200"]["headers"]
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"]
