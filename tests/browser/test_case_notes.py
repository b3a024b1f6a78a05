"""Case notes in a real browser: a visit recorded from My work in one page, then in the young
person's chronology; a document attached to it; the note struck out as written in error. axe
on every page."""

import pytest
from django.utils import timezone

from cases.models import CaseNote, Document
from safeguarding.demo.notes import tiny_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NOTE = "Seen at home with mum. Talked about the park and who was there on Friday."


def test_record_a_visit_from_my_work_then_see_it_in_the_chronology(
    world, signed_in, documents_storage, tmp_path
):
    yp = world.records["cases.youngperson"]["own"]
    browsing = signed_in(world.users["sw"])
    page = browsing.page

    browsing.visit("/")
    row = page.locator("tr", has_text=yp.reference)
    first_request = len(browsing.requests)
    with page.expect_navigation():
        row.get_by_role("link", name="Record a visit").click()
    browsing.check_a11y()
    assert page.get_by_label("Visit", exact=True).is_checked()
    # Today is filled in already; the time, whether seen (and alone), and the note.
    page.get_by_label("Time").fill(timezone.localtime().strftime("%H:%M"))
    page.locator("#id_seen_0").check()
    page.locator("#id_seen_alone_0").check()
    page.get_by_label("Note", exact=True).fill(NOTE)
    with page.expect_navigation():
        page.get_by_role("button", name="Save note").click()
    browsing.check_a11y()
    # One load of the form, one submit, back on My work with the banner.
    assert [path for _, path in browsing.requests[first_request:]] == [
        f"{browsing.base_url}/subjects/{yp.reference}/notes/new/?kind=visit&from=my-work",
        f"{browsing.base_url}/subjects/{yp.reference}/notes/new/?kind=visit&from=my-work",
        f"{browsing.base_url}/",
    ]
    banner = page.locator(".govuk-notification-banner--success")
    assert f"recorded for {yp.reference}" in banner.inner_text()
    note = CaseNote.objects.get(text=NOTE)
    assert (note.kind, note.seen, note.seen_alone) == ("visit", True, True)

    # In the young person's chronology (filtered to case notes) and panel.
    browsing.visit(f"{yp.get_absolute_url()}?type=note#chronology")
    browsing.check_a11y()
    timeline = page.locator(".moj-timeline")
    assert "Visit" in timeline.inner_text() and NOTE[:30] in timeline.inner_text()

    # The note's page: attach a photo to it.
    with page.expect_navigation():
        timeline.get_by_role("link", name="Visit").first.click()
    browsing.check_a11y()
    with page.expect_navigation():
        page.get_by_role("button", name="Attach a document").click()
    browsing.check_a11y()
    photo = tmp_path / "front door.png"
    photo.write_bytes(tiny_png())
    page.get_by_label("What is it?").fill("Photo of the front door")
    page.get_by_label("Upload a file").set_input_files(str(photo))
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    document = Document.objects.get(title="Photo of the front door")
    assert document.case_note == note and document.content_type == "image/png"
    assert page.get_by_role("link", name="Photo of the front door").is_visible()

    # Struck out as written in error: it stays, struck through, with the reason.
    with page.expect_navigation():
        page.get_by_role("button", name="Strike out: written in error").click()
    browsing.check_a11y()
    page.get_by_label("Why was this note written in error?").fill("Wrong young person")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    assert page.locator("del", has_text="Seen at home with mum").is_visible()
    assert page.get_by_text("Written in error").first.is_visible()
    assert CaseNote.objects.get(pk=note.pk).strike_reason == "Wrong young person"
