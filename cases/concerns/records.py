"""Concerns, declared once (``safeguarding.subjects.registry``; registered by
``cases.apps.CasesConfig.ready``): in every subject's chronology, and counted on a place's
page. A concern is about many subjects, so who may see it is decided concern by concern (its
audiences, ``visibility.concerns_about``), not through one subject."""

from cases.subject_pages.selectors import concern_counts_at
from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import DETAILS, Audit, Chronology, EntryText, Panel, RecordType


def concerns(user, access):
    return visibility.concerns_about(user, access.subject, access)


def concern_entry(concern, read) -> EntryText:
    harms = read("harm_categories")
    return EntryText(
        title=("Concern: " + ", ".join(h.name for h in harms.all())) if harms else "Concern",
        detail=read("narrative"),
        by=str(read("logged_by") or ""),
    )


def concern_counts(page) -> dict:
    return {
        "concern_counts": concern_counts_at(
            user=page.user, subject=page.subject, access=page.access
        )
    }


RECORD_TYPES = (
    RecordType(
        label="cases.Concern",
        subject_paths=("involvements__subject",),
        chronology=Chronology(
            kind="concern",
            label="Concerns",
            rows=concerns,
            date_field="occurred_at",
            entry=concern_entry,
            harm="concern__harm_categories__slug",
            tag="orange",
            order=10,
            prefetch=("harm_categories", "logged_by"),
        ),
        panels=(
            Panel(
                "cases/panels/concern_counts_row.html",
                concern_counts,
                kinds=(Subject.Kind.CONTEXT,),
                order=10,
                place=DETAILS,
            ),
        ),
        audit=Audit(
            personal={
                "reference": False,
                "location_description": True,
                "narrative": True,
                "source": False,
                "source_detail": True,
                "reliability": False,
            },
            authority=("authority_id",),
        ),
        notifications=("context.concern_logged",),
    ),
)
