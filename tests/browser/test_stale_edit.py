"""A lost update prevented, in a real browser (issue 13): a worker edits a place while someone
else saves a change to it; her save is refused with the GOV.UK error, what she typed kept and
their change shown (in the field she had left alone); saving again keeps both. axe-core on
every page."""

import pytest
from django.urls import reverse

from contexts.services import context_update

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_stale_edit_is_refused_keeping_what_was_typed_then_saved(world, signed_in):
    place = world.records["contexts.context"]["team"]
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit(reverse("contexts:context-edit", args=[place.pk]))
    page.get_by_label("Description").fill("Seen most evenings after school.")

    # Meanwhile, a colleague saves a change to the same place.
    context_update(place, by=world.users["sw2"], changes={"name": "Mill Lane Park"})

    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    summary = page.locator(".govuk-error-summary")
    assert "This record was changed by someone else after you opened it" in summary.inner_text()
    assert "Name was changed by someone else to: Mill Lane Park" in summary.inner_text()
    assert page.get_by_label("Description").input_value() == "Seen most evenings after school."
    assert page.get_by_label("Name").input_value() == "Mill Lane Park"  # hers left alone
    place.refresh_from_db()
    assert place.description != "Seen most evenings after school."

    # She has looked: her description and their name are saved.
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    assert browsing.path() == reverse("contexts:context", args=[place.pk])
    place.refresh_from_db()
    assert place.description == "Seen most evenings after school."
    assert place.name == "Mill Lane Park"
