"""Reading assessments through the one rule: a subject's, someone's own, a team's, and the
names an evidence pack or an answer links to (shown only to a viewer who may see them)."""

from django.db.models import QuerySet

from cases.models import Assessment, EvidenceItem
from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject

#: The most rows the lists of My work and the team caseload show (oldest due first).
LISTED = 50

_OPEN = ("draft", "submitted", "returned")


def assessments_about(user, access) -> QuerySet:
    """The assessments of the subject of ``access`` (a ``visibility.SubjectAccess``) that
    ``user`` may see, newest first."""
    return (
        visibility.about(user, Assessment, access)
        .select_related("started_by", "organisation")
        .order_by("-started_at", "-pk")
    )


def screening_levels(user, access) -> list[Assessment]:
    """The young person's approved exploitation screenings, oldest first: the chart of levels
    over time and the current level (the last)."""
    return list(
        visibility.about(user, Assessment, access)
        .filter(kind=Assessment.Kind.SCREENING, status=Assessment.Status.APPROVED)
        .order_by("completed_on", "pk")
        .only("pk", "kind", "version", "level", "level_suggested", "completed_on", "next_review_on")
    )


def previous_approved(user, assessment: Assessment) -> Assessment | None:
    """The approved assessment of the same kind and subject before ``assessment`` (approved
    before it was started, or, of two the same day, the earlier one) that ``user`` may see,
    or ``None``: what a scorecard compares with. One query."""
    return (
        visibility.restrict(user, Assessment, visibility.VIEW)
        .filter(
            subject_id=assessment.subject_id,
            kind=assessment.kind,
            status=Assessment.Status.APPROVED,
            completed_on__lte=assessment.started_on,
        )
        .exclude(pk=assessment.pk)
        .order_by("-completed_on", "-pk")
        .only("pk", "kind", "version", "answers", "completed_on", "subject_id")
        .first()
    )


def schools_to_assess(user) -> QuerySet:
    """The places of kind school whose school assessment ``user`` may start as its
    designated safeguarding lead: a partner agency user whose organisation is a school and a
    current guardian of the place (``services.may_start``'s rule, for a list: one query),
    by name, each with ``in_progress``: whether a school assessment of it is already being
    written or waiting for sign-off (only one at a time). Nothing for anyone else."""
    from django.db.models import Exists, OuterRef

    from contexts.models import Context

    from .services import school_of

    if not visibility.assessment_workers(user) or school_of(user) is None:
        return Context.objects.none()
    return (
        visibility.restrict(user, Context, visibility.VIEW)
        .filter(
            kind=Context.Kind.SCHOOL,
            guardians__organisation_id=user.organisation_id,
            guardians__ended_on__isnull=True,
        )
        .select_related("subject")
        .distinct()
        .annotate(
            in_progress=Exists(
                Assessment.objects.filter(
                    subject_id=OuterRef("subject_id"),
                    kind=Assessment.Kind.SCHOOL,
                    status__in=_OPEN,
                )
            )
        )
        .order_by("name", "pk")
    )


_SUBJECT_RECORDS = tuple(f"subject__{a}" for a in Subject.RECORD_ACCESSORS.values())


def school_assessments(user) -> QuerySet:
    """A school's designated safeguarding lead's own school assessments (its organisation's),
    newest first; nothing for anyone else."""
    if not visibility.is_partner_agency(user) or not user.organisation_id:
        return Assessment.objects.none()
    return (
        visibility.restrict(user, Assessment, visibility.VIEW)
        .filter(kind=Assessment.Kind.SCHOOL, organisation_id=user.organisation_id)
        .select_related("subject__context")
        .order_by("-started_at", "-pk")
    )


def my_assessments(user) -> QuerySet:
    """The assessments ``user`` started that are not yet approved (drafts, returned, waiting
    for sign-off), soonest due first."""
    return (
        visibility.restrict(user, Assessment, visibility.VIEW)
        .filter(started_by=user, status__in=_OPEN)
        .select_related(*_SUBJECT_RECORDS)
        .order_by("due_on", "pk")
    )


def team_assessments(user) -> QuerySet:
    """The assessments in progress on what the user's team holds (what a team manager sees),
    soonest due first: overdue ones first of all."""
    return (
        visibility.restrict(user, Assessment, visibility.CHANGE)
        .filter(status__in=_OPEN)
        .select_related("started_by", *_SUBJECT_RECORDS)
        .order_by("due_on", "pk")
    )


def subject_names(user, subject_ids) -> dict[int, tuple[str, str, str, str]]:
    """For the subjects ``user`` may see among ``subject_ids``: id → (reference, name, kind,
    page URL).
    One query; a subject missing from the result is one the viewer may not see by name."""
    ids = {pk for pk in subject_ids if pk}
    if not ids:
        return {}
    accessors = list(Subject.RECORD_ACCESSORS.values())
    rows = visibility.restrict(user, Subject.objects.filter(pk__in=ids)).select_related(*accessors)
    return {s.pk: (s.reference, s.display_name, s.kind, s.get_absolute_url()) for s in rows}


def evidence_pack(user, assessment: Assessment) -> list[EvidenceItem]:
    """The assessment's evidence items ``user`` may read, in section order, each with
    ``linked_name`` (the linked subject's name, or "" where the viewer may not see it) and
    ``linked_reference``."""
    items = list(
        visibility.restrict(user, EvidenceItem.objects.filter(assessment=assessment))
        .select_related("linked_subject")
        .order_by("section", "position", "pk")
    )
    names = subject_names(user, {i.linked_subject_id for i in items})
    for item in items:
        reference, name, _kind, url = names.get(item.linked_subject_id, ("", "", "", ""))
        item.linked_name = name
        item.linked_reference = reference
        item.linked_url = url
    order = {s.key: n for n, s in enumerate(assessment.definition.sections)}
    items.sort(key=lambda i: (order.get(i.section, len(order)), i.position, i.pk))
    return items


def linkable_subjects(user, assessment: Assessment, items=None) -> list[tuple[str, str, str]]:
    """The subjects a linked-subjects answer may name: those the evidence pack links and
    those already named, that ``user`` may see, as (reference, name, kind), by name."""
    items = items if items is not None else evidence_pack(user, assessment)
    ids = {i.linked_subject_id for i in items if i.linked_subject_id}
    named = set()
    for question in assessment.definition.questions():
        if question.type == "linked_subjects":
            named.update((assessment.answers.get(question.key) or {}).get("value") or [])
    if named:
        ids.update(Subject.objects.filter(reference__in=named).values_list("pk", flat=True))
    found = [(ref, name, kind) for ref, name, kind, _url in subject_names(user, ids).values()]
    return sorted(found, key=lambda s: (s[2], s[1].lower()))
