"""Assessment services: start (with its evidence pack and what the last approved one
answered), save a section (as you go, in any order), decide on an evidence item, submit for
sign-off, and the sign-off's outcome. Each writes in one transaction and reads through the one
rule (``safeguarding/accounts/visibility.py``, ``assessment_rule``).

Who may do what:

* **start**: a social worker or team manager who may change the subject; for a school
  assessment (``Definition.partner_completes``), also the designated safeguarding lead of
  that school — a partner agency user whose organisation is a school and a current guardian of
  the school's place record — for their own school only;
* **save, decide evidence, submit**: whoever may change the assessment (the rule's CHANGE)
  while it is a draft or returned;
* **approve or return**: a team manager of the team holding the subject, never the person who
  submitted it (``safeguarding.approvals``; PRACTICE.md, "Sign-off").

Refusals: ``RecordNotFound`` (not visible, or not for this user to change), ``NotAllowed``
(the role may not take this step at all), ``ApplicationError`` (a message per field or
question key).
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from cases.models import Assessment, AssessmentEvent, AssessmentMention, EvidenceItem
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.subjects.models import Subject
from safeguarding.working_days import add_working_days

from . import definitions as d
from .definitions import Definition

#: Answers that say nothing yet.
_EMPTY = (None, "", [], {})


def kinds_for(subject: Subject) -> list[Definition]:
    """The current definitions that may be about ``subject`` (its kind, and for a place its
    kind of place)."""
    found = []
    for definition in d.current():
        if subject.kind not in definition.subject_kinds:
            continue
        place_kind = subject.concrete.kind if subject.kind == Subject.Kind.CONTEXT else None
        if place_kind and definition.context_kinds and place_kind not in definition.context_kinds:
            continue
        found.append(definition)
    return found


def school_of(user) -> Organisation | None:
    """The school whose designated safeguarding lead ``user`` is: a partner agency user whose
    organisation is a school; ``None`` otherwise."""
    if not visibility.is_partner_agency(user) or not user.organisation_id:
        return None
    organisation = user.organisation
    return organisation if organisation.kind == Organisation.Kind.SCHOOL else None


def may_start(user, subject: Subject, definition: Definition) -> bool:
    """Whether ``user`` may start an assessment of ``definition``'s kind on ``subject`` (see
    the module docstring). Reads the rule once."""
    if not visibility.assessment_workers(user):
        return False
    if subject.kind not in definition.subject_kinds:
        return False
    if visibility.is_partner_agency(user):
        if not definition.partner_completes or school_of(user) is None:
            return False
        # Its own school: a place it is a current guardian of (the rule's partner view).
        return visibility.can(user, subject.concrete, visibility.VIEW)
    return visibility.can(user, subject.concrete, visibility.CHANGE)


def due_date(started_on: date, definition: Definition) -> date:
    """``started_on`` plus the kind's working days (``ASSESSMENT_DUE_WORKING_DAYS``, 45 by
    default: the child-and-family assessment limit councils reuse, PRACTICE.md), skipping
    weekends and English bank holidays."""
    days = definition.due_working_days or settings.ASSESSMENT_DUE_WORKING_DAYS
    return add_working_days(started_on, days)


def _carried_forward(subject: Subject, definition: Definition) -> dict:
    """The answers of the subject's latest approved assessment of the same kind, for the
    questions the current definition asks with the same answer type, each marked with the
    reference it was carried from (``"carried_from"``) until the practitioner changes it."""
    previous = (
        Assessment.objects.filter(subject=subject, kind=definition.kind, status="approved")
        .order_by("-completed_on", "-pk")
        .first()
    )
    if previous is None:
        return {}
    before = previous.definition
    carried = {}
    for question in definition.questions():
        if question.key in ("analysis", "threshold", "recommendation", "recommendation_reason"):
            continue  # a conclusion is reached afresh
        answer = previous.answers.get(question.key)
        if not answer or answer.get("value") in _EMPTY:
            continue
        try:
            if before.question(question.key).type != question.type:
                continue
        except LookupError:
            continue
        kept = {k: v for k, v in answer.items() if k != "carried_from"}
        carried[question.key] = {**kept, "carried_from": previous.reference}
    return carried


@transaction.atomic
def assessment_start(*, subject: Subject, kind: str, by: User) -> Assessment:
    """Start an assessment of ``kind`` (an ``Assessment.Kind`` value) on ``subject``, with the
    current version of its definition: due ``due_date(today)``; answers carried forward from
    the last approved one of the kind; the evidence pack drafted from what the product holds
    (``Definition.evidence``), read as ``by``.

    Only one of a kind is in progress on a subject at a time: starting another raises
    ``ApplicationError`` (code ``"in_progress"``, the one in progress in ``params``)."""
    try:
        definition = d.definition(kind)
    except LookupError:
        raise ApplicationError({"kind": "Choose which assessment to start."}) from None
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if not visibility.assessment_workers(by):
        raise NotAllowed("Your role does not start assessments.")
    if not visibility.can(by, subject.concrete, visibility.VIEW):
        raise RecordNotFound()
    if definition not in kinds_for(subject):
        raise ApplicationError({"kind": f"A {definition.title.lower()} is not for this record."})
    if not may_start(by, subject, definition):
        raise RecordNotFound()
    in_progress = (
        Assessment.objects.filter(subject=subject, kind=kind)
        .exclude(status=Assessment.Status.APPROVED)
        .first()
    )
    if in_progress is not None:
        raise ApplicationError(
            f"A {definition.title.lower()} of this record is already in progress "
            f"({in_progress.reference}): continue that one.",
            code="in_progress",
            params={"assessment": in_progress},
        )
    today = timezone.localdate()
    assessment = Assessment.objects.create(
        subject=subject,
        kind=kind,
        version=definition.version,
        answers=_carried_forward(subject, definition),
        started_on=today,
        due_on=due_date(today, definition),
        started_by=by,
        organisation=school_of(by) if visibility.is_partner_agency(by) else None,
    )
    if definition.evidence:
        builder = import_string(definition.evidence)
        EvidenceItem.objects.bulk_create(
            EvidenceItem(
                assessment=assessment,
                section=item.section,
                kind=item.kind,
                text=item.text,
                source=item.source,
                reliability=item.reliability,
                occurred_on=item.occurred_on,
                linked_subject=item.subject,
                record=item.record,
                position=position,
            )
            for position, item in enumerate(builder(subject, by))
        )
    AssessmentEvent.objects.create(assessment=assessment, kind="started", by=by)
    return assessment


def _for_change(assessment: Assessment, by: User) -> Assessment:
    """The assessment, locked and read again through the rule (CHANGE), while it is being
    written (a draft or returned)."""
    locked = Assessment.objects.select_for_update().filter(pk=assessment.pk)
    found = visibility.restrict(by, locked, visibility.CHANGE).first()
    if found is None:
        raise RecordNotFound()
    if not found.open:
        raise ApplicationError(
            f"This assessment is {found.get_status_display().lower()}: it cannot be changed."
        )
    return found


def is_answered(question: d.Question, answer: dict | None) -> bool:
    """Whether ``answer`` answers ``question``: a value, and for red/amber/green the evidence
    for the rating, for an indicator whether it is current or historic, and for a weighting
    the reason (each required with its value)."""
    if not answer or answer.get("value") in _EMPTY:
        return False
    if question.type == d.RAG and not answer.get("evidence"):
        return False
    if question.type == d.INDICATOR and answer["value"] in ("yes", "possible"):
        return bool(answer.get("when"))
    if question.type == d.WEIGHT and answer["value"]:
        return bool(answer.get("reason"))
    return True


def _missing_message(question: d.Question, answer: dict | None) -> str:
    if question.type == d.RAG and answer and answer.get("value"):
        return f"Give the evidence for the rating of: {question.prompt}"
    if question.type == d.INDICATOR and answer and answer.get("value"):
        return f"Say whether it is current or historic: {question.prompt}"
    if question.type == d.WEIGHT and answer and answer.get("value"):
        return f"Say why you gave this weight: {question.prompt}"
    return f"Answer: {question.prompt}"


def section_problems(definition: Definition, section: d.Section, answers: dict) -> dict:
    """What stops ``section`` being complete with ``answers``: question key → message. The
    definition's own checks (``extra["validate"](answers)``) are added for its questions."""
    problems = {
        q.key: _missing_message(q, answers.get(q.key))
        for q in section.questions
        if q.required and not is_answered(q, answers.get(q.key))
    }
    validate = definition.extra.get("validate")
    if validate is not None:
        keys = {q.key for q in section.questions}
        for key, message in validate(answers).items():
            if key in keys:
                problems.setdefault(key, message)
    return problems


