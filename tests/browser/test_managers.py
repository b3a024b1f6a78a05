"""Managers' journeys in a real browser: allocation, a transfer between teams, and the front
door triaging a partner's referral to a context assessment."""

import pytest

from cases import tasks
from cases.models import HarmCategory, Referral, ReferralSubject
from contexts.models import Context

from ..conftest import make_user
from ..factories import YoungPersonFactory
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch_user(browsing, context, user):
    context.clear_cookies()
    sign_in(context, browsing.base_url, user)


def test_manager_allocates_and_only_that_worker_can_open_it(world, signed_in, context):
    tm, sw, sw3 = world.users["tm"], world.users["sw"], world.users["sw3"]
    waiting = YoungPersonFactory(  # waiting in the team's queue
        authority=world.records["accounts.organisation"]["la"],
        given_name="Oluwaseun",
        family_name="Waiting",
        case__team=tm.team,
        case__opened_by=tm,
    )
    browsing = signed_in(tm)
    page = browsing.page
    browsing.visit("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Team caseload").click()
    browsing.check_a11y()
    row = page.locator("tr", has_text="Oluwaseun Waiting")
    with page.expect_navigation():
        row.get_by_role("link", name="Allocate").click()
    browsing.check_a11y()
    page.get_by_label("Allocate to").select_option(label=str(sw))
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()
    assert (
        f"{waiting.reference} allocated to {sw}"
        in page.locator(".govuk-notification-banner--success").inner_text()
    )

    _switch_user(browsing, context, sw)
    browsing.visit(f"/young-people/{waiting.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Oluwaseun Waiting"
    assert "Allocated to" in page.locator(".moj-timeline, .app-timeline, main").first.inner_text()

    _switch_user(browsing, context, sw3)
    browsing.visit(f"/young-people/{waiting.pk}/", status=404)


def test_transfer_to_another_team_is_accepted(world, signed_in, context):
    tm, sw3 = world.users["tm"], world.users["sw3"]
    la, t2 = world.records["accounts.organisation"]["la"], world.records["accounts.team"]["t2"]
    tm2 = make_user("tm2", "team_manager", la, t2)
    own = world.records["cases.youngperson"]["own"]
    case = world.records["cases.case"]["own"]
    case.transfer_requests.all().delete()  # the world's own pending offer

    browsing = signed_in(tm)
    page = browsing.page
    browsing.visit(f"/team/workers/{world.users['sw'].pk}/")
    row = page.locator("tr", has_text=own.full_name)
    with page.expect_navigation():
        row.get_by_role("link", name="Transfer").click()
    browsing.check_a11y()
    page.get_by_label("Transfer to").select_option(label="Team Two")
    page.get_by_label("Why should the case move?").fill("The family has moved south.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    browsing.check_a11y()

    _switch_user(browsing, context, tm2)
    browsing.visit("/team/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"{own.reference} from Team One").click()
    browsing.check_a11y()
    page.get_by_label("Accept the transfer").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    browsing.check_a11y()
    assert own.reference in page.locator("table", has_text="Waiting since").inner_text()

    _switch_user(browsing, context, sw3)
    browsing.visit(f"/young-people/{own.pk}/")
    assert "Team Two" in page.locator("main").inner_text()
    _switch_user(browsing, context, world.users["sw"])
    browsing.visit(f"/young-people/{own.pk}/", status=404)


def test_partner_referral_triaged_to_a_context_assessment(world, signed_in):
    la, p1 = (
        world.records["accounts.organisation"]["la"],
        world.records["accounts.organisation"]["p1"],
    )
    referral = Referral.objects.create(
        authority=la,
        source_organisation=p1,
        referred_by=world.users["partner"],
        referrer_name="PC Partner",
        narrative="Older males seen giving phones to pupils outside the takeaway.",
        consent=Referral.Consent.NOT_SOUGHT,
        lawful_basis=Referral.LawfulBasis.PUBLIC_TASK,
    )
    referral.harm_categories.add(HarmCategory.objects.get(slug="cce"))
    place = ReferralSubject.objects.create(
        referral=referral,
        kind="context",
        described_name="Golden Fry, Station Parade",
        described_place_kind="shop",
    )
    browsing = signed_in(world.users["tm"])
    page = browsing.page
    browsing.visit("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Front door").click()
    browsing.check_a11y()
    with page.expect_navigation():
        page.get_by_role("link", name=referral.reference).click()
    browsing.check_a11y()
    page.get_by_label("Context assessment").check()
    page.get_by_label("Reason for the decision").fill("Second report about this takeaway.")
    page.get_by_label("Create a new record for “Golden Fry, Station Parade”").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    browsing.check_a11y()
    assert "Context assessment" in page.locator(".govuk-notification-banner--success").inner_text()

    shop = Context.objects.get(name="Golden Fry, Station Parade")
    place.refresh_from_db()
    assert place.subject_id == shop.subject_id
    browsing.visit(f"/contexts/{shop.pk}/")
    chronology = page.locator("main").inner_text()
    assert "Referral from Test Police: Context assessment" in chronology


def test_front_door_pages_navigate_with_moj_pagination(world, signed_in, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from cases.views import TriageQueueView

    monkeypatch.setattr(TriageQueueView, "paginate_by", 2)  # the live server runs in-process
    la, p1 = (
        world.records["accounts.organisation"]["la"],
        world.records["accounts.organisation"]["p1"],
    )
    start = timezone.now() - timedelta(days=400)  # older than the world's: first in the queue
    for i in range(5):
        Referral.objects.create(
            authority=la,
            source_organisation=p1,
            referrer_name="PC Paging",
            narrative=f"Paging {i}",
            consent=Referral.Consent.NOT_SOUGHT,
            lawful_basis=Referral.LawfulBasis.PUBLIC_TASK,
            received_at=start + timedelta(hours=i),
        )
    waiting = list(
        Referral.objects.filter(status__in=["received", "screening"])
        .order_by("received_at", "pk")
        .values_list("reference", flat=True)
    )
    last = (len(waiting) + 1) // 2

    def shown() -> list[str]:
        return page.locator("table tbody tr td:first-child a").all_inner_texts()

    browsing = signed_in(world.users["tm"])
    page = browsing.page
    browsing.visit("/front-door/")
    nav = page.get_by_role("navigation", name="Pagination")
    assert shown() == waiting[:2]
    assert nav.locator("[aria-current=page]").inner_text() == "1"
    results = page.locator(".moj-pagination__results")
    assert results.inner_text() == f"Showing 1 to 2 of {len(waiting)} referrals"

    with page.expect_navigation():
        nav.get_by_role("link", name="Next page").click()
    browsing.check_a11y()
    assert browsing.path() == "/front-door/?page=2"
    assert shown() == waiting[2:4]
    assert nav.locator("[aria-current=page]").inner_text() == "2"

    with page.expect_navigation():
        nav.get_by_role("link", name=f"Page {last}").click()
    browsing.check_a11y()
    assert shown() == waiting[(last - 1) * 2 :]
    assert nav.get_by_role("link", name="Next page").count() == 0

    with page.expect_navigation():
        nav.get_by_role("link", name="Previous page").click()
    browsing.check_a11y()
    assert browsing.path() == f"/front-door/?page={last - 1}"
    # A page that has gone (referrals decided meanwhile) is the last page, not an error.
    browsing.visit("/front-door/?page=99")
    assert shown() == waiting[(last - 1) * 2 :]


def test_team_caseload_pages_its_two_lists_apart(world, signed_in, monkeypatch):
    from cases.views import TeamCaseloadView

    monkeypatch.setattr(TeamCaseloadView, "workers_per_page", 2)
    monkeypatch.setattr(TeamCaseloadView, "unallocated_per_page", 1)
    tm = world.users["tm"]
    YoungPersonFactory(  # waiting in the team's queue
        authority=world.records["accounts.organisation"]["la"],
        given_name="Second",
        family_name="Waiting",
        case__team=tm.team,
        case__opened_by=tm,
    )
    browsing = signed_in(tm)
    page = browsing.page
    browsing.visit("/team/?workers_page=2")
    workers = page.get_by_role("navigation", name="Pages of workers")
    queue = page.get_by_role("navigation", name="Pages of work waiting for allocation")
    assert workers.locator("[aria-current=page]").inner_text() == "2"
    assert "Test team place" in page.locator("table", has_text="Waiting since").inner_text()

    with page.expect_navigation():
        queue.get_by_role("link", name="Next page").click()
    browsing.check_a11y()
    # The queue moved on; the workers stayed on their page; the link landed on the queue.
    assert browsing.path() == "/team/?workers_page=2&page=2"
    assert page.url.endswith("#waiting")
    assert "Second Waiting" in page.locator("table", has_text="Waiting since").inner_text()
    assert workers.locator("[aria-current=page]").inner_text() == "2"


def test_senior_manager_sees_hotspots_chart_and_themes(world, signed_in):
    browsing = signed_in(world.users["sm"])
    page = browsing.page
    browsing.visit("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Hotspots").click()
    browsing.check_a11y()
    # Until beat has counted the borough once, the page says so rather than showing nothing.
    assert "being counted for the first time" in page.locator("#figures-freshness").inner_text()
    tasks.refresh_borough_figures()  # what beat does every BOROUGH_FIGURES_REFRESH_SECONDS
    browsing.visit("/hotspots/")
    browsing.check_a11y()
    assert "Figures as of" in page.locator("#figures-freshness").inner_text()
    page.wait_for_function("document.getElementById('hotspot-chart').dataset.ready === 'true'")
    assert page.locator("#hotspot-chart").is_visible()
    assert "Test team place" in page.locator("table").first.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Themes").click()
    browsing.check_a11y()
    assert "Referrals by source agency" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “concerns by harm” as CSV").click()
    assert download.value.suggested_filename == "concerns-by-harm.csv"
