"""Assessments hang off every kind of subject, declared once (``safeguarding.subjects.
registry``; registered by ``cases.apps.CasesConfig.ready``): the assessments section of every
subject page (with "Start an assessment"), a young person's current exploitation screening
level in their details and its chart over time, each step of an assessment in its subject's
chronology, and an entry in the chronology of each young person, group or place an assessment
names (for staff who may see both)."""

from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import DETAILS, Audit, Chronology, EntryText, Panel, RecordType

from . import services
from .models import Assessment, AssessmentEvent, AssessmentMention, EvidenceItem
from .selectors import assessments_about, screening_levels

ALL_SUBJECTS = (Subject.Kind.YOUNG_PERSON, Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP)


def assessment_section(page) -> dict:
    """The subject's assessments the user may see, and the kinds they may start on it."""
    shown = visibility.is_council_staff(page.user) or visibility.is_partner_agency(page.user)
    if not shown:
        return {"assessments_shown": False}
    startable = [
        definition
        for definition in services.kinds_for(page.subject)
        if (page.access.change or visibility.is_partner_agency(page.user))
        and services.may_start(page.user, page.subject, definition)
    ]
    return {
        "assessments_shown": True,
        "assessments": list(assessments_about(page.user, page.access)),
        "assessment_kinds_startable": startable,
        "assessments_today": timezone.localdate(),
        "assessments_partner": visibility.is_partner_agency(page.user),
    }


def screening_row(page) -> dict:
    """A young person's current exploitation screening level and its date, and the levels
    over time (the panel's chart and table)."""
    if not visibility.is_council_staff(page.user):
        return {"screenings": []}
    screenings = page.once("screenings", lambda: screening_levels(page.user, page.access))
    return {"screenings": screenings, "screening_current": screenings[-1] if screenings else None}


def event_entry(event, read) -> EntryText:
    assessment = read("assessment")
    title = event.get_kind_display()
    if assessment:
        label = assessment.get_kind_display()
        title = {
            "started": f"{label} started",
            "submitted": f"{label} sent for sign-off",
            "returned": f"{label} returned with comments",
            "approved": f"{label} approved",
        }.get(event.kind, title)
    detail = read("note")
    if assessment:
        detail = f"{assessment.reference}. {detail}".strip()
    return EntryText(title=title, detail=detail, by=str(read("by") or ""))


def mention_entry(mention, read) -> EntryText:
    assessment = read("assessment")
    if not assessment:
        return EntryText(title="Named in an assessment", detail="", by="")
    return EntryText(
        title=f"Named in a {assessment.get_kind_display().lower()}",
        detail=f"{assessment.reference}, about {assessment.subject.reference}",
        by="",
    )


RECORD_TYPES = (
    RecordType(
        label="cases.Assessment",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.assessed),
        panels=(
            Panel(
                "assessments/panels/assessments.html",
                assessment_section,
                kinds=ALL_SUBJECTS,
                order=60,
            ),
            Panel(
                "assessments/panels/screening_row.html",
                screening_row,
                kinds=(Subject.Kind.YOUNG_PERSON,),
                order=50,
                place=DETAILS,
            ),
        ),
        audit=Audit(
            personal={
                "kind": False,
                "status": False,
                "answers": True,
                "sections_done": False,
                "started_on": False,
                "due_on": False,
                "completed_on": False,
                "threshold": False,
                "recommendation": False,
                "level_suggested": False,
                "level": False,
                "next_review_on": False,
            }
        ),
    ),
    RecordType(
        label="cases.EvidenceItem",
        subject_paths=("assessment__subject",),
        visibility=visibility.through_subject(visibility.drafted_evidence),
        audit=Audit(
            personal={
                "section": False,
                "kind": False,
                "text": True,
                "source": False,
                "reliability": False,
                "occurred_on": False,
                "record": False,
                "state": False,
                "edited_text": True,
            }
        ),
    ),
    RecordType(
        label="cases.AssessmentEvent",
        subject_paths=("assessment__subject",),
        visibility=visibility.through_subject(visibility.assessed, prefix="assessment__"),
        chronology=Chronology(
            kind="assessment",
            label="Assessments",
            rows=lambda user, access: visibility.about(user, AssessmentEvent, access),
            date_field="at",
            entry=event_entry,
            tag="purple",
            order=45,
            select_related=("assessment", "by"),
        ),
        audit=Audit(personal={"kind": False, "note": True}),
    ),
    RecordType(
        label="cases.AssessmentMention",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.mentioned),
        chronology=Chronology(
            kind="assessment_mention",
            label="Named in assessments",
            rows=lambda user, access: visibility.about(user, AssessmentMention, access),
            date_field="at",
            entry=mention_entry,
            tag="purple",
            order=46,
            select_related=("assessment", "assessment__subject"),
        ),
        audit=Audit(personal={}),
    ),
)

__all__ = ["RECORD_TYPES", "Assessment", "EvidenceItem"]
