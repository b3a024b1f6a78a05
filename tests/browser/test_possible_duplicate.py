"""A possible duplicate in a real browser (issue 13): a worker adds, inline on "Log a concern",
a young person with the name and date of birth of one she can see; the page asks, offering the
record on file; she chooses it and the concern is about that young person, no one new made.
axe-core on every page."""

import pytest
from django.utils import timezone

from cases.models import Concern, YoungPerson

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_young_person_added_twice_is_offered_the_record_on_file(world, signed_in):
    own = world.records["cases.youngperson"]["own"]  # GivenOwn Testperson, born 1 Jan 2010
    people, concerns = YoungPerson.objects.count(), Concern.objects.count()
    browsing = signed_in(world.users["sw"])
    page = browsing.page
    browsing.visit("/concerns/new/")
    page.get_by_label("What happened?").fill("Seen with an older male by the canal.")
    page.get_by_label("Time (optional)").fill(timezone.localtime().strftime("%H:%M"))
    page.get_by_text("Not on the list? Add someone new").first.click()
    page.locator("#id_people-0-new_given_name").fill("givenown")
    page.locator("#id_people-0-new_family_name").fill("Testperson ")
    page.locator("#id_people-0-new_date_of_birth_day").fill("1")
    page.locator("#id_people-0-new_date_of_birth_month").fill("1")
    page.locator("#id_people-0-new_date_of_birth_year").fill("2010")
    page.locator("#id_people-0-part").select_option(label="Harmed")
    page.get_by_label("Child criminal exploitation, including county lines").check()
    page.get_by_label("Where did the information come from?").select_option(label="Police")
    page.get_by_label("Reliable source, not verified").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Log concern").click()
    browsing.check_a11y()

    summary = page.locator(".govuk-error-summary").inner_text()
    assert "A young person with this name and date of birth is already on record" in summary
    assert (YoungPerson.objects.count(), Concern.objects.count()) == (people, concerns)
    page.get_by_label(f"GivenOwn Testperson, born 1 January 2010 ({own.reference})").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Log concern").click()
    browsing.check_a11y()

    concern = Concern.objects.latest("logged_at")
    assert browsing.path() == concern.get_absolute_url()
    assert list(concern.subjects.all()) == [own.subject]
    assert YoungPerson.objects.count() == people
