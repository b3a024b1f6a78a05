"""Naming staff on a restricted young person, and choosing a new password, in a real browser:
with JavaScript (the staff type-ahead) and without it (Find, choose, submit)."""

import pytest

from cases.models import YoungPersonUserObjectPermission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

REASON = "Covering the allocated worker's leave"


def _named_page(world):
    return f"/young-people/{world.records['cases.youngperson']['restricted'].pk}/named/"


def test_a_team_manager_names_someone_with_the_type_ahead(world, signed_in):
    restricted, sw3 = world.records["cases.youngperson"]["restricted"], world.users["sw3"]
    browsing = signed_in(world.users["tm"])
    page = browsing.page
    browsing.visit(_named_page(world))
    assert restricted.given_name not in page.content()
    browsing.check_a11y()
    browsing.choose("id_person", "sw3", str(sw3), f"{sw3} (Social worker, Team Two)")
    page.get_by_label("Why do they need to see this record?").fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Name them").click()
    browsing.check_a11y()
    assert f"{sw3} is now named on this record" in page.content()
    assert YoungPersonUserObjectPermission.objects.filter(
        content_object=restricted, user=sw3
    ).exists()


@pytest.mark.no_javascript
def test_without_javascript_find_choose_then_name(world, signed_in):
    restricted, sw3 = world.records["cases.youngperson"]["restricted"], world.users["sw3"]
    browsing = signed_in(world.users["tm"])
    page = browsing.page
    browsing.visit(_named_page(world))
    # Nothing typed yet: the reason is kept through the search.
    page.get_by_label("Why do they need to see this record?").fill(REASON)
    page.get_by_label("Name of the member of staff").fill("sw3")
    with page.expect_navigation():
        page.get_by_role("button", name="Find").click()
    browsing.check_a11y()
    assert page.get_by_label("Why do they need to see this record?").input_value() == REASON
    page.get_by_label("Member of staff", exact=True).select_option(value=str(sw3.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Name them").click()
    browsing.check_a11y()
    assert YoungPersonUserObjectPermission.objects.filter(
        content_object=restricted, user=sw3
    ).exists()


@pytest.mark.no_javascript
def test_forgotten_password_page(world, browsing):
    page = browsing.page
    browsing.visit("/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Forgotten your password?").click()
    browsing.check_a11y()
    page.get_by_label("Email").fill("nobody@example.invalid")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the link").click()
    assert "Check your email" in page.content()
    browsing.check_a11y()
