"""Disposal: a record at the end of its retention period anonymised or deleted, with
everything about it, in one transaction; a :class:`~safeguarding.retention.models.DisposalStub`
and the audit stay.

How each related model is disposed of is declared in :data:`DISPOSAL` (the one table):
``tests/retention/test_disposal_table.py`` fails when a model with a foreign key to a subject,
a young person, a place or a peer group (or to a record that hangs off one) has no entry, so a
record type added later needs a decision here.

What "anonymise" and "delete" mean for a subject (a young person, a place, a peer group):

* everything that hangs off the subject only (cases and their history, case notes and their
  documents, whose files leave storage when the transaction commits, assessments, plans,
  meetings about it, actions, warning notes, sign-off requests, aliases, flags, memberships,
  relationships, guardians, grants) is **deleted** in both cases;
* a **concern** or **referral** about it is deleted whole unless another young person is in
  it: then it stays for them, loses this subject's involvement (its ``ConcernSubject`` /
  ``ReferralSubject`` row, with a referral's described name, date of birth and address) and
  every occurrence of this subject's names, aliases, address, postcode and identifiers in its
  free text is replaced by ``[removed]``. A sentence about this person that does not name them
  stays: a narrative about several young people cannot be split by a program (our choice,
  recorded in README "Retention");
* **anonymise** keeps the subject's own row (its reference, kind, authority; a young person's
  gender is cleared too) with every personal field emptied, so counts by kind still add up;
  **delete** removes the row and its ``Subject``;
* notifications (a reference and a link only) and the audit (append-only; personal values
  masked, records named by reference) are kept; stored API responses
  (``api.IdempotencyKey``, encrypted) that mention the record are deleted.

A referral that never became a case is deleted (with what it was about), whichever action.
"""

import re
from collections import Counter

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, NotAllowed

from .models import DisposalAction, DisposalStub, LegalHold, RetentionReview

REMOVED = "[removed]"

# How: "delete" (rows about the record deleted), "cascade" (deleted by the database with their
# parent, named in the note), "unlink" (this record's part removed, the row kept for others),
# "scrub" (the row kept, this record's details replaced in its text), "anonymise" (the record's
# own row, emptied or deleted by the action), "keep" (holds no personal detail: why).
DISPOSAL: dict[str, tuple[str, str]] = {
    "subjects.Subject": ("anonymise", "kept (reference, kind) on anonymise; deleted on delete"),
    "cases.YoungPerson": ("anonymise", "personal fields emptied, or the row deleted"),
    "contexts.Context": ("anonymise", "name, address, postcode, description emptied, or deleted"),
    "peers.PeerGroup": ("anonymise", "name, description, purpose emptied, or deleted"),
    "cases.Alias": ("delete", "a young person's other names"),
    "cases.HarmFlag": ("delete", "a young person's flags"),
    "cases.YoungPersonUserObjectPermission": ("delete", "grants on the record"),
    "cases.YoungPersonGroupObjectPermission": ("delete", "grants on the record"),
    "contexts.ContextUserObjectPermission": ("delete", "grants on the record"),
    "contexts.ContextGroupObjectPermission": ("delete", "grants on the record"),
    "peers.PeerGroupUserObjectPermission": ("delete", "grants on the record"),
    "peers.PeerGroupGroupObjectPermission": ("delete", "grants on the record"),
    "contexts.ContextGuardian": ("delete", "a place's guardians (names, contacts)"),
    "peers.PeerGroupMembership": ("delete", "memberships of the young person or of the group"),
    "peers.Relationship": ("delete", "relationships from or to the young person"),
    "cases.Case": ("delete", "cases about the subject, with their history"),
    "cases.CaseRiskChange": ("cascade", "with its case"),
    "cases.CaseStatusChange": ("cascade", "with its case"),
    "cases.Allocation": ("cascade", "with its case"),
    "cases.TransferRequest": ("cascade", "with its case"),
    "cases.Action": ("delete", "about the subject, or of its plans and meetings"),
    "cases.CaseNote": ("delete", "about the subject"),
    "cases.Document": ("delete", "about the subject or its notes; files leave storage"),
    "cases.Concern": ("scrub", "deleted unless another young person is in it; else scrubbed"),
    "cases.ConcernSubject": ("unlink", "the subject's involvement in a concern"),
    "cases.ConcernAudience": ("delete", "who may see concerns at the place or group"),
    "cases.PlaceConcernCount": ("delete", "counts of concerns at the place"),
    "cases.Referral": ("scrub", "deleted unless another young person is in it; else scrubbed"),
    "cases.ReferralSubject": ("unlink", "the subject as referred (described name, address …)"),
    "cases.Assessment": ("delete", "assessments of the subject, with evidence and events"),
    "cases.EvidenceItem": ("delete", "of its assessments, or linked to the subject"),
    "cases.AssessmentEvent": ("delete", "of its assessments"),
    "cases.AssessmentMention": ("unlink", "the subject mentioned in others' assessments"),
    "cases.Meeting": ("delete", "meetings about the subject, with invitees, minutes …"),
    "cases.Invitee": ("cascade", "with its meeting"),
    "cases.MeetingReport": ("cascade", "with its meeting"),
    "cases.MinutesSection": ("cascade", "with its meeting"),
    "cases.AgendaItem": ("unlink", "the subject's items on other meetings' agendas"),
    "cases.Decision": ("delete", "decisions on the subject's agenda items"),
    "cases.Plan": ("delete", "plans about the subject; a place unlinked from others' plans"),
    "cases.Goal": ("cascade", "with its plan"),
    "cases.Measure": ("cascade", "with its goal"),
    "cases.MeasureValue": ("cascade", "with its measure"),
    "cases.PlanReview": ("delete", "of its plans"),
    "cases.PlanEvent": ("delete", "of its plans"),
    "cases.WarningNote": ("delete", "warning notes about the subject"),
    "cases.WarningNoteEvent": ("delete", "of its warning notes"),
    "approvals.Approval": ("delete", "sign-off requests about the subject"),
    "subject_access.SubjectAccessRequest": (
        "delete",
        "requests for the young person's records: their bundles copy those records",
    ),
    "subject_access.Bundle": ("cascade", "with its request"),
    "cases.Restriction": ("delete", "the young person's restrictions and their reviews"),
    "cases.NamedStaff": ("delete", "who was named on the restricted record, and why"),
    "cases.BreakGlassAccess": (
        "delete",
        "emergency accesses (the audit keeps each one's row on the young person)",
    ),
    "api.IdempotencyKey": ("delete", "stored API answers that mention the record"),
    "notifications.Notification": ("keep", "a reference and a link only"),
    "auditlog.LogEntry": ("keep", "append-only; personal values masked, named by reference"),
    "retention.LegalHold": ("keep", "a reference only"),
    "retention.RetentionReview": ("keep", "a reference only; status disposed"),
    "retention.DisposalStub": ("keep", "what is left: type, reference, rule, who, when"),
}


