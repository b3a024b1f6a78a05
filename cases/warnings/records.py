"""Warning notes hang off every kind of subject, declared once (``safeguarding.subjects.
registry``; registered by ``cases.apps.CasesConfig.ready``): the banner at the top of the
subject's page (those in force), the section listing all of them, and each step of their
history in the chronology."""

from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import BANNER, Audit, Chronology, EntryText, Panel, RecordType

from .models import WarningNote, WarningNoteEvent
from .selectors import warnings_about

ALL_SUBJECTS = (Subject.Kind.YOUNG_PERSON, Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP)


def _warnings(page) -> list[WarningNote]:
    return page.once("warning_notes", lambda: warnings_about(page.user, page.access))


def warning_banner(page) -> dict:
    """The warnings in force (authorised), for the banner; none, no banner."""
    return {"warnings_in_force": [w for w in _warnings(page) if w.in_force]}


def warning_section(page) -> dict:
    """Every warning the user may see (in force, waiting, ended, declined), and whether they
    may propose one or authorise, review and end them."""
    return {
        # Council staff only: partners (a place's guardians) and administrators (its directory)
        # open some subject pages, and read no warning of any kind, nor that there are none.
        "warning_notes_shown": visibility.is_council_staff(page.user),
        "warning_notes": _warnings(page),
        "may_propose_warning": page.access.change and visibility.proposes_warnings(page.user),
        "may_authorise_warnings": page.access.change and visibility.authorises_warnings(page.user),
        "warnings_today": timezone.localdate(),
    }


def event_entry(event, read) -> EntryText:
    warning = read("warning")
    title = event.get_kind_display()
    detail = read("note")
    if warning:
        title = f"{title}: {warning.get_category_display()}"
        if event.kind == WarningNoteEvent.Kind.PROPOSED:
            detail = warning.summary
    review_on = read("review_on")
    if review_on:
        detail = f"{detail} (review by {review_on:%-d %B %Y})".strip()
    return EntryText(title=title, detail=detail, by=str(read("by") or ""))


RECORD_TYPES = (
    RecordType(
        label="cases.WarningNote",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.warned),
        panels=(
            Panel(
                "cases/panels/warning_banner.html",
                warning_banner,
                kinds=ALL_SUBJECTS,
                place=BANNER,
            ),
            Panel("cases/panels/warning_notes.html", warning_section, kinds=ALL_SUBJECTS, order=85),
        ),
        audit=Audit(
            personal={
                "category": False,
                "summary": True,
                "told": False,
                "status": False,
                "review_on": False,
                "decline_reason": True,
                "end_reason": True,
            }
        ),
    ),
    RecordType(
        label="cases.WarningNoteEvent",
        subject_paths=("warning__subject",),
        visibility=visibility.through_subject(visibility.warned),
        chronology=Chronology(
            kind="warning",
            label="Warning notes",
            rows=lambda user, access: visibility.about(user, WarningNoteEvent, access),
            date_field="at",
            entry=event_entry,
            tag="red",
            order=40,
            select_related=("warning", "by"),
        ),
        audit=Audit(personal={"kind": False, "note": True, "review_on": False}),
    ),
)
