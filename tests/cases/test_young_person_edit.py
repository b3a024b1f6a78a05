"""Editing a young person's details (issue 13): the GOV.UK date pattern for the date of birth,
errors that say which field and what to do, what was typed kept, and a success banner."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _yp(world):
    return world.records["cases.youngperson"]["own"]


def _data(yp, **changes):
    data = {
        "given_name": yp.given_name,
        "family_name": yp.family_name,
        "preferred_name": "",
        "date_of_birth_day": "",
        "date_of_birth_month": "",
        "date_of_birth_year": "",
        "gender": "not_known",
        "ethnicity": "",
        "address": "",
        "postcode": "",
        "nhs_number": "",
        "unique_pupil_number": "",
        "vulnerabilities": "",
    }
    return {**data, **changes}


def _edit(client, world, data):
    client.force_login(world.users["sw"])
    return client.post(reverse("cases:young-person-edit", args=[_yp(world).pk]), data)


def test_the_date_of_birth_is_three_boxes_holding_the_date_on_record(world, client):
    yp = _yp(world)
    yp.date_of_birth = date(2010, 5, 1)
    yp.save()
    client.force_login(world.users["sw"])
    page = client.get(reverse("cases:young-person-edit", args=[yp.pk])).content.decode()
    for part, value in (("day", "1"), ("month", "5"), ("year", "2010")):
        box = re.search(rf'<input[^>]*name="date_of_birth_{part}"[^>]*>', page).group(0)
        assert f'id="id_date_of_birth_{part}"' in box and f'value="{value}"' in box
    assert "For example, 27 3 2007" in page


def test_a_saved_edit_stores_the_date_and_shows_the_success_banner(world, client):
    yp = _yp(world)
    response = _edit(
        client,
        world,
        _data(yp, date_of_birth_day="3", date_of_birth_month="2", date_of_birth_year="2011"),
    )
    assert response.status_code == 302
    yp.refresh_from_db()
    assert yp.date_of_birth == date(2011, 2, 3)
    page = client.get(response["Location"]).content.decode()
    assert "govuk-notification-banner--success" in page and "Details saved" in page


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("31", "2", "2010"), "The date must be a real date"),
        (("", "2", "2010"), "The date must include a day, month and year"),
        (("x", "y", "z"), "The date must be a real date"),
        ("tomorrow", "Date of birth must be in the past"),
    ],
)
def test_a_wrong_date_of_birth_is_said_at_the_field_and_what_was_typed_is_kept(
    world, client, parts, message
):
    yp = _yp(world)
    before = yp.date_of_birth
    if parts == "tomorrow":
        tomorrow = date.today() + timedelta(days=1)
        parts = (str(tomorrow.day), str(tomorrow.month), str(tomorrow.year))
    day, month, year = parts
    response = _edit(
        client,
        world,
        _data(
            yp,
            given_name="Typedname",
            date_of_birth_day=day,
            date_of_birth_month=month,
            date_of_birth_year=year,
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert page.count(message) == 2  # in the error summary and at the field
    assert 'href="#id_date_of_birth' in page
    assert 'value="Typedname"' in page
    for value in parts:
        if value:
            assert f'value="{value}"' in page
    yp.refresh_from_db()
    assert yp.date_of_birth == before and yp.given_name != "Typedname"


@pytest.mark.parametrize(("field", "message"), [("given_name", "Enter given name")])
def test_an_empty_required_field_says_which(world, client, field, message):
    yp = _yp(world)
    response = _edit(client, world, _data(yp, **{field: ""}))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(message) == 2  # in the error summary and at the field
    assert f'href="#id_{field}"' in page
    assert "This field is required." not in page


def test_a_choice_left_empty_says_select(world, client):
    yp = _yp(world)
    response = _edit(client, world, _data(yp, gender=""))
    page = response.content.decode()
    assert response.status_code == 200 and page.count("Select gender") == 2


def test_a_family_name_may_be_left_empty_for_someone_with_one_name(world, client):
    """Issue 13: never a placeholder such as "(not given)" for a name nobody gave."""
    yp = _yp(world)
    response = _edit(client, world, _data(yp, family_name="  "))
    assert response.status_code == 302, response.content.decode()
    yp.refresh_from_db()
    assert yp.family_name == ""
    page = client.get(response["Location"]).content.decode()
    assert "(not given)" not in page
    assert (
        "Leave this empty if they have only one name."
        in client.get(reverse("cases:young-person-edit", args=[yp.pk])).content.decode()
    )
