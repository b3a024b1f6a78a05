"""Plans hang off every kind of subject, declared once (``safeguarding.subjects.registry``;
registered by ``cases.apps.CasesConfig.ready``): the plans section of every subject page (with
"Start a plan", and each plan's linked plans — a context plan's young people's plans, a young
person's plan's context plans — for staff who may see both), and each step of a plan in its
subject's chronology (started, agreed, reviewed, end asked for, returned, ended)."""

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import Audit, Chronology, EntryText, Panel, RecordType

from . import services
from .models import Goal, Measure, MeasureValue, Plan, PlanEvent, PlanReview
from .selectors import concerns_trend, measure_trends, plans_about

ALL_SUBJECTS = (Subject.Kind.YOUNG_PERSON, Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP)


def plan_section(page) -> dict:
    """The subject's plans the user may see (each with the linked plans they may see), and
    whether they may start one."""
    if not (visibility.is_council_staff(page.user) or visibility.is_partner_agency(page.user)):
        return {"plans_shown": False}
    plans = list(plans_about(page.user, page.access))
    safer = None
    if page.kind == Subject.Kind.CONTEXT and not visibility.is_partner_agency(page.user):
        trend = measure_trends(page.user, [page.subject.pk]).get(page.subject.pk)
        if trend is not None:
            safer = {"measures": trend, "concerns": concerns_trend(page.user, page.subject)}
    return {
        "plans_shown": True,
        "plans_safer": safer,
        "plans": plans,
        "plan_startable": page.access.change
        and visibility.plans_kept_by(page.user)
        and not any(p.is_open for p in plans),
        "plans_partner": visibility.is_partner_agency(page.user),
    }


def event_entry(event, read) -> EntryText:
    plan = read("plan")
    title = event.get_kind_display()
    if plan:
        label = plan.get_kind_display()
        title = {
            "started": f"{label} started",
            "activated": f"{label} agreed",
            "reviewed": f"{label} reviewed",
            "end_requested": f"{label}: end sent for sign-off",
            "end_returned": f"{label}: end returned with comments",
            "ended": f"{label} ended",
        }.get(event.kind, title)
    detail = read("note")
    if plan:
        detail = f"{plan.reference}. {detail}".strip()
    return EntryText(title=title, detail=detail, by=str(read("by") or ""))


RECORD_TYPES = (
    RecordType(
        label="cases.Plan",
        subject_paths=("subject",),
        visibility=visibility.through_subject(visibility.planned),
        panels=(Panel("plans/panels/plans.html", plan_section, kinds=ALL_SUBJECTS, order=61),),
        audit=Audit(
            personal={
                "kind": False,
                "status": False,
                "started_on": False,
                "next_review_on": False,
                "ended_on": False,
                "end_reason": True,
                "safe_places": True,
                "trusted_adults": True,
                "if_unsafe": True,
                "places_to_avoid": True,
            }
        ),
    ),
    RecordType(
        label="cases.Goal",
        subject_paths=("plan__subject",),
        visibility=visibility.through_subject(visibility.planned, plan_key="plan_id"),
        audit=Audit(personal={"statement": True, "source": False}),
    ),
    RecordType(
        label="cases.Measure",
        subject_paths=("goal__plan__subject",),
        visibility=visibility.through_subject(visibility.measured),
        # Its str() is its name, typed by the worker: audit rows name it by kind and id.
        audit=Audit(
            personal={"name": True, "kind": False, "direction": False, "baseline_on": False},
            neutral_repr=True,
        ),
    ),
    RecordType(
        label="cases.MeasureValue",
        subject_paths=("measure__goal__plan__subject",),
        visibility=visibility.through_subject(visibility.measured, prefix="measure__"),
        audit=Audit(personal={"recorded_on": False, "note": True}),
    ),
    RecordType(
        label="cases.PlanReview",
        subject_paths=("plan__subject",),
        visibility=visibility.through_subject(visibility.plan_staffed),
        audit=Audit(
            personal={
                "held_on": False,
                "progress": True,
                "changes": True,
                "next_review_on": False,
            }
        ),
    ),
    RecordType(
        label="cases.PlanEvent",
        subject_paths=("plan__subject",),
        visibility=visibility.through_subject(visibility.plan_staffed),
        chronology=Chronology(
            kind="plan",
            label="Plans",
            rows=lambda user, access: visibility.about(user, PlanEvent, access),
            date_field="at",
            entry=event_entry,
            tag="turquoise",
            order=47,
            select_related=("plan", "by"),
        ),
        audit=Audit(personal={"kind": False, "note": True}),
    ),
)

__all__ = ["RECORD_TYPES", "Goal", "Measure", "MeasureValue", "Plan", "PlanReview", "services"]
