"""A referral form sent twice at once (a double click) makes one referral: the second sending
waits for the first, on the lock of its one-time token's row, then shows the same referral."""

import threading
import time

import pytest
from django.db import connection, transaction

from cases import services
from cases.models import HarmCategory, Referral


@pytest.mark.django_db(transaction=True)
def test_two_sendings_of_one_form_at_once_make_one_referral(world):
    partner = world.users["partner"]
    cse, _ = HarmCategory.objects.get_or_create(slug="cse", defaults={"name": "CSE"})
    arguments = dict(
        form_token="double-click",
        referred_by=partner,
        young_people=[services.ReferredYoungPerson(name="Jay Example")],
        harm_categories=[cse],
        narrative="Seen at the station twice this week.",
        urgency="routine",
        referrer_name="PC Test",
        referrer_email="pc@police.example",
        consent="not_sought",
        lawful_basis="public_task",
        lawful_basis_detail="Asking would increase the risk.",
    )
    first_saving, results, errors = threading.Event(), {}, []

    def send(name, hold):
        try:
            with transaction.atomic():
                results[name] = services.referral_receive_once(**arguments)
                if hold:
                    first_saving.set()
                    time.sleep(1)  # the first request is still being saved
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            first_saving.set()
            connection.close()

    def send_again():
        assert first_saving.wait(10)
        send("second", hold=False)

    threads = [
        threading.Thread(target=send, args=("first", True)),
        threading.Thread(target=send_again),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    (first, first_replayed), (second, second_replayed) = results["first"], results["second"]
    assert (first_replayed, second_replayed) == (False, True)
    assert first == second
    assert Referral.objects.filter(narrative="Seen at the station twice this week.").count() == 1
