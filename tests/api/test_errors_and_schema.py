"""One error shape (RFC 9457), clear 4xx answers, throttling, and the OpenAPI schema."""

import json

import pytest
from rest_framework.test import APIClient

from cases.models import Referral
from safeguarding.api.views import MAX_BODY_BYTES
from tests.api.conftest import REFERRALS, assert_problem, post_referral, referral_body

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def test_an_oversized_body_is_a_413_and_is_not_read(world, api):
    body = referral_body(narrative="x" * (MAX_BODY_BYTES + 10))
    problem = assert_problem(post_referral(api("p1"), body), 413, "payload-too-large")
    assert str(MAX_BODY_BYTES) in problem["detail"]
    assert not Referral.objects.filter(narrative__startswith="xxxx").exists()


def test_a_body_that_is_not_json_is_a_415(world, api):
    police = api("p1")
    for content_type, data in (
        ("text/plain", "hello"),
        ("application/x-www-form-urlencoded", "narrative=hello"),
        ("application/xml", "<referral/>"),
    ):
        response = police.post(
            REFERRALS, data, content_type=content_type, HTTP_IDEMPOTENCY_KEY="k-" + content_type
        )
        assert_problem(response, 415, "unsupported-media-type")


def test_malformed_json_is_a_400(world, api):
    police = api("p1")
    for raw in ('{"narrative": ', "[" * 100_000, '{"a": NaN}'):
        response = police.post(
            REFERRALS, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bad-json"
        )
        assert_problem(response, 400, "invalid-request")


def test_a_body_that_is_not_an_object_is_a_422(world, api):
    problem = assert_problem(post_referral(api("p1"), ["a", "list"]), 422, "validation-failed")
    assert problem["errors"][0]["field"] is None


def test_text_must_be_json_strings(world, api):
    body = referral_body(narrative=12345, referrer={"name": True, "phone": 7})
    problem = assert_problem(post_referral(api("p1"), body), 422, "validation-failed")
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"narrative", "referrer.name", "referrer.phone"}


def test_unknown_addresses_and_methods_are_problems(world, api):
    police = api("p1")
    problem = assert_problem(police.get("/api/v1/nothing-here/"), 404, "not-found")
    assert problem["instance"] == "/api/v1/nothing-here/"
    hint = assert_problem(police.get("/api/v1/referrals"), 404, "not-found")
    assert "/api/v1/referrals/" in hint["detail"]
    response = police.delete(REFERRALS)
    assert_problem(response, 405, "method-not-allowed")
    assert "POST" in response["Allow"]
    assert_problem(police.get(REFERRALS, HTTP_ACCEPT="text/html"), 406, "not-acceptable")


def test_problem_types_explain_themselves(client):
    response = client.get("/api/v1/problems/idempotency-key-reused")
    assert response.status_code == 200
    assert response.json()["status"] == 422
    assert client.get("/api/v1/problems/nonsense").status_code == 404


def test_requests_are_throttled_per_token_with_retry_after(world, api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "3/min", "anon": "100/min"},
    }
    police, school = api("p1"), api("p2")
    for _ in range(3):
        assert police.get(REFERRALS).status_code == 200
    limited = police.get(REFERRALS)
    assert_problem(limited, 429, "rate-limited")
    assert 0 < int(limited["Retry-After"]) <= 60
    # Another organisation's token has its own allowance.
    assert school.get(REFERRALS).status_code == 200