def _count(removed: Counter, deleted) -> None:
    for label, n in deleted[1].items():
        if n:
            removed[label] += n


def _names(record) -> list[str]:
    """The words that identify ``record`` in other records' free text (longest first)."""
    label = record._meta.label
    values = [record.subject.reference]
    if label == "cases.YoungPerson":
        values += [
            record.given_name,
            record.family_name,
            record.preferred_name,
            record.name_as_given,
            record.full_name,
            record.address,
            record.postcode,
            record.nhs_number,
            record.unique_pupil_number,
        ]
        if record.given_name and record.family_name:
            values.append(f"{record.given_name} {record.family_name}")
        values += list(record.aliases.values_list("name", flat=True))
        if record.date_of_birth:
            values += [record.date_of_birth.isoformat(), record.date_of_birth.strftime("%d/%m/%Y")]
    elif label == "contexts.Context":
        values += [record.name, record.address, record.postcode]
    else:
        values += [record.name]
    words = {v.strip() for v in values if v and len(v.strip()) >= 3}
    return sorted(words, key=len, reverse=True)


def _scrub(text: str, names: list[str]) -> str:
    for word in names:
        text = re.sub(re.escape(word), REMOVED, text, flags=re.IGNORECASE)
    return text


def _scrub_rows(queryset, fields: tuple[str, ...], names: list[str], removed, label) -> None:
    for row in queryset:
        changed = [
            f for f in fields if _scrub(getattr(row, f) or "", names) != (getattr(row, f) or "")
        ]
        for f in changed:
            setattr(row, f, _scrub(getattr(row, f), names))
        if changed:
            row.save(update_fields=changed)
            removed[f"{label} (text)"] += 1


def _held_subjects() -> list[int]:
    """The subjects (ids) under a legal hold that has not been lifted."""
    keys = LegalHold.objects.filter(
        lifted_at__isnull=True, record_key__startswith="subject:"
    ).values_list("record_key", flat=True)
    return [int(key.split(":", 1)[1]) for key in keys]