@transaction.atomic
def assessment_save_section(
    *, assessment: Assessment, section: str, answers: dict, complete: bool | None, by: User
) -> dict:
    """Save the answers to one section (``answers``: question key → answer dict, as the
    section's form cleans them) — always, whatever is missing, so no work is lost.

    ``complete``: ``True`` marks the section complete if nothing required is missing;
    ``False`` ("save and come back later") marks it not complete; ``None`` (the page saving
    itself while someone types) leaves a complete section complete while it still is.

    Returns what stops it being complete (question key → message; empty when it is, or when
    ``complete`` was not ``True``). An answer that changes drops its "carried forward" mark."""
    assessment = _for_change(assessment, by)
    definition = assessment.definition
    part = definition.section(section)
    stored = dict(assessment.answers)
    for question in part.questions:
        if question.key not in answers:
            continue
        new = {k: v for k, v in answers[question.key].items() if v not in (None, "")}
        old = stored.get(question.key) or {}
        unchanged = {k: v for k, v in old.items() if k != "carried_from"} == new
        if unchanged and old.get("carried_from"):
            new["carried_from"] = old["carried_from"]
        if new:
            stored[question.key] = new
        else:
            stored.pop(question.key, None)
    assessment.answers = stored
    was_done = section in assessment.sections_done
    done = [key for key in assessment.sections_done if key != section]
    problems = section_problems(definition, part, stored) if complete is not False else {}
    if (complete or was_done) and not problems and complete is not False:
        done.append(section)
    if complete is None:
        problems = {}
    assessment.sections_done = [s.key for s in definition.sections if s.key in done]
    assessment.save(update_fields=["answers", "sections_done"])
    return problems


