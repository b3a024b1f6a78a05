"""Referrals and concerns that name a restricted young person show them only to those who may
see their record (cases/restrictions/selectors.people_shown); everyone else sees "A young
person whose record is restricted" (a partner: "details withheld"), with no name, no date of
birth and no link."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Concern, ConcernSubject, Referral, ReferralSubject

pytestmark = pytest.mark.world_per_module

SECRET = "Zebedee Quartermain"
WITHHELD = "A young person whose record is restricted"
WITHHELD_FROM_PARTNER = "A young person (details withheld)"


@pytest.fixture
def referral(world, reviewed):
    """A partner's referral naming the restricted young person (linked) and another child."""
    r = Referral.objects.create(
        authority=world.records["accounts.organisation"]["la"],
        source_organisation=world.records["accounts.organisation"]["p1"],
        referred_by=world.users["partner"],
        referrer_name="PC Test",
        narrative=f"{SECRET} was seen with Ola Open at the station",
        consent=Referral.Consent.NOT_SOUGHT,
        lawful_basis=Referral.LawfulBasis.PUBLIC_TASK,
    )
    ReferralSubject.objects.create(
        referral=r,
        kind="young_person",
        subject=reviewed.subject,
        described_name=SECRET,
        described_date_of_birth=date(2009, 7, 14),
    )
    ReferralSubject.objects.create(referral=r, kind="young_person", described_name="Ola Open")
    return r


@pytest.fixture
def concern(world, reviewed):
    """A concern about the restricted young person and team one's unrestricted one."""
    c = Concern.objects.create(
        authority=world.records["accounts.organisation"]["la"],
        occurred_at=timezone.now(),
        narrative="",
        source="police",
        reliability="reliable",
        logged_by=world.users["sw3"],
    )
    team = world.records["cases.youngperson"]["team"]
    # The narrative names both: the restricted one by a name of theirs, in another case.
    c.narrative = f"{reviewed.given_name.upper()} and {team.given_name} were seen at the park"
    c.save()
    for yp in (reviewed, team):
        ConcernSubject.objects.create(concern=c, subject=yp.subject, part="harmed")
    return c


def _user(world, who, tm_b):
    return tm_b if who == "tm_b" else world.records["accounts.user"][who]


# who -> what they see of the restricted young person: its reference (named), the neutral
# label, or nothing (the page is a 404)
REFERRAL_PAGE = {
    "tm": "named",  # named on the record: the holding team's manager
    "tm_b": WITHHELD,  # the front door's manager of another team, not named
    "sm": WITHHELD,
    "partner": WITHHELD_FROM_PARTNER,
    "la2_sw": 404,
}


@pytest.mark.parametrize("who", sorted(REFERRAL_PAGE))
def test_referral_page(world, client, referral, reviewed, tm_b, who):
    client.force_login(_user(world, who, tm_b))
    response = client.get(reverse("cases:referral", args=[referral.pk]))
    want = REFERRAL_PAGE[who]
    if want == 404:
        assert response.status_code == 404
        return
    text = response.content.decode()
    assert response.status_code == 200
    if want == "named":
        assert reviewed.subject.reference in text and WITHHELD not in text
        assert SECRET in text  # the narrative as written
    else:
        assert want in text
        assert SECRET not in text and reviewed.subject.reference not in text
        assert "2009" not in text and reviewed.get_absolute_url() not in text
    assert "Ola Open" in text or who in ("tm", "tm_b", "sm")


@pytest.mark.parametrize("who", ["tm", "tm_b"])
def test_front_door_decision_page(world, client, referral, reviewed, tm_b, who):
    client.force_login(_user(world, who, tm_b))
    response = client.get(reverse("cases:triage-decide", args=[referral.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    if who == "tm":
        assert WITHHELD not in text and SECRET in text
    else:
        assert WITHHELD in text
        assert SECRET not in text and reviewed.subject.reference not in text
        assert "14 July 2009" not in text


CONCERN_PAGE = {
    "tm": "named",  # named, and their team's young person is in it
    "sw": WITHHELD,  # sees the concern through their team's unrestricted young person
    "sm": WITHHELD,
    "partner": 404,
    "la2_sw": 404,
}


@pytest.mark.parametrize("who", sorted(CONCERN_PAGE))
def test_concern_page(world, client, concern, reviewed, who):
    client.force_login(world.records["accounts.user"][who])
    response = client.get(reverse("cases:concern", args=[concern.pk]))
    want = CONCERN_PAGE[who]
    if want == 404:
        assert response.status_code == 404
        return
    text = response.content.decode()
    team = world.records["cases.youngperson"]["team"]
    assert team.given_name in text  # the unrestricted young person is named as before
    if want == "named":
        assert reviewed.given_name in text and WITHHELD not in text
    else:
        assert WITHHELD in text
        assert reviewed.given_name not in text and reviewed.get_absolute_url() not in text
        assert reviewed.given_name.upper() not in text
        assert "[a young person whose record is restricted] and" in text


def test_the_chronology_of_the_other_young_person_does_not_name_them(world, client, concern):
    """The concern in the unrestricted young person's chronology: the restricted one's name
    is replaced in its text for whoever may not see them, kept for whoever may."""
    reviewed = world.records["cases.youngperson"]["restricted"]
    team = world.records["cases.youngperson"]["team"]
    client.force_login(world.users["sw"])
    text = client.get(team.get_absolute_url()).content.decode()
    assert f"[a young person whose record is restricted] and {team.given_name}" in text
    assert reviewed.given_name.upper() not in text
    client.force_login(world.users["tm"])
    text = client.get(team.get_absolute_url()).content.decode()
    assert f"{reviewed.given_name.upper()} and {team.given_name}" in text


def test_the_partner_api_names_no_young_person(world, client, referral, reviewed):
    client.force_login(world.users["partner"])
    response = client.get(reverse("api:referral-detail", args=[referral.reference]))
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET not in body and reviewed.subject.reference not in body
    client.force_login(world.records["accounts.user"]["la2_sw"])
    assert client.get(reverse("api:referral-detail", args=[referral.reference])).status_code in (
        403,
        404,
    )
