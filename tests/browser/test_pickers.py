"""Pickers in a real browser. With JavaScript, the type-ahead asks the server as the user
types (nobody is embedded in the page, nothing typed goes into a URL). Without it, the user
searches, chooses from the matches, then submits: nothing typed is lost on the way."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Concern, ConcernSubject
from peers.models import PeerGroupMembership

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NAME = "Marisol Quennell"
FIRST = "Zephyrine Okonkwo-Blatt"
NARRATIVE = "Seen at the bus station after midnight with two older males."


def _rename(young_person, name):
    young_person.given_name, young_person.family_name = name.split(" ")
    young_person.save()


def _picker_requests(page) -> list[tuple[str, str, str | None]]:
    """Every request the page makes to a picker's endpoint: method, URL and body."""
    asked = []
    page.on(
        "request",
        lambda r: asked.append((r.method, r.url, r.post_data)) if "/pick/" in r.url else None,
    )
    return asked


def test_the_type_ahead_asks_the_server_and_chooses(world, signed_in):
    group = world.records["peers.peergroup"]["team"]
    team = world.records["cases.youngperson"]["team"]
    _rename(team, NAME)
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    asked = _picker_requests(page)

    browsing.visit(f"/peer-groups/{group.pk}/members/add/")
    box = page.locator("input.autocomplete__input#id_young_person")
    box.wait_for()
    # Nobody is in the page: names come from the server as they are typed. The search box and
    # its Find button (for browsers without JavaScript) are gone.
    assert NAME not in page.content()
    assert page.locator("#id_young_person_finder").count() == 0

    box.press_sequentially("quenel")
    option = page.locator("#id_young_person__listbox li", has_text=NAME)
    option.wait_for()
    assert option.inner_text().split("\n") == [NAME, "born 1 Jan 2010"]
    browsing.check_a11y()  # with the matches open
    option.click()
    expect(box).to_have_value(f"{NAME} (born 1 Jan 2010)")
    assert page.locator("#id_young_person-select").input_value() == str(team.pk)

    # What was typed went in the body of a POST, never in a URL; typing without a pause asks
    # once, not once a letter.
    assert asked, "the type-ahead did not ask the server"
    assert 1 <= len(asked) < len("quenel")
    assert {(method, url) for method, url, _ in asked} == {
        ("POST", browsing.url("/pick/young-people/"))
    }
    assert asked[-1][2] == "q=quenel"

    page.get_by_label("Medium").check()
    page.get_by_label("Where did the information come from?").select_option(
        label="School or college"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    assert browsing.path() == f"/peer-groups/{group.pk}/"
    assert PeerGroupMembership.objects.filter(peer_group=group, young_person=team).exists()


def test_the_type_ahead_offers_only_who_the_user_may_pick(world, signed_in):
    restricted = world.records["cases.youngperson"]["restricted"]
    other = world.records["cases.youngperson"]["other"]
    _rename(restricted, "Quillon Restrictedperson")
    _rename(other, "Quillan Otherteamperson")
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit("/concerns/new/")
    box = page.locator("input.autocomplete__input#id_people-0-young_person")
    box.press_sequentially("Quill")
    nothing = page.locator("#id_people-0-young_person__listbox li", has_text="No young people")
    nothing.wait_for()
    assert nothing.inner_text() == "No young people found"
    browsing.check_a11y()
    assert "Quillon" not in page.content() and "Quillan" not in page.content()


def test_emptying_the_box_empties_the_choice(world, signed_in):
    own = world.records["cases.youngperson"]["own"]
    _rename(own, FIRST)
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit(f"/concerns/new/?young_person={own.pk}")
    box = page.locator("input.autocomplete__input#id_people-0-young_person")
    expect(box).to_have_value(f"{FIRST} (born 1 Jan 2010)")  # pre-filled from the page
    select = page.locator("#id_people-0-young_person-select")
    assert select.input_value() == str(own.pk)
    box.press("End")
    box.press("Backspace")  # no longer what was chosen: the form must not send it
    assert select.input_value() == ""


def _now() -> str:
    return timezone.localtime().strftime("%H:%M")


@pytest.mark.no_javascript
def test_without_javascript_search_then_choose_then_submit(world, signed_in):
    own, place = (
        world.records["cases.youngperson"]["own"],
        world.records["contexts.context"]["team"],
    )
    _rename(own, FIRST)
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit("/concerns/new/")
    assert FIRST not in page.content()
    page.get_by_label("What happened?").fill(NARRATIVE)
    page.get_by_label("Time (optional)").fill(_now())
    page.get_by_label("Source details (optional)").fill("PC 1234 Smith")

    # Search for the first young person: the page comes back with her to choose, and the
    # focus on the list.
    finder = page.locator("#id_people-0-young_person_finder")
    finder.get_by_label("Name, date of birth or postcode").fill("Zephy")
    with page.expect_navigation():
        finder.get_by_role("button", name="Find a young person").click()
    browsing.check_a11y()
    assert page.locator("#id_people-0-young_person_found").inner_text() == (
        "1 young person found for “Zephy”: choose from the list below."
    )
    assert browsing.focused()["id"] == "id_people-0-young_person"
    assert "There is a problem" not in page.content()  # not finished: no errors yet
    # Everything typed is still there.
    assert page.get_by_label("What happened?").input_value() == NARRATIVE
    assert page.get_by_label("Source details (optional)").input_value() == "PC 1234 Smith"
    assert page.locator("#id_people-0-young_person_find").input_value() == "Zephy"
    page.locator("#id_people-0-young_person").select_option(label=f"{FIRST} (born 1 Jan 2010)")
    page.locator("#id_people-0-part").select_option(label="Harmed")

    # The place: typed, then Enter (which presses the form's first Find button): the box with
    # text is searched, and its list has the focus. The young person chosen stays chosen.
    page.locator("#id_location_find").fill("Test team place")
    with page.expect_navigation():
        page.locator("#id_location_find").press("Enter")
    browsing.check_a11y()
    assert browsing.focused()["id"] == "id_location"
    assert page.locator("#id_people-0-young_person").input_value() == str(own.pk)
    page.locator("#id_location").select_option(label=f"{place.name} (Park or open space)")

    page.get_by_label("Child sexual exploitation").check()
    page.get_by_label("Where did the information come from?").select_option(label="Police")
    page.get_by_label("Reliable source, not verified").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Log concern").click()
    browsing.check_a11y()

    concern = Concern.objects.get(narrative=NARRATIVE)
    assert browsing.path() == f"/concerns/{concern.pk}/"
    assert set(concern.involvements.values_list("subject_id", "part")) == {
        (own.subject_id, ConcernSubject.Part.HARMED),
        (place.subject_id, ConcernSubject.Part.LOCATION),
    }
    assert concern.source_detail == "PC 1234 Smith"
    assert [h.slug for h in concern.harm_categories.all()] == ["cse"]
    # Two searches and a submit, all to the form's own address: nothing typed in a URL.
    assert [(method, url) for method, url in browsing.requests] == [
        ("GET", browsing.url("/concerns/new/")),
        ("POST", browsing.url("/concerns/new/")),
        ("POST", browsing.url("/concerns/new/")),
        ("POST", browsing.url("/concerns/new/")),
        ("GET", browsing.url(f"/concerns/{concern.pk}/")),
    ]
