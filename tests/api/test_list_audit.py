"""API list reads are audited: one row per response, naming exactly the records on the page."""

import pytest
from auditlog.models import LogEntry

from cases.models import Referral
from tests.api.conftest import REFERRALS, post_referral

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _last_id() -> int:
    last = LogEntry.objects.order_by("-id").first()
    return last.pk if last else 0


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (2, 1), (100, 0)])
def test_an_api_list_page_writes_one_row_naming_the_referrals_on_it(world, api, limit, offset):
    police = api("p1")
    for _ in range(3):
        post_referral(police)
    since = _last_id()
    response = police.get(REFERRALS, {"limit": limit, "offset": offset})
    assert response.status_code == 200
    references = [item["reference"] for item in response.json()["results"]]
    (row,) = LogEntry.objects.filter(pk__gt=since, object_pk="shown")
    shown = Referral.objects.in_bulk(row.additional_data["shown"]["cases.referral"])
    assert [shown[pk].reference for pk in row.additional_data["shown"]["cases.referral"]] == (
        references
    )
    assert row.actor == police.token.service_user
    # Which endpoint, through the API (safeguarding/audit/origin.py: the access log shows it).
    assert row.additional_data["via"] == "api" and row.additional_data["view"]


def test_an_empty_list_writes_nothing(world, api):
    since = _last_id()
    response = api("p2").get(REFERRALS, {"received_to": "2001-01-01"})
    assert response.status_code == 200 and response.json()["results"] == []
    assert not LogEntry.objects.filter(pk__gt=since, object_pk="shown").exists()