@transaction.atomic
def evidence_decide(*, item: EvidenceItem, state: str, text: str = "", by: User) -> EvidenceItem:
    """Accept, edit (with ``text``, the item's words as the practitioner wants them) or drop
    one evidence pack item; any of them may be changed back while the assessment is open."""
    if state not in EvidenceItem.State.values or state == EvidenceItem.State.SUGGESTED:
        raise ApplicationError({"state": "Choose whether to keep, change or drop it."})
    _for_change(item.assessment, by)
    text = (text or "").strip()
    if state == EvidenceItem.State.EDITED and not text:
        raise ApplicationError({"text": "Enter the evidence as you want it to read."})
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    item.state = state
    item.edited_text = text if state == EvidenceItem.State.EDITED else ""
    item.decided_by = by
    item.decided_at = timezone.now()
    item.save(update_fields=["state", "edited_text", "decided_by", "decided_at"])
    return item


@transaction.atomic
def evidence_keep_rest(*, assessment: Assessment, by: User) -> int:
    """Keep, as drafted, every item of the evidence pack not yet looked at ("keep all the
    rest"): one UPDATE, whatever the pack holds. Returns how many were kept."""
    assessment = _for_change(assessment, by)
    return EvidenceItem.objects.filter(
        assessment=assessment, state=EvidenceItem.State.SUGGESTED
    ).update(state=EvidenceItem.State.ACCEPTED, decided_by=by, decided_at=timezone.now())


