"""Logging a concern: one page, one submit; nothing typed is lost on an error."""

from django.urls import reverse

from cases.models import Concern, YoungPerson
from contexts.models import Context
from safeguarding.accounts import visibility


def _post_data(**overrides):
    data = {
        "narrative": "Seen getting into a car with an older male outside the chicken shop.",
        "occurred_on_day": "3",
        "occurred_on_month": "11",
        "occurred_on_year": "2026",
        "occurred_time": "16:30",
        "location": "",
        "new_place_name": "",
        "new_place_kind": "",
        "new_place_postcode": "",
        "location_description": "",
        "peer_group": "",
        "harm_categories": [],
        "source": "police",
        "source_detail": "",
        "reliability": "reliable",
        "people-TOTAL_FORMS": "3",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


def test_log_a_concern_about_two_young_people_at_a_new_place(world, client):
    from cases.models import HarmCategory

    sw = world.users["sw"]
    own = world.records["cases.youngperson"]["own"]
    client.force_login(sw)
    cce = HarmCategory.objects.get(slug="cce")
    response = client.post(
        reverse("cases:concern-log"),
        _post_data(
            **{
                "harm_categories": [cce.pk],
                "new_place_name": "Rosewood Chicken",
                "new_place_kind": "shop",
                "people-0-young_person": str(own.pk),
                "people-0-part": "harmed",
                "people-1-new_given_name": "Kai",
                "people-1-new_family_name": "Newperson",
                "people-1-part": "at_risk",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()
    concern = Concern.objects.latest("logged_at")
    assert response["Location"] == concern.get_absolute_url()
    place = Context.objects.get(name="Rosewood Chicken")
    new_person = YoungPerson.objects.get(family_name="Newperson")
    assert {s.pk for s in concern.subjects.all()} == {
        own.subject_id,
        new_person.subject_id,
        place.subject_id,
    }
    # The logger's team now works with the new place and holds the new person in its queue.
    assert visibility.can(sw, place) and visibility.can(sw, new_person)
    assert not visibility.can(world.users["sw3"], place)
    assert not visibility.can(world.users["sw3"], concern)
    # Both chronologies and the place's page show it.
    for url in (own.get_absolute_url(), new_person.get_absolute_url(), place.get_absolute_url()):
        assert "Seen getting into a car" in client.get(url).content.decode()


def test_errors_keep_everything_typed_and_link_each_field(world, client):
    client.force_login(world.users["sw"])
    own = world.records["cases.youngperson"]["own"]
    response = client.post(
        reverse("cases:concern-log"),
        _post_data(
            **{
                "occurred_on_day": "31",
                "occurred_on_month": "2",
                "narrative": "Typed narrative that must survive",
                "people-0-young_person": str(own.pk),
                "people-0-part": "",
                "new_place_name": "Half-typed place",
                "source": "",
            }
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    for anchor in (
        'href="#id_occurred_on_day"',
        'href="#id_harm_categories',
        'href="#id_source"',
        'href="#id_people-0-part"',
        'href="#id_new_place_kind"',
    ):
        assert anchor in page, anchor
    assert "Typed narrative that must survive" in page
    assert 'value="Half-typed place"' in page
    assert 'value="31"' in page
    assert not Concern.objects.filter(narrative__startswith="Typed").exists()


def test_a_young_person_of_another_team_cannot_be_named(world, client):
    client.force_login(world.users["sw"])
    other = world.records["cases.youngperson"]["other"]
    response = client.post(
        reverse("cases:concern-log"),
        _post_data(
            **{
                "harm_categories": ["1"],
                "people-0-young_person": str(other.pk),
                "people-0-part": "harmed",
            }
        ),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert other.full_name not in response.content.decode()


def test_prefilled_from_a_subject_page_and_denied_subjects_are_404(world, client):
    client.force_login(world.users["sw"])
    own = world.records["cases.youngperson"]["own"]
    other = world.records["cases.youngperson"]["other"]
    page = client.get(reverse("cases:concern-log") + f"?young_person={own.pk}")
    assert page.status_code == 200
    assert f'<option value="{own.pk}" selected>' in page.content.decode()
    assert client.get(reverse("cases:concern-log") + f"?young_person={other.pk}").status_code == 404


def test_only_practitioners_log_concerns(world, client):
    for name in ("sm", "partner", "admin"):
        client.force_login(world.users[name])
        assert client.get(reverse("cases:concern-log")).status_code == 404
