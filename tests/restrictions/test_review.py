"""Reviewing restrictions (cases/restrictions/services.py): each has a review date (by default
RESTRICTION_REVIEW_MONTHS ahead); a manager of the holding team keeps it with a new date or
lifts it, with a reason; the managers' list and the data protection officer's list show those
due, by reference."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases.models import NamedStaff, Restriction
from cases.plans.services import add_months
from cases.restrictions import services
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, RecordNotFound

from .conftest import named

pytestmark = pytest.mark.world_per_module


def _restricted(world, review_on=None):
    yp = world.records["cases.youngperson"]["team"]
    restriction = services.restriction_start(
        young_person=yp, by=world.users["tm"], reason="A relative works in the council"
    )
    if review_on is not None:
        Restriction.objects.filter(pk=restriction.pk).update(review_on=review_on)
    yp.refresh_from_db()
    return yp


def test_the_review_date_defaults_to_the_setting(world, settings):
    settings.RESTRICTION_REVIEW_MONTHS = 3
    yp = _restricted(world)
    assert Restriction.objects.get(young_person=yp).review_on == add_months(date.today(), 3)


def test_a_review_date_in_the_past_is_refused(world):
    yp = world.records["cases.youngperson"]["team"]
    with pytest.raises(ApplicationError) as error:
        services.restriction_start(
            young_person=yp,
            by=world.users["tm"],
            reason="Why",
            review_on=date.today() - timedelta(days=1),
        )
    assert "review_on" in error.value.message_dict
    assert not Restriction.objects.filter(young_person=yp).exists()


def test_keeping_sets_the_next_review_and_lifting_unnames(world):
    yp = _restricted(world)
    tm = world.users["tm"]
    later = date.today() + timedelta(days=100)
    services.restriction_review(
        young_person=yp, by=tm, decision="keep", reason="Still needed", review_on=later
    )
    assert Restriction.objects.get(young_person=yp, lifted_at__isnull=True).review_on == later
    assert LogEntry.objects.filter(
        object_pk=str(yp.pk), additional_data__restriction="kept", actor=tm
    ).exists()

    services.restriction_review(young_person=yp, by=tm, decision="lift", reason="Relative left")
    yp.refresh_from_db()
    assert not yp.restricted and yp.restricted_reason == ""
    restriction = Restriction.objects.get(young_person=yp)
    assert restriction.lifted_at and restriction.lift_reason == "Relative left"
    # The team reads it again; the manager's automatic naming ended, the worker's stays.
    assert visibility.can(world.users["sw"], yp)
    assert not named(yp, tm) and named(yp, world.users["sw2"])
    assert set(
        NamedStaff.objects.filter(young_person=yp, ended_at__isnull=True).values_list(
            "basis", flat=True
        )
    ) == {"allocated"}


def test_only_a_manager_of_the_holding_team_reviews(world, tm_b):
    yp = _restricted(world)
    dpo = world.records["accounts.user"]["dpo"]
    for who in (world.users["sw2"], world.users["sm"], tm_b, dpo):
        with pytest.raises(RecordNotFound):
            services.restriction_review(young_person=yp, by=who, decision="lift", reason="x")


def test_a_record_restricted_before_the_register_is_reviewed_into_it(world, reviewed):
    restriction = Restriction.objects.get(young_person=reviewed, lifted_at__isnull=True)
    assert restriction.review_on > date.today()
    assert named(reviewed, world.users["tm"])


def test_the_managers_list_shows_those_due_by_reference(
    world, client, django_assert_max_num_queries
):
    yp = _restricted(world, review_on=date.today() - timedelta(days=2))
    client.force_login(world.users["tm"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("cases:restrictions"))
    text = response.content.decode()
    assert yp.subject.reference in text and "Overdue" in text
    assert yp.given_name not in text
    assert reverse("cases:restriction-review", args=[yp.pk]) in text
    client.force_login(world.users["sw"])
    assert client.get(reverse("cases:restrictions")).status_code == 404

    review = reverse("cases:restriction-review", args=[yp.pk])
    client.force_login(world.users["tm"])
    response = client.post(review, {"decision": "keep", "reason": ""})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    response = client.post(review, {"decision": "keep", "reason": "Still needed"})
    assert response.status_code == 302
    assert not list(client.get(reverse("cases:restrictions")).context["due"].object_list)


def test_the_data_protection_officer_sees_the_authoritys_due_restrictions(world, client):
    yp = _restricted(world, review_on=date.today() + timedelta(days=3))
    client.force_login(world.records["accounts.user"]["dpo"])
    home = client.get(reverse("dataprotection:home")).content.decode()
    assert reverse("cases:restrictions-account") in home
    text = client.get(reverse("cases:restrictions-account")).content.decode()
    assert yp.subject.reference in text and yp.given_name not in text
    # ACCOUNT gives no casework: the record itself stays closed to the officer.
    assert client.get(reverse("cases:young-person", args=[yp.pk])).status_code == 404

    client.force_login(world.records["accounts.user"]["la2_dpo"])
    assert yp.subject.reference not in (
        client.get(reverse("cases:restrictions-account")).content.decode()
    )
    client.force_login(world.users["tm"])
    assert client.get(reverse("cases:restrictions-account")).status_code == 404
