"""Search tolerates misspelling and returns only what the user may see."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import Alias
from safeguarding.search import search


@pytest.fixture
def named(world):
    own = world.records["cases.youngperson"]["own"]
    own.given_name, own.family_name = "Jayden", "Okonkwo-Reilly"
    own.date_of_birth, own.postcode = date(2011, 7, 4), "EB4 7QT"
    own.save()
    Alias.objects.create(young_person=own, name="Jaybird")
    other = world.records["cases.youngperson"]["other"]
    other.given_name, other.family_name = "Jayden", "Okonkwo"
    other.save()
    return own, other


@pytest.mark.parametrize(
    "text", ["Jaiden Okonkwo-Reily", "okonkwo reilly", "Jaybrd", "4/7/2011", "eb47qt", "EB4 7QT"]
)
def test_finds_by_misspelt_name_alias_birthday_and_postcode(world, named, text):
    own, other = named
    found = search(user=world.users["sw"], text=text)["young_people"]
    assert own in found
    assert other not in found  # another team's young person never appears


def test_finds_places_and_groups_the_user_may_see(world):
    results = search(user=world.users["sw"], text="Test team")
    assert world.records["contexts.context"]["team"] in results["contexts"]
    assert world.records["peers.peergroup"]["team"] in results["peer_groups"]
    assert world.records["contexts.context"]["other"] not in results["contexts"]
    assert world.records["peers.peergroup"]["other"] not in results["peer_groups"]


def test_search_page(world, named, client):
    client.force_login(world.users["sw"])
    page = client.post(reverse("search"), {"q": "Jaiden Okonkwo"}).content.decode()
    assert "Okonkwo-Reilly" in page
    assert ">Jayden Okonkwo<" not in page
    assert client.get(reverse("search")).status_code == 200
    assert "at least 2" in client.post(reverse("search"), {"q": "J"}).content.decode()
