"""The front door: referrals oldest first, what is known, and the decision."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Referral, YoungPerson
from contexts.models import Context
from safeguarding.accounts import visibility
from tests.factories import ReferralFactory

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


@pytest.fixture
def partner_referral(world):
    other = world.records["cases.youngperson"]["other"]
    other.given_name, other.family_name = "Tyrese", "Okafor-Bennett"
    other.save()
    referral = ReferralFactory(
        source_organisation=world.records["accounts.organisation"]["p1"],
        referrer_name="PC Test",
        narrative="Seen being given a package outside the shop by an older male.",
        about=[
            {"kind": "young_person", "described_name": "Tyreese Okafor Bennet"},
            {
                "kind": "context",
                "described_name": "Kestrel Chicken, Mill Lane",
                "described_place_kind": "shop",
                "described_postcode": "EB2 9ZZ",
            },
        ],
    )
    person, place = referral.about.order_by("pk")
    return referral, person, place


def test_queue_is_for_team_managers_oldest_first(world, client, partner_referral):
    client.force_login(world.users["sw"])
    assert client.get(reverse("cases:triage")).status_code == 404
    client.force_login(world.users["tm"])
    page = client.get(reverse("cases:triage")).content.decode()
    references = [r.reference for r in Referral.objects.order_by("received_at")]
    positions = [page.index(ref) for ref in references]
    assert positions == sorted(positions)
    assert "left" in page


def test_known_matches_a_misspelt_name_across_teams_but_not_restricted(world, partner_referral):
    from cases.selectors import known_for_referral

    referral, person, _ = partner_referral
    tm = world.users["tm"]
    other = world.records["cases.youngperson"]["other"]  # team two's young person
    known = {k.row.pk: k for k in known_for_referral(user=tm, referral=referral)}
    assert other in known[person.pk].matches
    assert not visibility.can(tm, other)  # found for matching, still not readable
    restricted = world.records["cases.youngperson"]["restricted"]
    assert not visibility.can(tm, restricted, visibility.MATCH)
    # Matching is for the front door only: forms offer the manager their own team's people.
    assert not visibility.can(tm, other, visibility.PICK)


def test_decide_context_assessment_linking_and_creating(world, client, partner_referral):
    referral, person, place = partner_referral
    other = world.records["cases.youngperson"]["other"]
    tm = world.users["tm"]
    client.force_login(tm)
    url = reverse("cases:triage-decide", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Tyrese Okafor-Bennett" in page  # the possible match
    response = client.post(
        url,
        {
            "decision": "context_assessment",
            "reason": "Third referral about this shop in a month.",
            f"link_{person.pk}": str(other.pk),
            f"link_{place.pk}": "new",
        },
    )
    assert response.status_code == 302, response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "decided" and referral.decision == "context_assessment"
    assert referral.decided_by == tm
    shop = Context.objects.get(name="Kestrel Chicken, Mill Lane")
    assert shop.kind == "shop" and shop.postcode == "EB2 9ZZ"
    # Work starts on the place in the manager's team; the young person already has open work.
    assert Case.objects.get(subject=shop.subject).team == tm.team
    assert Case.objects.filter(subject=other.subject).exclude(status="closed").count() == 1
    # The decision is on the place's chronology.
    page = client.get(shop.get_absolute_url()).content.decode()
    assert "Context assessment" in page


def test_a_decision_needs_a_reason_and_changes_nothing_without_one(world, client, partner_referral):
    referral, person, _ = partner_referral
    client.force_login(world.users["tm"])
    page = client.post(
        reverse("cases:triage-decide", args=[referral.pk]),
        {"decision": "nfa", "reason": "", f"link_{person.pk}": "new"},
    ).content.decode()
    assert "Give the reason for the decision" in page
    referral.refresh_from_db()
    assert referral.status == "received"
    assert not YoungPerson.objects.filter(given_name="Tyreese").exists()


def test_screening_then_decided_referral_leaves_the_queue(world, client, partner_referral):
    referral, _, _ = partner_referral
    client.force_login(world.users["tm"])
    client.post(reverse("cases:triage-screening", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.status == "screening"
    client.post(
        reverse("cases:triage-decide", args=[referral.pk]),
        {"decision": "signpost", "reason": "Youth service outreach."},
    )
    first = client.get(reverse("cases:triage")).content.decode()
    assert f"Referral {referral.reference}: Signpost." in first  # the confirmation
    assert referral.reference not in client.get(reverse("cases:triage")).content.decode()
    assert client.get(reverse("cases:triage-decide", args=[referral.pk])).status_code == 404


def _add_referrals(world, n: int, *, start=None) -> list[Referral]:
    """``n`` referrals waiting, received a minute apart from ``start`` (oldest first)."""
    start = start or timezone.now() - timedelta(days=30)
    return [
        ReferralFactory(  # about a young person described as "A B"
            source_organisation=world.records["accounts.organisation"]["p1"],
            referrer_name="PC Test",
            narrative=f"Referral {i}",
            received_at=start + timedelta(minutes=i),
        )
        for i in range(n)
    ]


def _references_in_order(page: str) -> list[str]:
    return re.findall(r">(REF-[0-9A-Z]+)</a>", page)


def test_queue_query_count_does_not_grow_with_referrals(world, client):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:triage")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(world.users["tm"])
    _add_referrals(world, 2)
    small = count()
    _add_referrals(world, 60)  # more than a page
    assert count() == small
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:triage"), {"page": 2}).status_code == 200
    assert len(ctx.captured_queries) == small


def test_queue_is_paged_oldest_first_and_a_bad_page_number_is_not_an_error(world, client):
    waiting = Referral.objects.filter(status__in=["received", "screening"])
    oldest = _add_referrals(world, 55, start=timezone.now() - timedelta(days=365))
    total = waiting.count()
    expected = [r.reference for r in waiting.order_by("received_at", "pk")]
    assert expected[:55] == [r.reference for r in oldest]
    client.force_login(world.users["tm"])
    url = reverse("cases:triage")

    first = client.get(url).content.decode()
    assert _references_in_order(first) == expected[:50]
    assert f"{total} referrals waiting." in first
    assert f"Showing 1 to 50 of {total} referrals" in first
    assert 'href="?page=2" rel="next"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert _references_in_order(second) == expected[50:]
    assert f"Showing 51 to {total} of {total} referrals" in second
    assert 'href="?page=1" rel="prev"' in second
    # Past the end (referrals decided meanwhile): the last page; junk: the first. Never a 500.
    for number, shown in (("99", expected[50:]), ("x", expected[:50]), ("-1", expected[:50])):
        response = client.get(url, {"page": number})
        assert response.status_code == 200
        assert _references_in_order(response.content.decode()) == shown
