"""The benchmark's own parts (``make bench``): what it asks for stays what the pages answer.

The benchmark measures time; these tests do not. They check that every page and request of its
list works on a small demo borough as the benchmark will ask for it (so ``make bench`` cannot
rot as pages change), that it counts queries, and how it summarises timings.
"""

import importlib

import pytest
from django.core.management import call_command

from cases.models import BoroughFigures, ConcernAudience, HarmCategory
from safeguarding.bench import pages as bench_pages
from safeguarding.bench.load import Timings


@pytest.fixture
def small_borough(db, documents_storage):
    migration = importlib.import_module("cases.migrations.0003_harm_categories")
    for order, (slug, name) in enumerate(migration.HARM_CATEGORIES, start=1):
        HarmCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "display_order": order}
        )
    call_command("seed_borough", scale=0.3, concerns_per_young_person=5, stdout=None)


def test_every_page_of_the_benchmark_answers_as_it_expects(small_borough, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # no in-process schedule inside the counts
    targets = bench_pages.find_targets()
    token = bench_pages.issue_api_token()
    pages = bench_pages.build_pages(targets, token)
    names = [p.name for p in pages]
    for wanted in (
        "My work",
        "Young person",
        "Busiest place",
        "Peer group",
        "Log a concern",
        "My work (partner)",
        "Make a referral (form)",
        "Update an action (partner, form)",
        'Search "Smith"',
        "Team caseload",
        "Warning notes",
        "Front door",
        "Hotspots",
        "Themes",
        "Delivery log",
        "Access log (young person)",
        "Access log (social worker)",
        "Unusual access (7 days)",
        "POST a concern",
        "POST a referral (web form)",
        "API: GET referrals",
        "API: POST a referral",
        "An assessment being written",
        "An assessment's section (form)",
        "An assessment's evidence pack (form)",
        "An approved assessment, printed",
        "Start an assessment (form",
        "Assessments: what each is for",
        "My work (a school's safeguarding lead)",
        "My work (team manager, sign-offs waiting)",
    ):
        assert any(name.startswith(wanted) for name in names), wanted
    bench_pages.count_queries(pages, statement_timeout_seconds=60)
    problems = {p.name: p.queries for p in pages if not isinstance(p.queries, int)}
    assert not problems, problems


def test_the_seeded_borough_has_its_audiences_and_figures_worked_out(small_borough):
    """Seeding writes in bulk (no signals) and works the audiences out in one statement: what
    the busiest places' pages read from them is what the rule gives, for every staff role."""
    from django.db.models import Count

    from cases.models import Concern
    from contexts.models import Context
    from safeguarding.accounts import visibility
    from safeguarding.accounts.models import User

    assert ConcernAudience.objects.exists()
    assert BoroughFigures.objects.filter(as_of__isnull=False).exists()
    places = Context.objects.annotate(n=Count("subject__concern_involvements")).order_by("-n")[:3]
    for username in ("sw.amara", "tm.jordan", "sw.ella", "sm.priya", "admin.grace"):
        user = User.objects.get(username=username)
        for place in places:
            rule = visibility.restrict(user, Concern).filter(involvements__subject=place.subject)
            read = visibility.concerns_about(user, place.subject)
            assert read.concern_ids() == set(rule.values_list("pk", flat=True)), username


def test_timings_report_nearest_rank_percentiles():
    timings = Timings(seconds=[float(n) for n in range(1, 101)])
    assert timings.p95 == 95.0
    assert timings.p50 == 50.5
    assert timings.max == 100.0
    assert Timings().p95 is None
