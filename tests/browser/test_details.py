"""Everyday details in a real browser, axe on every page: a peer group created from the list,
a member added with the type-ahead and their membership ended; a guardian added to a place."""

import pytest
from playwright.sync_api import expect

from contexts.models import ContextGuardian
from peers.models import PeerGroup, PeerGroupMembership

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NAME = "Marisol Quennell"


def test_create_a_peer_group_add_a_member_and_end_the_membership(world, signed_in):
    team = world.records["cases.youngperson"]["team"]
    team.given_name, team.family_name = NAME.split(" ")
    team.save()
    browsing = signed_in(world.users["sw"])
    page = browsing.page

    browsing.visit("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Peer groups").click()
    browsing.check_a11y()
    with page.expect_navigation():
        page.get_by_role("button", name="Create a peer group").click()
    browsing.check_a11y()
    expect(page.locator(".govuk-inset-text")).to_contain_text("“gang”")

    # A label is refused at the field, with what was typed kept.
    page.get_by_label("Name of the group").fill("Northside gang")
    page.get_by_label("Why are you recording this group?").fill(
        "To plan for the safety of young people seen together at the park."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Create group").click()
    browsing.check_a11y()
    expect(page.locator("#id_name_error")).to_contain_text("neutral name")
    expect(page.get_by_label("Why are you recording this group?")).to_have_value(
        "To plan for the safety of young people seen together at the park."
    )
    page.get_by_label("Name of the group").fill("Friends at Northside park")
    with page.expect_navigation():
        page.get_by_role("button", name="Create group").click()
    browsing.check_a11y()
    group = PeerGroup.objects.get(name="Friends at Northside park")
    assert browsing.path() == f"/peer-groups/{group.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Friends at Northside park")

    with page.expect_navigation():
        page.get_by_role("link", name="Add a member").click()
    box = page.locator("input.autocomplete__input#id_young_person")
    box.wait_for()
    box.press_sequentially("quenel")
    option = page.locator("#id_young_person__listbox li", has_text=NAME)
    option.wait_for()
    browsing.check_a11y()
    option.click()
    page.get_by_label("High").check()
    page.get_by_label("Where did the information come from?").select_option(
        label="School or college"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    membership = PeerGroupMembership.objects.get(peer_group=group, young_person=team)
    assert membership.confidence == "high" and membership.source == "school"

    with page.expect_navigation():
        page.get_by_role("link", name="Mark as left").click()
    browsing.check_a11y()
    page.get_by_label("Why are they no longer a member?").fill("Moved school")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    membership.refresh_from_db()
    assert membership.left_on is not None and membership.left_reason == "Moved school"
    members = page.locator("table", has=page.locator("caption", has_text="Members of"))
    expect(members).to_contain_text(NAME)
    expect(members).to_contain_text("Moved school")


def test_add_a_guardian_to_a_place(world, signed_in):
    place = world.records["contexts.context"]["team"]
    browsing = signed_in(world.users["sw"])
    page = browsing.page

    browsing.visit(f"/contexts/{place.pk}/")
    browsing.check_a11y()
    with page.expect_navigation():
        page.get_by_role("link", name="Add a guardian").click()
    browsing.check_a11y()
    # Neither an organisation nor a name: the error is at the organisation's field.
    page.get_by_label("When they are present").fill("Weekends 9am to 5pm")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    expect(page.locator("#id_organisation_error")).to_contain_text("Choose an organisation")
    expect(page.get_by_label("When they are present")).to_have_value("Weekends 9am to 5pm")
    page.get_by_label("Organisation (if there is one)").select_option(label="Test Academy")
    page.get_by_label("Adult's name or role").fill("Head of year 10")
    page.get_by_label("Tell the organisation when a concern is logged at this place").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    assert browsing.path() == f"/contexts/{place.pk}/"
    guardian = ContextGuardian.objects.get(context=place, name="Head of year 10")
    assert guardian.organisation.name == "Test Academy" and guardian.told_of_concerns
    assert guardian.present_when == "Weekends 9am to 5pm"
    guardians = page.locator("table", has=page.locator("caption", has_text="Guardians of"))
    expect(guardians).to_contain_text("Head of year 10")
    expect(guardians).to_contain_text("Weekends 9am to 5pm")


def test_add_an_alias_and_mark_it_no_longer_used(world, signed_in):
    from cases.models import Alias

    yp = world.records["cases.youngperson"]["own"]
    browsing = signed_in(world.users["sw"])
    page = browsing.page

    browsing.visit(f"/young-people/{yp.pk}/")
    browsing.check_a11y()
    with page.expect_navigation():
        page.get_by_role("link", name="Add an alias").click()
    browsing.check_a11y()
    page.get_by_label("Other name").fill("Jay Dee")
    page.get_by_label("Street name").check()
    page.get_by_label("Where did the name come from?").select_option(label="Police")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    alias = Alias.objects.get(young_person=yp, name="Jay Dee")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Jay Dee")

    with page.expect_navigation():
        page.locator(f'a[href="/young-people/{yp.pk}/aliases/{alias.pk}/end/"]').click()
    browsing.check_a11y()
    page.get_by_label("Why is the name no longer used?").fill("Not used since moving school")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    alias.refresh_from_db()
    assert alias.ended_on is not None
    ended = page.locator("table", has=page.locator("caption", has_text="No longer used"))
    expect(ended).to_contain_text("Not used since moving school")