def outcome(definition: Definition, answers: dict) -> dict:
    """The ``Assessment`` columns the answers set: the definition's ``outcome`` if it has
    one, otherwise the conclusion's threshold and recommendation."""
    if definition.outcome is not None:
        found = dict(definition.outcome(answers))
    else:
        found = {
            "threshold": (answers.get("threshold") or {}).get("value", ""),
            "recommendation": (answers.get("recommendation") or {}).get("value", ""),
        }
    if isinstance(found.get("next_review_on"), str):
        found["next_review_on"] = date.fromisoformat(found["next_review_on"])
    allowed = {"threshold", "recommendation", "level_suggested", "level", "next_review_on"}
    return {k: v for k, v in found.items() if k in allowed}


def mentioned_subjects(assessment: Assessment) -> set[int]:
    """The ids of the subjects the assessment names: in its linked-subjects answers and in its
    kept evidence items (not the assessment's own subject)."""
    definition = assessment.definition
    references = set()
    for question in definition.questions():
        if question.type == d.LINKED_SUBJECTS:
            references.update((assessment.answers.get(question.key) or {}).get("value") or [])
    ids = set(Subject.objects.filter(reference__in=references).values_list("pk", flat=True))
    ids.update(
        assessment.evidence.filter(
            state__in=["accepted", "edited"], linked_subject__isnull=False
        ).values_list("linked_subject_id", flat=True)
    )
    ids.discard(assessment.subject_id)
    return ids


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by: User, note: str = "") -> Assessment:
    """Send the assessment for sign-off: every section complete (``ApplicationError`` naming
    those that are not), its outcome set from its answers, the subjects it names recorded
    (``AssessmentMention``), and an approval requested from the team managers of the team
    holding the subject (``safeguarding.approvals``)."""
    from safeguarding.approvals.services import approval_request

    assessment = _for_change(assessment, by)
    definition = assessment.definition
    not_done = [s for s in definition.sections if s.key not in assessment.sections_done]
    if not_done:
        raise ApplicationError(
            {s.key: f"Complete the section: {s.title}" for s in not_done}, code="incomplete"
        )
    for section in definition.sections:
        problems = section_problems(definition, section, assessment.answers)
        if problems:
            raise ApplicationError(problems)
    for field, value in outcome(definition, assessment.answers).items():
        setattr(assessment, field, value)
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    AssessmentMention.objects.filter(assessment=assessment).delete()
    AssessmentMention.objects.bulk_create(
        AssessmentMention(assessment=assessment, subject_id=pk)
        for pk in sorted(mentioned_subjects(assessment))
    )
    AssessmentEvent.objects.create(assessment=assessment, kind="submitted", by=by, note=note)
    approval_request(
        target=assessment,
        subject=assessment.subject,
        what=definition.title,
        reference=assessment.reference,
        link=assessment.get_absolute_url(),
        by=by,
        note=note,
        check=False,  # the rule's CHANGE on the assessment was asked above
    )
    return assessment


def on_decided(assessment: Assessment, approval) -> None:
    """The sign-off's outcome (``safeguarding.approvals`` calls it in the decision's
    transaction): approved, completed today; or returned with the manager's comments, for
    the author to change and submit again."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ApplicationError("This assessment is not waiting for sign-off.")
    if approval.status == "approved":
        assessment.status = Assessment.Status.APPROVED
        assessment.completed_on = timezone.localdate()
        kind = AssessmentEvent.Kind.APPROVED
    else:
        assessment.status = Assessment.Status.RETURNED
        kind = AssessmentEvent.Kind.RETURNED
    assessment.save(update_fields=["status", "completed_on"])
    AssessmentEvent.objects.create(
        assessment=assessment, kind=kind, by=approval.decided_by, note=approval.comments
    )
