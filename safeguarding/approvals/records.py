"""Approvals hang off the subject whose team decides them, declared once
(``safeguarding.subjects.registry``; registered by ``ApprovalsConfig.ready``): read through
that subject (``visibility.signed_off``), audited with the requester's note and the manager's
comments masked, and the notifications they send. No chronology and no panel: the target (an
assessment) keeps its own history and shows its own sign-off."""

from safeguarding.accounts import visibility
from safeguarding.subjects.registry import Audit, RecordType

RECORD_TYPES = (
    RecordType(
        label="approvals.Approval",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.signed_off),
        audit=Audit(
            personal={
                # what, reference and link name the target, never a person (the services'
                # callers promise it; notifications carry them).
                "what": False,
                "reference": False,
                "link": False,
                "note": True,
                "status": False,
                "comments": True,
            }
        ),
        notifications=("approval.requested", "approval.decided"),
    ),
)
