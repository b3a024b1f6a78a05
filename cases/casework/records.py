"""What casework hangs off a subject, declared once (``safeguarding.subjects.registry``;
registered by ``cases.apps.CasesConfig.ready``): cases on every subject's page, their
allocations, risk and review changes and closure steps in every chronology, actions on every
subject page, case notes on every subject page and in every chronology, and documents on every
subject page."""

from django.db.models import Prefetch
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import Audit, Chronology, EntryText, Panel, RecordType

from .models import Action, Allocation, Case, CaseNote, CaseRiskChange, CaseStatusChange, Document

#: The newest notes and documents a subject page shows (the rest: the chronology, filtered to
#: case notes, and each note's page).
NOTES_SHOWN = 10
DOCUMENTS_SHOWN = 20

ALL_SUBJECTS = (Subject.Kind.YOUNG_PERSON, Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP)


def cases(page) -> dict:
    """The subject's cases (newest first) and which of them the user may change (two
    queries; one when the user may change nothing of the subject)."""
    about = visibility.about(page.user, Case, page.access)
    changeable = set()
    if page.access.change:
        changeable = set(
            visibility.about(page.user, Case, page.access, visibility.CHANGE).values_list(
                "pk", flat=True
            )
        )
    rows = list(about.select_related("team", "allocated_worker"))
    return {
        "cases": rows,
        "changeable_cases": changeable,
        # A new episode: a team manager who may change the record, when no case is open.
        "can_open_case": page.access.change
        and visibility.manages_team(page.user)
        and all(c.status == Case.Status.CLOSED for c in rows),
    }


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


def case_notes(page) -> dict:
    """The subject's newest case notes the user may read (struck ones too, shown struck
    through), each with its documents: two queries, whatever the subject holds."""
    if not visibility.keeps_case_notes(page.user):
        return {"case_notes_shown": False}
    documents = visibility.about(page.user, Document, page.access).order_by("uploaded_at", "pk")
    notes = (
        visibility.about(page.user, CaseNote, page.access)
        .select_related("written_by", "struck_by")
        .prefetch_related(Prefetch("documents", queryset=documents))
        .order_by("-occurred_at", "-pk")[: NOTES_SHOWN + 1]
    )
    notes = list(notes)
    return {
        "case_notes_shown": True,
        "case_notes": notes[:NOTES_SHOWN],
        "case_notes_more": len(notes) > NOTES_SHOWN,
    }


def documents(page) -> dict:
    """The subject's newest documents the user may read, each with the note it is attached to
    (if any): one query."""
    if not visibility.keeps_case_notes(page.user):
        return {"documents_shown": False}
    found = list(
        visibility.about(page.user, Document, page.access)
        .select_related("uploaded_by", "case_note")
        .order_by("-uploaded_at", "-pk")[: DOCUMENTS_SHOWN + 1]
    )
    return {
        "documents_shown": True,
        "documents": found[:DOCUMENTS_SHOWN],
        "documents_more": len(found) > DOCUMENTS_SHOWN,
    }


def case_note_entry(note, read) -> EntryText:
    kind = CaseNote.Kind(read("kind")).label if read("kind") else "Case note"
    title = f"{kind}: written in error" if read("struck_at") else kind
    detail = read("text")
    if read("struck_at"):
        detail = f"Struck out: {read('strike_reason')}"
    return EntryText(title=title, detail=detail, by=str(read("written_by") or ""))


def allocation_entry(allocation, read) -> EntryText:
    worker, team = read("worker"), read("team")
    return EntryText(
        title=(f"Allocated to {worker}" if worker else "Waiting for allocation")
        + (f" ({team})" if team else ""),
        detail=read("reason"),
        by=str(read("allocated_by") or ""),
    )


def _date(value) -> str:
    return f"{value:%-d %b %Y}" if value else "none"


def risk_change_entry(change, read) -> EntryText:
    """ "Risk high (was medium); next review 3 Feb 2027 (was 6 Jan 2027)": what changed."""
    parts = []
    before, after = read("risk_before"), read("risk_after")
    if before != after:
        parts.append(
            f"Risk {Case.Risk(after).label.lower()} (was {Case.Risk(before).label.lower()})"
        )
    before, after = read("next_review_due_before"), read("next_review_due_after")
    if before != after:
        parts.append(f"next review {_date(after)} (was {_date(before)})")
    title = "; ".join(parts) or "Risk and review confirmed"
    return EntryText(
        title=title[0].upper() + title[1:], detail=read("reason"), by=str(read("changed_by") or "")
    )


def status_change_entry(change, read) -> EntryText:
    kind = read("kind")
    return EntryText(
        title=CaseStatusChange.Kind(kind).label if kind else "",
        detail=read("reason"),
        by=str(read("by") or ""),
    )


RECORD_TYPES = (
    RecordType(
        label="cases.Case",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.case_work),
        panels=(Panel("cases/panels/cases.html", cases, kinds=ALL_SUBJECTS, order=10),),
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
        label="cases.CaseRiskChange",
        subject_paths=("case__subject",),
        visibility=visibility.through_subject(visibility.case_work, prefix="case__"),
        chronology=Chronology(
            kind="risk",
            label="Risk and review",
            rows=lambda user, access: visibility.about(user, CaseRiskChange, access),
            date_field="changed_at",
            entry=risk_change_entry,
            order=32,
            select_related=("changed_by",),
            whole=True,
        ),
        audit=Audit(
            personal={
                "risk_before": False,
                "risk_after": False,
                "next_review_due_before": False,
                "next_review_due_after": False,
                "reason": True,
            }
        ),
    ),
    RecordType(
        label="cases.CaseStatusChange",
        subject_paths=("case__subject",),
        visibility=visibility.through_subject(visibility.case_work, prefix="case__"),
        chronology=Chronology(
            kind="closure",
            label="Closing and reopening",
            rows=lambda user, access: visibility.about(user, CaseStatusChange, access),
            date_field="at",
            entry=status_change_entry,
            order=34,
            select_related=("by",),
            whole=True,
        ),
        audit=Audit(
            personal={
                "kind": False,
                "status_before": False,
                "status_after": False,
                "reason": True,
            }
        ),
        notifications=("work.closure_requested", "work.closure_decided"),
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
    RecordType(
        label="cases.CaseNote",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.noted),
        chronology=Chronology(
            kind="note",
            label="Case notes",
            rows=lambda user, access: visibility.about(user, CaseNote, access),
            date_field="occurred_at",
            entry=case_note_entry,
            tag="blue",
            order=40,
            select_related=("written_by",),
        ),
        panels=(Panel("cases/panels/case_notes.html", case_notes, kinds=ALL_SUBJECTS, order=80),),
        audit=Audit(
            personal={
                "kind": False,
                "present": True,
                "text": True,
                "source": False,
                "reliability": False,
                "strike_reason": True,
            }
        ),
    ),
    RecordType(
        label="cases.Document",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.noted),
        panels=(Panel("cases/panels/documents.html", documents, kinds=ALL_SUBJECTS, order=85),),
        audit=Audit(
            personal={
                "title": True,
                "filename": True,
                "content_type": False,
            }
        ),
    ),
)
