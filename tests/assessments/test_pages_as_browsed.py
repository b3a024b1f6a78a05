"""Faults the browser journeys (tests/browser/test_assessments.py) found in the assessment
pages, each pinned here without a browser:

* a section's page showed its saved and carried-forward answers empty (the view's empty
  ``initial`` replaced the stored answers), so saving the page again lost them;
* a partner's pages (a school's safeguarding lead, a guardian reading the summary) had an
  empty breadcrumb link: the subject's name is not the partner's to read (disclosure.py), so
  the pages name the subject by its reference instead.
"""

import re
from datetime import date

import pytest
from django.urls import reverse

from cases.assessments import services
from cases.models import Assessment

pytestmark = pytest.mark.world_per_module

WHO_USES = "Year 9s after school, most evenings."


def _url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=[assessment.pk, *args])


def test_a_section_page_shows_the_answers_saved(world, client):
    assessment = world.records["cases.assessment"]["place_team"]
    sw = world.users["sw"]
    services.assessment_save_section(
        assessment=assessment,
        section="young_people",
        answers={
            "who_uses": {"value": WHO_USES},
            "young_people_rating": {"value": "amber", "evidence": "Safety mapping at school."},
        },
        complete=False,
        by=sw,
    )
    client.force_login(sw)
    page = client.get(_url("section", assessment, "young_people")).content.decode()
    assert re.search(r'<textarea name="who_uses"[^>]*>\s*' + re.escape(WHO_USES), page)
    assert re.search(r'<textarea name="young_people_rating__evidence"[^>]*>\s*Safety', page)
    assert re.search(r'<input[^>]*value="amber"[^>]*checked', page)


def test_a_section_page_shows_the_answers_carried_forward(world, client):
    place = world.records["contexts.context"]["team"]
    Assessment.objects.filter(subject=place.subject).exclude(status="approved").update(
        status="approved", completed_on=date.today()
    )
    previous = world.records["cases.assessment"]["place_approved"]
    Assessment.objects.filter(pk=previous.pk).update(answers={"who_uses": {"value": WHO_USES}})
    sw = world.users["sw"]
    assessment = services.assessment_start(subject=place.subject, kind="place", by=sw)
    client.force_login(sw)
    page = client.get(_url("section", assessment, "young_people")).content.decode()
    assert "Carried forward" in page
    assert re.search(r'<textarea name="who_uses"[^>]*>\s*' + re.escape(WHO_USES), page)


def test_a_partners_pages_name_the_subject_by_its_reference_in_the_breadcrumbs(world, client):
    assessment = world.records["cases.assessment"]["school_other"]  # Test Academy's own
    place = world.records["contexts.context"]["other"]
    client.force_login(world.records["accounts.user"]["partner2"])
    for url in (_url("assessment", assessment), _url("section", assessment, "structures")):
        page = client.get(url).content.decode()
        links = re.findall(r'class="govuk-breadcrumbs__link" href="[^"]*">([^<]*)</a>', page)
        assert links[1] == place.subject.reference, url
        assert all(links), url