def _concerns(subject, names, removed) -> None:
    from cases.models import Concern, ConcernAudience, ConcernSubject

    involved = Concern.objects.filter(involvements__subject=subject)
    # Kept (for the others, without this record) when another young person is in it, or a
    # place or group under a legal hold: a hold on a place keeps its concerns.
    others = ConcernSubject.objects.filter(
        Q(subject__kind="young_person") | Q(subject_id__in=_held_subjects()),
        concern_id__in=involved.values("pk"),
    ).exclude(subject=subject)
    shared = set(others.values_list("concern_id", flat=True))
    _count(removed, involved.exclude(pk__in=shared).delete())
    _count(removed, ConcernSubject.objects.filter(subject=subject).delete())
    _count(removed, ConcernAudience.objects.filter(subject=subject).delete())
    _scrub_rows(
        Concern.objects.filter(pk__in=shared),
        ("narrative", "location_description", "source_detail"),
        names,
        removed,
        "cases.Concern",
    )


def _referrals(subject, names, removed) -> None:
    from cases.models import Referral, ReferralSubject

    involved = Referral.objects.filter(about__subject=subject)
    # Kept, as concerns are, for another young person in it, or a held place or group (a
    # referral under a legal hold itself stops the disposal: ``dispose``).
    others = ReferralSubject.objects.filter(
        Q(kind="young_person") | Q(subject_id__in=_held_subjects()),
        referral_id__in=involved.values("pk"),
    ).exclude(subject=subject)
    shared = set(others.values_list("referral_id", flat=True))
    _count(removed, involved.exclude(pk__in=shared).delete())
    _count(removed, ReferralSubject.objects.filter(subject=subject).delete())
    _scrub_rows(
        Referral.objects.filter(pk__in=shared),
        ("narrative", "decision_reason", "lawful_basis_detail"),
        names,
        removed,
        "cases.Referral",
    )


def _documents(queryset, removed) -> None:
    files = [(doc.file.storage, doc.file.name) for doc in queryset if doc.file]
    _count(removed, queryset.delete())

    def remove_files():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)


def _subject_records(subject, removed) -> None:
    """Delete what hangs off ``subject`` only (see the module's docstring), in an order the
    ``PROTECT`` foreign keys allow."""
    from cases.models import (
        Action,
        AgendaItem,
        Assessment,
        AssessmentEvent,
        AssessmentMention,
        Case,
        CaseNote,
        Decision,
        Document,
        EvidenceItem,
        Meeting,
        Plan,
        PlanEvent,
        PlanReview,
        WarningNote,
        WarningNoteEvent,
    )
    from safeguarding.approvals.models import Approval

    plans = Plan.objects.filter(subject=subject)
    meetings = Meeting.objects.filter(subject=subject)
    assessments = Assessment.objects.filter(subject=subject)
    agenda = AgendaItem.objects.filter(subject=subject)
    decisions = Decision.objects.filter(Q(meeting__in=meetings) | Q(agenda_item__in=agenda))
    # Others' records keep their own content, without a link to what goes.
    Plan.objects.filter(source_decision__in=decisions).exclude(subject=subject).update(
        source_decision=None
    )
    Plan.objects.filter(source_assessment__in=assessments).exclude(subject=subject).update(
        source_assessment=None
    )
    Meeting.objects.filter(source_assessment__in=assessments).exclude(subject=subject).update(
        source_assessment=None
    )
    Meeting.objects.filter(previous__in=meetings).update(previous=None)
    _count(
        removed,
        Action.objects.filter(
            Q(subject=subject)
            | Q(plan__in=plans)
            | Q(goal__plan__in=plans)
            | Q(meeting__in=meetings)
        ).delete(),
    )
    _count(removed, PlanReview.objects.filter(plan__in=plans).delete())
    _count(removed, PlanEvent.objects.filter(plan__in=plans).delete())
    _count(removed, plans.delete())
    _count(removed, decisions.delete())
    _count(removed, agenda.delete())
    _count(removed, meetings.delete())
    _count(removed, AssessmentEvent.objects.filter(assessment__in=assessments).delete())
    _count(removed, assessments.delete())
    _count(removed, EvidenceItem.objects.filter(linked_subject=subject).delete())
    _count(removed, AssessmentMention.objects.filter(subject=subject).delete())
    _count(removed, Approval.objects.filter(subject=subject).delete())
    _count(removed, WarningNoteEvent.objects.filter(warning__subject=subject).delete())
    _count(removed, WarningNote.objects.filter(subject=subject).delete())
    _documents(Document.objects.filter(Q(subject=subject) | Q(case_note__subject=subject)), removed)
    _count(removed, CaseNote.objects.filter(subject=subject).delete())
    _count(removed, Case.objects.filter(subject=subject).delete())


