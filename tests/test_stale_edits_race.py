"""Two saves of the same record at the same moment (issue 13, lost updates): the version is
compared under the row lock, so the second save waits for the first to commit, then finds the
record changed and is refused. Outside a test transaction (two real connections), so apart
from tests/test_stale_edits.py, whose world is built once per module."""

import threading
import time

import pytest
from django.db import connection, transaction

from contexts.models import Context
from contexts.services import CONTEXT_FIELDS, context_update
from safeguarding import versions


@pytest.mark.django_db(transaction=True)
def test_the_second_of_two_simultaneous_saves_waits_for_the_lock_and_is_refused(world):
    place = world.records["contexts.context"]["team"]
    sw, sw2 = world.users["sw"], world.users["sw2"]
    read = versions.version(place, CONTEXT_FIELDS)  # both opened the form now
    fields = {name: getattr(place, name) for name in CONTEXT_FIELDS}
    first_saved, commit, outcome = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():  # saved, and the row still locked until commit
                context_update(place, by=sw2, changes={**fields, "name": "First"}, version=read)
                first_saved.set()
                commit.wait(10)
        finally:
            connection.close()

    def second():
        try:
            context_update(place, by=sw, changes={**fields, "name": "Second"}, version=read)
            outcome["saved"] = True
        except versions.StaleRecord as stale:
            outcome["stale"] = stale
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_saved.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)
    assert two.is_alive(), "the second save did not wait for the row lock"
    commit.set()
    one.join(10)
    two.join(10)

    assert "saved" not in outcome
    assert outcome["stale"].changed == ["name"]
    assert Context.objects.get(pk=place.pk).name == "First"
