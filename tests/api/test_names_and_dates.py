"""The partner API's side of "nothing silently wrong" (issue 13): names arrive with white space
of every kind and are kept whole; a date of birth today or later is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import ReferralSubject

from .conftest import post_referral, referral_body

pytestmark = pytest.mark.world_per_module


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Mary Ann Whitlowe", "Mary Ann Whitlowe"),
        ("Mary  Ann Whitlowe", "Mary Ann Whitlowe"),  # the double space
        ("  Mary Ann\u00a0Whitlowe ", "Mary Ann Whitlowe"),  # no-break space
        ("Mary\tAnn\nWhitlowe", "Mary Ann Whitlowe"),  # tab and line break
        ("Mary\u200b Ann\u2003Whitlowe\ufeff", "Mary Ann Whitlowe"),  # zero-width, em space
        ("Zoe\u0308 Whitlowe", "Zo\u00eb Whitlowe"),  # NFC
    ],
)
def test_a_referred_name_is_kept_whole_with_its_white_space_made_single(world, api, sent, stored):
    body = referral_body(young_people=[{"name": sent, "date_of_birth": "2010-05-01"}])
    body["referrer"]["name"] = f"PC\u00a0 {sent.split()[0]}"
    response = post_referral(api(), body)
    assert response.status_code == 201, response.content
    row = ReferralSubject.objects.filter(referral__reference=response.json()["reference"]).get()
    assert row.described_name == stored
    assert row.referral.referrer_name == f"PC {stored.split()[0]}"


@pytest.mark.parametrize("days", [0, 1, 400])
def test_a_date_of_birth_today_or_later_is_refused(world, api, days):
    born = (timezone.localdate() + timedelta(days=days)).isoformat()
    body = referral_body(young_people=[{"name": "Jay Example", "date_of_birth": born}])
    response = post_referral(api(), body)
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "young_people[0].date_of_birth"
    assert error["message"] == "Date of birth must be in the past"


def test_yesterday_is_a_date_of_birth(world, api):
    born = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = referral_body(young_people=[{"name": "Jay Example", "date_of_birth": born}])
    assert post_referral(api(), body).status_code == 201
