"""The demo borough's restricted records (safeguarding/demo/restrictions.py): each restricted
young person has its restriction (one overdue for review, one due this month, both the
Contextual Safeguarding Team's) and its register; tm.helen is the out-of-hours manager, with
one break-glass access last week and its audit row."""

import importlib
from datetime import date, timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from cases.models import BreakGlassAccess, HarmCategory, NamedStaff, Restriction, YoungPerson
from cases.restrictions import selectors
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User


@pytest.fixture
def borough(db, documents_storage):
    migration = importlib.import_module("cases.migrations.0003_harm_categories")
    for order, (slug, name) in enumerate(migration.HARM_CATEGORIES, start=1):
        HarmCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "display_order": order}
        )
    call_command("seed_borough", stdout=StringIO(), scale=0.05, assessments=False)


def test_the_demo_has_restrictions_to_review_and_a_break_glass(borough):
    restricted = YoungPerson.objects.filter(restricted=True)
    assert restricted.count() >= 2
    assert Restriction.objects.filter(lifted_at__isnull=True).count() == restricted.count()
    assert Restriction.objects.filter(review_on__lt=date.today()).exists()
    jordan = User.objects.get(username="tm.jordan")
    due = list(selectors.restrictions_due(jordan))
    assert len(due) == 2 and due[0].review_on < date.today() <= due[1].review_on
    for yp in restricted:
        bases = set(
            NamedStaff.objects.filter(young_person=yp, ended_at__isnull=True).values_list(
                "basis", flat=True
            )
        )
        assert bases == {"allocated", "manager"}

    helen = User.objects.get(username="tm.helen")
    assert helen.may_break_glass
    access = BreakGlassAccess.objects.get(user=helen)
    assert access.expires_at - access.started_at == timedelta(minutes=60)
    assert not visibility.can(helen, access.young_person)  # it has ended
    entry = LogEntry.objects.get(
        object_pk=str(access.young_person_id), additional_data__break_glass=True
    )
    assert entry.additional_data["reason"] == access.reason
    dpo = User.objects.get(username="dpo.olu")
    assert list(selectors.break_glass_for_officer(dpo)) == [access]
