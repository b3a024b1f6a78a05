"""Search (with a misspelt name, and by keyboard alone) and a peer group's network graph, in a
real browser."""

import json

import pytest

from peers.models import PeerGroupMembership

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NAME = "Zephyrine Okonkwo-Blatt"
TYPO = "Zefyrine Okonkwo"  # f for ph, and half the surname


def _rename(young_person, name=NAME):
    young_person.given_name, young_person.family_name = name.split(" ")
    young_person.save()


def test_search_finds_a_misspelt_name(world, signed_in):
    own = world.records["cases.youngperson"]["own"]
    _rename(own)
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Search").click()
    browsing.check_a11y()

    page.get_by_label("Name, alias, date of birth").fill(TYPO)
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    browsing.check_a11y()
    assert page.get_by_role("status").inner_text() == f"1 result for “{TYPO}”"
    row = page.locator("table tbody tr")
    assert row.count() == 1
    assert NAME in row.inner_text()
    assert own.subject.reference in row.inner_text()

    with page.expect_navigation():
        row.get_by_role("link", name=NAME).click()
    browsing.check_a11y()
    assert browsing.path() == f"/young-people/{own.pk}/"
    assert page.get_by_role("heading", level=1).inner_text() == NAME


def test_search_with_the_keyboard_alone(world, signed_in):
    own = world.records["cases.youngperson"]["own"]
    _rename(own)
    browsing = signed_in(world.users["sw"])
    page, keyboard = browsing.page, browsing.page.keyboard
    browsing.visit("/")

    browsing.tab_to(lambda el: el["tag"] == "a" and el["text"] == "Search")
    with page.expect_navigation():
        keyboard.press("Enter")
    browsing.check_a11y()
    assert browsing.path() == "/search/"
    browsing.tab_to(lambda el: el["id"] == "q")
    keyboard.type(TYPO)
    with page.expect_navigation():
        keyboard.press("Enter")
    browsing.check_a11y()
    assert page.get_by_role("status").inner_text() == f"1 result for “{TYPO}”"
    # The search box keeps the words; the first result is the next link after the button.
    assert page.locator("#q").input_value() == TYPO
    browsing.tab_to(lambda el: el["tag"] == "a" and el["text"] == NAME)
    with page.expect_navigation():
        keyboard.press("Enter")
    browsing.check_a11y()
    assert browsing.path() == f"/young-people/{own.pk}/"


def test_peer_group_graph_draws_the_members_the_user_may_see(world, signed_in):
    records = world.records
    group = records["peers.peergroup"]["team"]
    own, team = records["cases.youngperson"]["own"], records["cases.youngperson"]["team"]
    restricted = records["cases.youngperson"]["restricted"]
    # The world's group has "own" and "restricted" (hidden from sw) as members, and no
    # relationship between them. With "team" as a member too, the world's own-team friendship
    # is within the group; team-restricted is too, but sw may not see restricted.
    PeerGroupMembership.objects.create(peer_group=group, young_person=team, source="police")
    browsing = signed_in(world.users["sw"])
    page = browsing.page

    browsing.visit(f"/peer-groups/{group.pk}/")
    graph = page.locator(".app-network[data-ready='true']")
    graph.wait_for()
    browsing.check_a11y()  # again, with the graph drawn

    members = page.locator("table", has=page.locator("caption", has_text="Members of"))
    member_names = [
        name.strip() for name in members.locator("tbody tr td:first-child").all_inner_texts()
    ]
    assert sorted(member_names) == sorted([own.full_name, team.full_name])
    assert restricted.full_name not in page.locator("main").inner_text()

    assert graph.get_attribute("data-nodes") == str(len(member_names)) == "2"
    assert graph.get_attribute("data-edges") == "1"
    assert graph.is_visible()
    assert graph.locator("canvas").count() > 0  # cytoscape drew on it

    # The accessible table lists the same relationships as the graph.
    network = json.loads(page.locator("#peer-network").text_content())
    labels = {node["data"]["id"]: node["data"]["label"] for node in network["nodes"]}
    edges = [
        (labels[e["data"]["source"]], e["data"]["label"], labels[e["data"]["target"]])
        for e in network["edges"]
    ]
    table = page.locator("table", has=page.locator("caption", has_text="Relationships between"))
    rows = [
        tuple(cell.strip() for cell in row.locator("td").all_inner_texts()[:3])
        for row in table.locator("tbody tr").all()
    ]
    assert rows == edges == [(own.full_name, "Friend", team.full_name)]
