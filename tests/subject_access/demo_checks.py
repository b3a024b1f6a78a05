"""What the demo borough's subject access requests must be (``safeguarding/demo/
subject_access.py``), checked on a borough a seed test has already made
(``tests/accounts/test_seed.py``), so that no test seeds one more borough for them."""

import json
import re

from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.subject_access import output
from safeguarding.subject_access import redaction as r
from safeguarding.subject_access.models import SubjectAccessRequest


def check_demo_subject_access() -> None:
    """One request overdue, one extended with its reason, one compiled and reviewed whose
    bundle redacts the other young people of its records (none of their words in its JSON),
    one new: the demo officer's."""
    officer = User.objects.get(username="dpo.olu")
    requests = list(visibility.restrict(officer, SubjectAccessRequest, visibility.ACCOUNT))
    assert len(requests) == 4
    today = timezone.localdate()
    assert sum(sar.is_overdue(today) for sar in requests) == 1
    extended = [sar for sar in requests if sar.extended_due_on]
    assert len(extended) == 1 and extended[0].extension_reason
    assert {sar.status for sar in requests} == {"identity_checked", "reviewed", "received"}
    ready = next(sar for sar in requests if sar.status == "reviewed")
    bundle = ready.bundle
    assert len(bundle.items) > 3
    others = [x for x in bundle.redactions if x["reason"] == r.ANOTHER_YOUNG_PERSON]
    assert others, "the showcase young person's group and relationships name others"
    exported = output.bundle_json(bundle).decode()
    disclosed = [
        x["value"]
        for x in bundle.redactions
        if re.search(rf"(?<!\w){re.escape(x['value'])}(?!\w)", exported, re.IGNORECASE)
    ]
    assert not disclosed
    assert json.loads(exported)["redactions"]