def _stored_responses(names: list[str], removed) -> None:
    """Delete stored API answers (encrypted) whose text holds any of ``names``. They live a
    day (``purge_idempotency_keys``), so there are few to read."""
    from safeguarding.api.models import IdempotencyKey
    from safeguarding.encryption import UndecryptableValue

    lowered = [n.lower() for n in names]
    doomed = []
    for key in IdempotencyKey.objects.only("pk", "response_body").iterator():
        try:
            body = (key.response_body or "").lower()
        except UndecryptableValue:  # pragma: no cover - a key that cannot be read is kept
            continue
        if any(n in body for n in lowered):
            doomed.append(key.pk)
    if doomed:
        _count(removed, IdempotencyKey.objects.filter(pk__in=doomed).delete())


def _young_person(person, action: str, removed) -> None:
    from cases.models import (
        Alias,
        BreakGlassAccess,
        HarmFlag,
        NamedStaff,
        Restriction,
        YoungPersonGroupObjectPermission,
        YoungPersonUserObjectPermission,
    )
    from peers.models import PeerGroupMembership, Relationship
    from safeguarding.subject_access.models import SubjectAccessRequest

    # A request's bundle is a copy of the person's records (and the request names who asked):
    # it goes with them.
    _count(removed, SubjectAccessRequest.objects.filter(young_person=person).delete())
    for restricted in (BreakGlassAccess, NamedStaff, Restriction):
        _count(removed, restricted.objects.filter(young_person=person).delete())
    _count(removed, Alias.objects.filter(young_person=person).delete())
    _count(removed, HarmFlag.objects.filter(young_person=person).delete())
    _count(removed, PeerGroupMembership.objects.filter(young_person=person).delete())
    _count(
        removed,
        Relationship.objects.filter(Q(from_person=person) | Q(to_person=person)).delete(),
    )
    for grants in (YoungPersonUserObjectPermission, YoungPersonGroupObjectPermission):
        _count(removed, grants.objects.filter(content_object=person).delete())
    if action == DisposalAction.DELETE:
        return
    person.given_name = "Disposed of"
    person.family_name = person.name_as_given = person.preferred_name = ""
    person.date_of_birth = None
    person.gender = person.Gender.NOT_KNOWN
    person.ethnicity = person.address = person.postcode = ""
    person.nhs_number = person.unique_pupil_number = person.vulnerabilities = ""
    person.school = None
    person.restricted_reason = (
        "Disposed of under the retention schedule." if person.restricted else ""
    )
    person.save()


def _place(place, action: str, removed) -> None:
    from cases.models import PlaceConcernCount, Plan, YoungPerson
    from contexts.models import (
        ContextGroupObjectPermission,
        ContextGuardian,
        ContextUserObjectPermission,
    )

    _count(removed, ContextGuardian.objects.filter(context=place).delete())
    _count(removed, PlaceConcernCount.objects.filter(place=place).delete())
    YoungPerson.objects.filter(school=place).update(school=None)
    for plan in Plan.objects.filter(Q(safe_place_links=place) | Q(places_to_avoid_links=place)):
        plan.safe_place_links.remove(place)
        plan.places_to_avoid_links.remove(place)
    for grants in (ContextUserObjectPermission, ContextGroupObjectPermission):
        _count(removed, grants.objects.filter(content_object=place).delete())
    if action == DisposalAction.DELETE:
        return
    place.name = "Disposed of"
    place.address = place.postcode = place.description = ""
    place.save()


def _peer_group(group, action: str, removed) -> None:
    from peers.models import (
        PeerGroupGroupObjectPermission,
        PeerGroupMembership,
        PeerGroupUserObjectPermission,
    )

    _count(removed, PeerGroupMembership.objects.filter(peer_group=group).delete())
    for grants in (PeerGroupUserObjectPermission, PeerGroupGroupObjectPermission):
        _count(removed, grants.objects.filter(content_object=group).delete())
    if action == DisposalAction.DELETE:
        return
    group.name = "Disposed of"
    group.description = group.purpose = ""
    group.save()


