"""Meetings on the subject pages (``safeguarding.subjects.registry``; registered by
``cases.apps.CasesConfig.ready``): a "Meetings" section on every young person's, place's and
group's page (the meetings about it, as their subject or on a MACE panel's agenda, and links to
arrange one), and in its chronology each meeting about it (arranged, held or cancelled) and each
decision made there.

Meetings are read through their own rule (``visibility.meeting_rule``), not through the subject
(a MACE panel has none), so these record types declare no ``visibility``."""

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import Audit, Chronology, EntryText, Panel, RecordType

from . import selectors, services
from .models import Decision, Meeting

ALL_SUBJECTS = (Subject.Kind.YOUNG_PERSON, Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP)


def meetings_section(page) -> dict:
    """The subject's meetings the user may see (newest first, 20) and the kinds of meeting they
    may arrange about it."""
    user = page.user
    if not (visibility.is_council_staff(user) or visibility.is_partner_agency(user)):
        return {"meetings_shown": False}
    arrange = []
    if visibility.meeting_workers(user) and page.access.change:
        arrange = [
            (kind, Meeting.Kind(kind).label)
            for kind, kinds in services.SUBJECT_KINDS.items()
            if page.subject.kind in kinds
        ]
    return {
        "meetings_shown": True,
        "meetings_about": list(selectors.meetings_about(user, page.subject)[:20]),
        "meetings_arrange": arrange,
        "meetings_subject_reference": page.subject.reference,
    }


def subject_meetings(user, access):
    """The meetings about the subject (as their subject; a MACE panel's agenda items are on
    its page, not in the chronology) that ``user`` may see."""
    return visibility.restrict(user, Meeting).filter(subject=access.subject)


def meeting_entry(meeting, read) -> EntryText:
    name = read("name") or "Meeting"
    label = name.rsplit(" ", 1)[0]
    status = read("status")
    if status == Meeting.Status.CANCELLED:
        title = f"{label} cancelled"
    elif status in Meeting.HELD_STATUSES:
        title = f"{label} held"
    else:
        title = f"{label} arranged"
    return EntryText(title=title, detail=read("reference"), by="")


def decision_entry(decision, read) -> EntryText:
    meeting = read("meeting")
    detail = read("text")
    if meeting:
        detail = f"{meeting.reference}. {detail}".strip()
    return EntryText(title="Meeting decision", detail=detail, by="")


RECORD_TYPES = (
    RecordType(
        label="cases.Meeting",
        subject_paths=("subject",),
        notifications=(
            "meeting.invited",
            "meeting.changed",
            "meeting.cancelled",
            "meeting.minutes_circulated",
        ),
        panels=(
            Panel("meetings/panels/meetings.html", meetings_section, kinds=ALL_SUBJECTS, order=65),
        ),
        chronology=Chronology(
            kind="meeting",
            label="Meetings",
            rows=subject_meetings,
            date_field="starts_at",
            entry=meeting_entry,
            tag="turquoise",
            order=47,
        ),
        audit=Audit(
            personal={
                "kind": False,
                "stage": False,
                "title": False,
                "location": False,
                "status": False,
                "held_on": False,
                "record_due_on": False,
                "icpc_due_on": False,
                "icpc_held_on": False,
                "review_due_on": False,
                "next_meeting_on": False,
                "minutes_summary": True,
                "cancelled_reason": True,
            },
            authority=("authority_id",),
        ),
    ),
    RecordType(
        label="cases.Decision",
        subject_paths=("meeting__subject",),
        chronology=Chronology(
            kind="meeting_decision",
            label="Meeting decisions",
            rows=lambda user, access: visibility.restrict(user, Decision).filter(
                meeting__subject=access.subject
            ),
            date_field="made_at",
            entry=decision_entry,
            tag="turquoise",
            order=48,
            select_related=("meeting",),
        ),
        audit=Audit(
            personal={"text": True, "reason": True, "dissent": True, "outcome": False},
            authority=("meeting__authority_id",),
        ),
    ),
)
