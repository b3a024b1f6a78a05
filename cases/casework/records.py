"""What casework hangs off a subject, declared once (``safeguarding.subjects.registry``;
registered by ``cases.apps.CasesConfig.ready``): cases and their allocations on the young
person's page and in every chronology, and actions on every subject page."""

from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import Audit, Chronology, EntryText, Panel, RecordType

from .models import Action, Allocation, Case

ALL_SUBJECTS = (Subject.Kind.YOUNG_PERSON, Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP)


def cases(page) -> dict:
    about = visibility.about(page.user, Case, page.access)
    return {"cases": about.select_related("team", "allocated_worker")}


def actions(page) -> dict:
    """What must be done about the subject: open actions first, soonest due first."""
    about = visibility.about(page.user, Action, page.access).select_related(
        "owner_user", "owner_organisation"
    )
    return {
        "actions": sorted(
            about, key=lambda a: (a.status not in Action.OPEN_STATUSES, a.due_on, a.pk)
        ),
        "today": timezone.localdate(),
    }


def allocation_entry(allocation, read) -> EntryText:
    worker, team = read("worker"), read("team")
    return EntryText(
        title=(f"Allocated to {worker}" if worker else "Waiting for allocation")
        + (f" ({team})" if team else ""),
        detail=read("reason"),
        by=str(read("allocated_by") or ""),
    )


RECORD_TYPES = (
    RecordType(
        label="cases.Case",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.case_work),
        panels=(
            Panel("cases/panels/cases.html", cases, kinds=(Subject.Kind.YOUNG_PERSON,), order=10),
        ),
        audit=Audit(
            personal={
                "status": False,
                "risk": False,
                "next_review_due": False,
                "closure_reason": True,
            }
        ),
        notifications=(
            "work.transfer_requested",
            "work.transfer_decided",
            "work.transfer_withdrawn",
            "work.transferred",
        ),
    ),
    RecordType(
        label="cases.Allocation",
        subject_paths=("case__subject",),
        visibility=visibility.through_subject(visibility.case_work, prefix="case__"),
        chronology=Chronology(
            kind="allocation",
            label="Allocations",
            rows=lambda user, access: visibility.about(user, Allocation, access),
            date_field="started_at",
            entry=allocation_entry,
            order=30,
            select_related=("team", "worker", "allocated_by"),
            whole=True,
        ),
        audit=Audit(personal={"reason": True}),
        notifications=("work.allocated",),
    ),
    RecordType(
        label="cases.Action",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.assigned_work),
        panels=(Panel("includes/subject_actions.html", actions, kinds=ALL_SUBJECTS, order=90),),
        audit=Audit(
            personal={
                "description": True,
                "due_on": False,
                "status": False,
                "progress_note": True,
            }
        ),
        notifications=("action.assigned", "action.overdue"),
    ),
)