# --- the schema and its documentation -----------------------------------------------------------


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_describes_every_endpoint_and_its_problems(schema):
    operations = {
        (method.upper(), path): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) == {
        ("GET", "/api/v1/referrals/"),
        ("POST", "/api/v1/referrals/"),
        ("GET", "/api/v1/referrals/{reference}/"),
        ("GET", "/api/v1/actions/"),
        ("GET", "/api/v1/actions/{id}/"),
        ("PATCH", "/api/v1/actions/{id}/"),
        ("GET", "/api/v1/plans/"),
        ("GET", "/api/v1/plans/{id}/"),
        ("GET", "/api/v1/plans/{id}/actions/{action_id}/"),
        ("PATCH", "/api/v1/plans/{id}/actions/{action_id}/"),
        ("GET", "/api/v1/plans/{id}/measures/{measure_id}/values/"),
        ("POST", "/api/v1/plans/{id}/measures/{measure_id}/values/"),
        ("GET", "/api/v1/contexts/"),
        ("GET", "/api/v1/harm-categories/"),
        ("GET", "/api/v1/webhook-endpoints/"),
        ("POST", "/api/v1/webhook-endpoints/"),
        ("GET", "/api/v1/webhook-endpoints/{id}/"),
        ("PATCH", "/api/v1/webhook-endpoints/{id}/"),
        ("DELETE", "/api/v1/webhook-endpoints/{id}/"),
        ("POST", "/api/v1/webhook-endpoints/{id}/rotate-secret/"),
        ("GET", "/api/v1/event-types/"),
        ("GET", "/api/v1/meetings/"),
        ("GET", "/api/v1/meetings/{id}/"),
        ("POST", "/api/v1/meetings/{id}/reports/"),
    }
    for key, operation in operations.items():
        errors = {s for s in operation["responses"] if s >= "400"}
        assert {"401", "403", "406", "429"} <= errors, key
        for status in errors:
            content = operation["responses"][status]["content"]
            assert list(content) == ["application/problem+json"], (key, status)
    create = operations[("POST", "/api/v1/referrals/")]
    assert {"400", "409", "413", "415", "422"} <= set(create["responses"])
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert key["required"] is True and key["in"] == "header"
    report = operations[("POST", "/api/v1/meetings/{id}/reports/")]
    assert {"400", "404", "409", "422"} <= set(report["responses"])
    key = next(p for p in report["parameters"] if p["name"] == "Idempotency-Key")
    assert key["required"] is True
    # A measure's value: the key, the 404 of a measure that is not the caller's, every body
    # problem; a plan's action: If-Match (428 without, 412 stale), as /actions/{id}/.
    values = operations[("POST", "/api/v1/plans/{id}/measures/{measure_id}/values/")]
    assert {"400", "404", "409", "413", "415", "422"} <= set(values["responses"])
    key = next(p for p in values["parameters"] if p["name"] == "Idempotency-Key")
    assert key["required"] is True and key["in"] == "header"
    progress = operations[("PATCH", "/api/v1/plans/{id}/actions/{action_id}/")]
    assert {"404", "412", "428"} <= set(progress["responses"])
    assert (
        "400"
        in operations[("GET", "/api/v1/plans/{id}/measures/{measure_id}/values/")]["responses"]
    )
    value = schema["components"]["schemas"]["MeasureValueInRequest"]
    assert value["additionalProperties"] is False
    assert value["properties"]["value"]["type"] == "number"
    body = schema["components"]["schemas"]["ReferralCreateRequest"]
    assert body["additionalProperties"] is False
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "detail",
        "errors",
        "instance",
        "status",
        "title",
        "type",
    ]


def test_the_interactive_docs_are_served_without_a_cdn(client):
    for page in ("/api/v1/docs/", "/api/v1/docs/?script="):
        response = client.get(page)
        assert response.status_code == 200
        text = response.content.decode()
        assert "cdn." not in text and "unpkg" not in text and "jsdelivr" not in text
    assert "drf_spectacular_sidecar" in client.get("/api/v1/docs/").content.decode()
    # Redoc would need inline styles (safeguarding/api/docs.py): its old address leads here.
    response = client.get("/api/v1/redoc/")
    assert response.status_code == 301 and response["Location"] == "/api/v1/docs/"


def test_the_schema_needs_no_token_but_the_data_does(world):
    anonymous = APIClient()
    assert anonymous.get("/api/v1/schema/").status_code == 200
    assert anonymous.get(REFERRALS).status_code == 401


def test_the_schemas_idea_of_whitespace_is_pythons():
    """Text is trimmed with str.strip(); the schema's patterns list the same characters."""
    import re

    from safeguarding.api.serializers import WHITESPACE_CLASS

    spaces = re.compile(f"[{WHITESPACE_CLASS}]")
    python = {c for c in range(0x110000) if chr(c).isspace()}
    assert {c for c in python if spaces.fullmatch(chr(c))} == python
    assert not spaces.search("".join(chr(c) for c in range(0x3001) if c not in python))
