"""The demo borough has records due for review on its officer's list, and a legal hold."""

from io import StringIO

import pytest
from django.core.management import call_command

from safeguarding.accounts.models import Organisation
from safeguarding.demo import data
from safeguarding.retention.models import LegalHold, RecordType, RetentionReview


@pytest.fixture(autouse=True)
def _documents_in_a_temporary_directory(documents_storage):
    """The demo's documents are kept through the documents storage: here, a temporary one."""


def test_the_demo_has_records_due_and_a_hold(db):
    call_command("seed_borough", scale=0.1, assessments=False, stdout=StringIO())
    la = Organisation.objects.get(name=data.AUTHORITY_NAME)
    due = RetentionReview.objects.filter(authority=la, status="due")
    types = set(due.values_list("record_type", flat=True))
    assert RecordType.NFA_REFERRAL in types
    assert RecordType.YOUNG_PERSON in types
    hold = LegalHold.objects.get(authority=la)
    assert hold.placed_by.username == "dpo.olu" and hold.in_force
    assert hold.record_type == RecordType.NFA_REFERRAL
    assert not due.filter(record_key=hold.record_key).exists()
