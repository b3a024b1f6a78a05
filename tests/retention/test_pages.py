"""The retention pages: who may open them (the authority's data protection officer only;
another authority's officer and every other role a 404), the schedule edited (with errors
kept on the form, the change audited with its reason), legal holds, extending a review."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from safeguarding.errors import ApplicationError
from safeguarding.retention import disposal, services
from safeguarding.retention.models import (
    LegalHold,
    RecordType,
    RetentionReview,
    RetentionRule,
    RetentionRuleChange,
)
from safeguarding.retention.schedule import rules_for

from .helpers import old_young_person, review_of

pytestmark = pytest.mark.world_per_module


def _org(world, name):
    return world.records["accounts.organisation"][name]


def _user(world, name):
    return world.records["accounts.user"][name]


@pytest.fixture
def setup(world):
    la = _org(world, "la")
    person = old_young_person(la)
    review = review_of(person)
    rule = review.rule
    hold_person = old_young_person(la, given="Held")
    hold = services.hold_place(
        user=_user(world, "dpo"), reference=hold_person.reference, reason="A claim is pending"
    )
    return {"review": review, "rule": rule, "hold": hold, "person": person}


def _pages(setup):
    review, rule, hold = setup["review"], setup["rule"], setup["hold"]
    return [
        ("get", reverse("retention:schedule")),
        ("get", reverse("retention:rule-change", args=[rule.pk])),
        ("get", reverse("retention:due")),
        ("get", reverse("retention:review", args=[review.pk])),
        ("get", reverse("retention:holds")),
        ("get", reverse("retention:hold-lift", args=[hold.pk])),
        ("get", reverse("retention:disposed")),
        ("post", reverse("retention:dispose", args=[review.pk])),
    ]


@pytest.mark.parametrize(
    "name", ["sw", "sw2", "sw3", "tm", "sm", "partner", "admin", "partner2", "la2_sw", "la2_dpo"]
)
def test_nobody_but_the_authoritys_officer_opens_a_page(world, client, setup, name):
    client.force_login(_user(world, name))
    pages = _pages(setup)
    if name == "la2_dpo":  # their own lists open; la's records are a 404
        pages = [page for page in pages if "/rules/" in page[1] or "/reviews/" in page[1]]
        pages += [p for p in _pages(setup) if "/lift/" in p[1]]
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 404, (name, url)
    # Nothing was disposed of by the POST.
    assert RetentionReview.objects.get(pk=setup["review"].pk).status == "due"


def test_the_officer_opens_every_page(world, client, setup):
    client.force_login(_user(world, "dpo"))
    for _method, url in _pages(setup)[:-1]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("retention:due")).content.decode()
    assert setup["review"].reference in page
    assert setup["person"].given_name not in page  # references, not names
    home = client.get(reverse("dataprotection:home")).content.decode()
    assert reverse("retention:schedule") in home


def test_the_due_list_costs_the_same_whatever_its_length(
    world, client, django_assert_max_num_queries
):
    la = _org(world, "la")
    review_of(old_young_person(la))
    client.force_login(_user(world, "dpo"))
    client.get(reverse("retention:due"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("retention:due"))
    for n in range(15):
        review_of(old_young_person(la, given=f"More{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("retention:due")).status_code == 200


def test_another_authoritys_officer_sees_nothing_of_la(world, client, setup):
    la2_dpo = _user(world, "la2_dpo")
    client.force_login(la2_dpo)
    assert client.get(reverse("retention:schedule")).status_code == 200
    assert setup["review"].reference not in client.get(reverse("retention:due")).content.decode()
    assert setup["hold"].reference not in client.get(reverse("retention:holds")).content.decode()
    with pytest.raises(ApplicationError):
        services.hold_place(user=la2_dpo, reference=setup["person"].reference, reason="x" * 20)


def test_the_schedule_starts_from_the_settings(world, settings):
    rules = {r.record_type: r for r in rules_for(_org(world, "la"))}
    assert set(rules) == set(RecordType.values)
    years, months, starts_from, action = settings.RETENTION_DEFAULTS["young_person_protection"]
    rule = rules["young_person_protection"]
    assert (rule.years, rule.months, rule.starts_from, rule.action) == (
        years,
        months,
        starts_from,
        action,
    )
    assert rule.years == 35


def test_a_rule_changed_with_errors_kept_then_saved_and_audited(world, client, setup):
    client.force_login(_user(world, "dpo"))
    rule = rules_for(_org(world, "la"))[-2]  # peer groups
    assert rule.record_type == RecordType.PEER_GROUP
    url = reverse("retention:rule-change", args=[rule.pk])
    bad = {
        "years": "0",
        "months": "0",
        "starts_from": "eighteenth_birthday",
        "action": "delete",
        "reason": "short",
    }
    response = client.post(url, bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a period longer than nothing." in page
    assert "Only a young person has an 18th birthday." in page
    assert "at least 10 characters" in page
    assert "short</textarea>" in page  # what was typed stays
    assert not RetentionRuleChange.objects.filter(rule=rule).exists()
    response = client.post(url, {**bad, "months": "13"})
    assert "Enter a whole number of months from 0 to 11." in response.content.decode()

    good = {
        "years": "3",
        "months": "6",
        "starts_from": "last_activity",
        "action": "anonymise",
        "reason": "The panel agreed a shorter period",
    }
    assert client.post(url, good).status_code == 302
    rule.refresh_from_db()
    assert (rule.years, rule.months, rule.action) == (3, 6, "anonymise")
    change = RetentionRuleChange.objects.get(rule=rule)
    assert change.changed_by == _user(world, "dpo")
    assert change.reason == "The panel agreed a shorter period"
    assert change.before.startswith("7 years") and change.after.startswith("3 years and 6")
    # The other authority's officer cannot open or change it.
    client.force_login(_user(world, "la2_dpo"))
    assert client.post(url, good).status_code == 404


def test_a_legal_hold_blocks_disposal_until_lifted(world, client, setup):
    dpo = _user(world, "dpo")
    person = setup["person"]
    review = setup["review"]
    client.force_login(dpo)
    response = client.post(
        reverse("retention:holds"), {"reference": person.reference, "reason": "An inquiry asked"}
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get(record_key=review.record_key, lifted_at__isnull=True)
    assert hold.placed_by == dpo and hold.reason == "An inquiry asked"
    # Off the due list at once; a review made again is refused disposal.
    assert not RetentionReview.objects.filter(pk=review.pk).exists()
    review = review_of(person)
    with pytest.raises(ApplicationError, match="legal hold"):
        disposal.dispose(user=dpo, review=review)
    response = client.post(reverse("retention:dispose", args=[review.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.given_name == "Old"
    # A second hold on the same record: an error on the reference.
    response = client.post(
        reverse("retention:holds"), {"reference": person.reference, "reason": "Another reason"}
    )
    assert "under a legal hold already" in response.content.decode()
    # Lifted, with a reason: disposal goes ahead.
    response = client.post(reverse("retention:hold-lift", args=[hold.pk]), {"reason": "short"})
    assert "at least 10 characters" in response.content.decode()
    client.post(
        reverse("retention:hold-lift", args=[hold.pk]), {"reason": "The inquiry has reported"}
    )
    hold.refresh_from_db()
    assert hold.lifted_by == dpo and hold.lifted_at and not hold.in_force
    response = client.post(reverse("retention:dispose", args=[review.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.given_name == "Disposed of"
    disposed = client.get(reverse("retention:disposed")).content.decode()
    assert person.reference in disposed


def test_a_hold_needs_a_known_reference_and_a_reason(world, client):
    client.force_login(_user(world, "dpo"))
    response = client.post(reverse("retention:holds"), {"reference": "YP-NOTHING00", "reason": ""})
    page = response.content.decode()
    assert "No record of your authority has that reference." in page or "Say why" in page
    assert not LegalHold.objects.exists()


def test_extend_a_review(world, client, setup):
    client.force_login(_user(world, "dpo"))
    review = setup["review"]
    url = reverse("retention:review", args=[review.pk])
    response = client.post(
        url, {"until_day": "1", "until_month": "1", "until_year": "2020", "reason": "Still needed"}
    )
    assert "The next review must be after today." in response.content.decode()
    until = date.today() + timedelta(days=400)
    response = client.post(
        url,
        {
            "until_day": str(until.day),
            "until_month": str(until.month),
            "until_year": str(until.year),
            "reason": "Court proceedings are expected",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "extended" and review.extended_to == until
    assert review.extend_reason == "Court proceedings are expected"
    assert review.extended_by == _user(world, "dpo")
    extended = client.get(reverse("retention:due") + "?status=extended").content.decode()
    assert review.reference in extended
    assert review.reference not in client.get(reverse("retention:due")).content.decode()


def test_rules_of_another_authority_are_not_the_officers(world):
    la2_rules = rules_for(_org(world, "la2"))
    rules_for(_org(world, "la"))
    dpo = _user(world, "dpo")
    from safeguarding.accounts import visibility

    seen = visibility.restrict(dpo, RetentionRule, visibility.ACCOUNT)
    assert not seen.filter(pk__in=[r.pk for r in la2_rules]).exists()
    assert seen.count() == len(RecordType.values)
