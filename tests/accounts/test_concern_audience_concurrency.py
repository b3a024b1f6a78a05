"""Who may see a concern stays right when two transactions change what it depends on at once.

A concern is logged about a young person while, in another transaction, that young person's
case moves to another team. Each transaction works out the concern's audience from what it can
see; without serialising them, the first to commit would leave the table stale (PostgreSQL:
``cases.audience`` takes an advisory lock for each rewrite).
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cases import services
from cases.models import Case, Concern, ConcernSubject, HarmCategory
from tests.accounts.test_concern_audience import _differences


@pytest.mark.django_db(transaction=True)
def test_a_concern_logged_while_its_young_person_moves_team(world):
    person = world.records["cases.youngperson"]["team"]  # team one's
    place = world.records["contexts.context"]["other"]  # a place team two works with
    case = world.records["cases.case"]["team"]
    to_team = world.records["accounts.team"]["t2"]
    cse, _ = HarmCategory.objects.get_or_create(slug="cse", defaults={"name": "CSE"})
    logged, errors = threading.Event(), []

    def log_a_concern():
        try:
            with transaction.atomic():
                concern = Concern.objects.create(
                    authority=world.records["accounts.organisation"]["la"],
                    occurred_at=timezone.now() - timedelta(hours=1),
                    narrative="Seen at the park with an older male",
                    source="police",
                    reliability="reliable",
                    logged_by=world.users["sw3"],
                )
                concern.harm_categories.add(cse)
                for subject, part in ((person.subject, "harmed"), (place.subject, "location")):
                    ConcernSubject.objects.create(concern=concern, subject=subject, part=part)
                logged.set()
                time.sleep(1)  # still open while the transfer runs
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            logged.set()
            connection.close()

    def transfer():
        try:
            assert logged.wait(10)
            services.case_transfer(
                case=Case.objects.get(pk=case.pk),
                to_team=to_team,
                transferred_by=None,
                reason="Moved nearer home",
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=log_a_concern), threading.Thread(target=transfer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    problems = _differences(world)
    assert not problems, "\n".join(problems)
