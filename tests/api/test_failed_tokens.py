"""Failed API token attempts: each is logged (without the token) and counted per client
address; past API_FAILED_TOKEN_RATE the address is answered 429 before its token is checked."""

import logging

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import REFERRALS, assert_problem

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def token_client(secret: str, address: str, **headers) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", **headers)
    return client


@pytest.mark.parametrize(
    "bad",
    ["sgp_nope_wrong-secret-value", "not-a-token-at-all", "two parts"],
    ids=["unknown", "malformed", "spaces"],
)
def test_repeated_failed_tokens_from_one_address_are_throttled(
    world, issue_token, settings, caplog, bad
):
    settings.API_FAILED_TOKEN_RATE = "3/min"
    good = issue_token("p1").secret
    with caplog.at_level(logging.WARNING, logger="safeguarding.api.authentication"):
        for n in range(3):
            # A forged X-Forwarded-For does not make a new address.
            client = token_client(bad, "203.0.113.20", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
            assert_problem(client.get(REFERRALS), 401, "unauthenticated")
    refused = [r for r in caplog.records if "API token refused" in r.getMessage()]
    assert len(refused) == 3
    for record in caplog.records:
        assert bad not in record.getMessage() and "wrong-secret" not in record.getMessage()
    assert all("203.0.113.20" in record.getMessage() for record in refused)

    # The fourth try from that address is 429, even with a good token: it is not looked at.
    response = token_client(good, "203.0.113.20").get(REFERRALS)
    assert_problem(response, 429, "rate-limited")
    assert int(response["Retry-After"]) >= 1
    # Another address, with the good token, is served.
    assert token_client(good, "192.0.2.20").get(REFERRALS).status_code == 200


def test_good_tokens_are_not_counted_as_failures(world, issue_token, settings):
    settings.API_FAILED_TOKEN_RATE = "2/min"
    good = issue_token("p1").secret
    for _ in range(5):
        assert token_client(good, "203.0.113.21").get(REFERRALS).status_code == 200
