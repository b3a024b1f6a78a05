"""The plan pages as browsed: staff and partner views of a plan (a partner sees its own
responses and the measures it records, never the young people's names or the safety
details), the forms end to end, the subject pages' Plans panel with linked plans both ways,
and query counts that do not grow with what a plan holds."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Action, Goal, Measure, MeasureValue, Plan
from cases.plans import services

pytestmark = pytest.mark.world_per_module


def _today() -> date:
    """Today, asked when used (a module constant goes stale in a run that crosses midnight)."""
    return date.today()


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_staff_see_the_whole_plan_and_partners_their_part(world, client):
    plan = world.records["cases.plan"]["ctx"]
    own = world.records["cases.plan"]["own"]
    plan.linked_plans.add(own)
    Plan.objects.filter(pk=own.pk).update(trusted_adults="Auntie Zelda at the corner shop")
    client.force_login(world.users["sw"])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Test goal ctx" in page and "<svg" in page and "Test measure ctx_sw3" in page
    assert own.reference in page and "GivenOwn" in page  # the linked young person's plan
    client.force_login(world.users["partner"])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Test measure ctx" in page and "Test measure ctx_sw3" not in page
    assert reverse("plans:measure-value", args=[world.records["cases.measure"]["ctx"].pk]) in page
    assert "Test action agency" in page
    assert "GivenOwn" not in page and own.reference not in page and "Test team place" not in page
    assert client.get(own.get_absolute_url()).status_code == 404
    assert (
        client.get(
            reverse("plans:review", args=[world.records["cases.planreview"]["ctx"].pk])
        ).status_code
        == 404
    )


def test_a_partner_records_a_value_and_a_bad_one_keeps_what_was_typed(world, client):
    measure = world.records["cases.measure"]["ctx"]
    url = reverse("plans:measure-value", args=[measure.pk])
    client.force_login(world.users["partner"])
    bad = client.post(
        url, {"value": "-3", "note": "Counted on Friday", **_date("recorded_on", _today())}
    )
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Enter a whole number, 0 or more" in body and "Counted on Friday" in body
    ok = client.post(url, {"value": "2", "note": "", **_date("recorded_on", _today())})
    assert ok.status_code == 302
    assert MeasureValue.objects.get(measure=measure, recorded_on=_today()).value == 2
    client.force_login(world.users["sm"])  # reads, records nothing
    assert client.get(url).status_code == 404


def test_a_plan_from_start_to_end_through_the_forms(world, client):
    group = world.records["peers.peergroup"]["team"]
    sw, tm = world.users["sw"], world.users["tm"]
    client.force_login(sw)
    response = client.post(
        reverse("plans:start", args=[group.subject.reference]), {"source_assessment": "none"}
    )
    plan = Plan.objects.get(subject=group.subject)
    assert response["Location"] == plan.get_absolute_url()
    client.post(
        reverse("plans:goal-add", args=[plan.pk]),
        {"statement": "The group meets somewhere adults look out for it."},
    )
    goal = Goal.objects.get(plan=plan)
    p1 = world.records["accounts.organisation"]["p1"]
    response = client.post(
        reverse("plans:measure-add", args=[plan.pk, goal.pk]),
        {
            "name": "Evenings the group is seen at the youth club",
            "kind": "count",
            "direction": "higher",
            "baseline_value": "1",
            **_date("baseline_on", _today() - timedelta(days=7)),
            "target_value": "4",
            "recorder_kind": "organisation",
            "recorder_organisation": p1.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    response = client.post(
        reverse("plans:action-add", args=[plan.pk]),
        {
            "goal": goal.pk,
            "description": "Youth club outreach on Thursdays",
            **_date("due_on", _today() + timedelta(days=21)),
            "owner_kind": "organisation",
            "owner_organisation": p1.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Action.objects.get(plan=plan).goal == goal
    client.post(reverse("plans:activate", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "active"
    measure = Measure.objects.get(goal=goal)
    response = client.post(
        reverse("plans:review-add", args=[plan.pk]),
        {
            **_date("held_on", _today()),
            f"goal_{goal.pk}": "better",
            f"note_{goal.pk}": "Seen twice",
            f"value_{measure.pk}": "2",
            "changes": "",
            **_date("next_review_on", _today() + timedelta(days=60)),
        },
    )
    assert response.status_code == 302, response.content.decode()
    review_page = client.get(response["Location"]).content.decode()
    assert "<svg" in review_page and "Seen twice" in review_page
    client.post(reverse("plans:end", args=[plan.pk]), {"reason": "Safe at the club now"})
    plan.refresh_from_db()
    assert plan.status == "ending"
    assert client.get(reverse("plans:decision", args=[plan.pk])).status_code == 404  # asked
    client.force_login(tm)
    response = client.post(
        reverse("plans:decision", args=[plan.pk]), {"decision": "approve", "comments": ""}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "ended"


def test_the_subject_pages_show_plans_and_their_links_both_ways(world, client):
    ctx_plan, own = world.records["cases.plan"]["ctx"], world.records["cases.plan"]["own"]
    ctx_plan.linked_plans.add(own)
    client.force_login(world.users["sw"])
    place = client.get(world.records["contexts.context"]["team"].get_absolute_url())
    person = client.get(world.records["cases.youngperson"]["own"].get_absolute_url())
    assert own.reference in place.content.decode()
    assert ctx_plan.reference in person.content.decode()
    client.force_login(world.users["sw3"])  # sees neither plan
    assert (
        ctx_plan.reference
        not in client.get(
            world.records["cases.youngperson"]["other"].get_absolute_url()
        ).content.decode()
    )


def test_the_plan_page_costs_the_same_whatever_the_plan_holds(world, client):
    plan = world.records["cases.plan"]["ctx"]
    urls = [plan.get_absolute_url(), reverse("plans:review-add", args=[plan.pk])]
    p1 = world.records["accounts.organisation"]["p1"]

    def add(n):
        for i in range(n):
            goal = Goal.objects.create(plan=plan, statement=f"More {i}", position=10 + i)
            measure = Measure.objects.create(
                goal=goal,
                name=f"Measure {i}",
                kind="rating",
                direction="higher",
                baseline_value=2,
                baseline_on=_today() - timedelta(days=30),
                target_value=8,
                recorder_organisation=p1,
            )
            for d in range(3):
                MeasureValue.objects.create(
                    measure=measure, value=3 + d, recorded_on=_today() - timedelta(days=d)
                )
            services.plan_action_add(
                plan=plan,
                goal=goal,
                description=f"Response {i}",
                due_on=_today(),
                owner_organisation=p1,
                by=world.users["sw"],
            )

    for user in ("sw", "partner"):
        client.force_login(world.users[user])
        add(1)
        before = [_queries(client, url) for url in urls[: 1 if user == "partner" else 2]]
        add(4)
        after = [_queries(client, url) for url in urls[: 1 if user == "partner" else 2]]
        assert after == before, user


def test_my_work_lists_plans_due_for_review_and_a_partners_plan_work(world, client):
    own = world.records["cases.plan"]["own"]
    Plan.objects.filter(pk=own.pk).update(next_review_on=_today() - timedelta(days=1))
    client.force_login(world.users["sw"])
    page = client.get(reverse("home")).content.decode()
    assert "Plans due for review" in page and own.reference in page and "Overdue" in page
    client.force_login(world.users["partner"])
    page = client.get(reverse("home")).content.decode()
    measure = world.records["cases.measure"]["ctx"]
    assert "Test measure ctx" in page and "Test measure ctx_sw3" not in page
    assert reverse("plans:measure-value", args=[measure.pk]) in page
    assert world.records["cases.plan"]["ctx"].reference in page
    assert own.reference not in page


def test_places_with_a_plan_show_the_measures_trend_beside_the_concerns(
    world, client, django_assert_max_num_queries
):
    from cases.plans.selectors import measure_trends

    place = world.records["contexts.context"]["team"]
    other = world.records["contexts.context"]["other"]
    sm = world.users["sm"]
    measure_trends(sm, [other.subject_id])  # the rule reads the user's grants once
    with django_assert_max_num_queries(3):
        trends = measure_trends(sm, [place.subject_id, other.subject_id])
    # Both measures went from 5 to 3, lower being better; team two's place has no plan.
    assert set(trends) == {place.subject_id}
    assert {k: trends[place.subject_id][k] for k in ("better", "worse", "same")} == {
        "better": 2,
        "worse": 0,
        "same": 0,
    }
    client.force_login(world.users["sw"])
    page = client.get(place.get_absolute_url()).content.decode()
    assert "Is the place getting safer?" in page and "2 improving" in page
    client.force_login(world.users["sm"])
    assert client.get(reverse("contexts:hotspots")).status_code == 200


def test_a_places_concerns_trend_is_the_rules_read_from_the_audiences_not_concern_by_concern(
    world, django_assert_max_num_queries
):
    """The place page's "getting safer" panel counts the concerns at the place that the user
    may see in two windows: exactly what the concern rule gives, but read from the rule worked
    out ahead (``ConcernAudience``) so that a busy place's thousands of concerns are not each
    decided again (scale 100: 0.4 s for a place with 8,700 concerns)."""
    from django.utils import timezone

    from cases import audience
    from cases.models import Concern, ConcernSubject
    from cases.plans.selectors import TREND_DAYS, concerns_trend
    from safeguarding.accounts import visibility

    now = timezone.now()
    # One concern in the window before, one older than both windows; the rest this week.
    Concern.objects.filter(pk=world.records["cases.concern"]["place_only"].pk).update(
        occurred_at=now - timedelta(days=TREND_DAYS + 10)
    )
    Concern.objects.filter(pk=world.records["cases.concern"]["other"].pk).update(
        occurred_at=now - timedelta(days=3 * TREND_DAYS)
    )
    audience.rebuild()
    since, before = now - timedelta(days=TREND_DAYS), now - timedelta(days=2 * TREND_DAYS)
    seen_any = 0
    for user in world.users.values():
        for place in world.records["contexts.context"].values():
            rows = visibility.restrict(user, Concern).filter(
                involvements__subject=place.subject,
                involvements__part=ConcernSubject.Part.LOCATION,
                occurred_at__gte=before,
            )
            want = {
                "current": rows.filter(occurred_at__gte=since).count(),
                "previous": rows.filter(occurred_at__lt=since).count(),
                "days": TREND_DAYS,
            }
            concerns_trend(user, place.subject)  # the rule reads the user's grants once
            with django_assert_max_num_queries(2) as captured:
                got = concerns_trend(user, place.subject)
            assert got == want, (user.username, place.name)
            assert not any('FROM "cases_concern"' in q["sql"] for q in captured.captured_queries)
            seen_any += got["current"] + got["previous"]
    assert seen_any  # the world has concerns at its places, in both windows for someone


def test_a_young_persons_plan_holds_safe_places_trusted_adults_and_places_to_avoid(world, client):
    own = world.records["cases.plan"]["own"]
    park = world.records["contexts.context"]["team"]
    client.force_login(world.users["sw"])
    url = reverse("plans:safety", args=[own.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "safe_places": "The library; Nan's flat",
            "trusted_adults": "Ms Okafor, the school's learning mentor",
            "if_unsafe": "Text the mentor, go into the library",
            "places_to_avoid": "The underpass after dark",
            "places_to_avoid_links": [park.pk],
        },
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.trusted_adults == "Ms Okafor, the school's learning mentor"
    assert list(own.places_to_avoid_links.all()) == [park]
    page = client.get(own.get_absolute_url()).content.decode()
    assert "The underpass after dark" in page and park.name in page
    # A context plan holds none of this.
    ctx_plan = world.records["cases.plan"]["ctx"]
    assert client.get(reverse("plans:safety", args=[ctx_plan.pk])).status_code == 404