def dispose_subject(record, action: str) -> dict[str, int]:
    """Anonymise or delete ``record`` (a young person, place or peer group) and everything
    about it (see the module's docstring), in the caller's transaction. Returns how many rows
    of each model went or changed."""
    removed: Counter = Counter()
    subject = record.subject
    names = _names(record)
    _subject_records(subject, removed)
    _concerns(subject, names, removed)
    _referrals(subject, names, removed)
    _stored_responses(names, removed)
    kind = subject.kind
    if kind == "young_person":
        _young_person(record, action, removed)
    elif kind == "context":
        _place(record, action, removed)
    else:
        _peer_group(record, action, removed)
    if action == DisposalAction.DELETE:
        _count(removed, record.delete())
        _count(removed, subject.delete())
    else:
        removed[f"{record._meta.label} (anonymised)"] += 1
    return dict(removed)


def dispose_referral(referral) -> dict[str, int]:
    """Delete a referral that never became a case, with what it was about."""
    removed: Counter = Counter()
    names = [referral.reference] + [
        n for n in referral.about.values_list("described_name", flat=True) if n and len(n) >= 3
    ]
    _stored_responses(names, removed)
    _count(removed, referral.delete())
    return dict(removed)


def _held_referral_about(subject_id: int) -> bool:
    from cases.models import ReferralSubject

    referrals = ReferralSubject.objects.filter(subject_id=subject_id).values_list(
        "referral_id", flat=True
    )
    keys = [f"referral:{pk}" for pk in referrals]
    return LegalHold.objects.filter(lifted_at__isnull=True, record_key__in=keys).exists()


def _open_case(subject_id: int) -> bool:
    from cases.models import Case

    return Case.objects.filter(subject_id=subject_id).exclude(status=Case.Status.CLOSED).exists()


def dispose(*, user, review: RetentionReview) -> DisposalStub:
    """Authorise the disposal of the record of ``review`` (due or extended) by its rule's
    action: the data protection officer of its authority (``visibility.ACCOUNT``; anyone else
    ``NotAllowed`` / ``RecordNotFound``). One transaction: the record disposed of, the review
    ``disposed``, a :class:`DisposalStub` written. Errors (``ApplicationError``): the record is
    under a legal hold, was disposed of already, is kept by an extension that has not run out,
    or has an open case (work started since it was listed)."""
    from cases.models import Referral

    if not visibility.protects_data(user):
        raise NotAllowed()
    with transaction.atomic():
        review = visibility.require(user, review, visibility.ACCOUNT)
        review = (
            RetentionReview.objects.select_for_update(of=("self",))
            .select_related("rule")
            .get(pk=review.pk)
        )
        if review.status == RetentionReview.Status.DISPOSED:
            raise ApplicationError("This record has been disposed of already.")
        if LegalHold.objects.filter(record_key=review.record_key, lifted_at__isnull=True).exists():
            raise ApplicationError("This record is under a legal hold: it cannot be disposed of.")
        if (
            review.status == RetentionReview.Status.EXTENDED
            and review.extended_to
            and review.extended_to > timezone.localdate()
        ):
            raise ApplicationError(
                f"This record is kept until {review.extended_to:%-d %B %Y} (extended): it is "
                "not due for disposal."
            )
        if review.subject_id and _held_referral_about(review.subject_id):
            raise ApplicationError(
                "A referral about this record is under a legal hold: lift the hold first, or "
                "extend this record's retention."
            )
        if review.subject_id and _open_case(review.subject_id):
            # Work started since it was listed: never dispose of a record being worked on.
            raise ApplicationError(
                "This record has an open case: work is going on, so it cannot be disposed of."
            )
        rule = review.rule
        if rule is None:
            raise ApplicationError("This record's rule has gone: list the records due again.")
        action = rule.action
        if review.referral_id:
            referral = Referral.objects.select_for_update().get(pk=review.referral_id)
            removed = dispose_referral(referral)
            action = DisposalAction.DELETE
        elif review.subject_id:
            subject = review.subject
            record = getattr(subject, subject.RECORD_ACCESSORS[subject.kind])
            record = type(record).objects.select_for_update().get(pk=record.pk)
            removed = dispose_subject(record, action)
        else:
            raise ApplicationError("This record no longer exists.")
        review.status = RetentionReview.Status.DISPOSED
        review.save(update_fields=["status"])
        return DisposalStub.objects.create(
            authority_id=review.authority_id,
            record_type=review.record_type,
            reference=review.reference,
            rule=rule.describe(),
            action=action,
            review=review,
            disposed_at=timezone.now(),
            authorised_by=user,
            removed=removed,
        )
