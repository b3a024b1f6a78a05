"""Services write (selectors read). Views, the API and tasks all call these."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from contexts.models import Context
from peers.models import PeerGroup
from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import Organisation, Team, User
from safeguarding.errors import ApplicationError
from safeguarding.notifications.services import (
    ActionAssigned,
    ActionOverdue,
    ConcernAtContext,
    ReferralDecided,
    ReferralReceived,
    TransferDecided,
    TransferRequested,
    TransferWithdrawn,
    WorkAllocated,
    WorkTransferred,
)
from safeguarding.subjects.models import Subject

from .models import (
    Action,
    Allocation,
    Case,
    Concern,
    ConcernSubject,
    HarmCategory,
    Referral,
    ReferralSubject,
    TransferRequest,
    YoungPerson,
    one_working_day_after,
)


def _require(user, obj, action: str) -> None:
    if user is not None and not visibility.can(user, obj, action):
        # Indistinguishable from a missing record.
        raise Http404("No such record")


@transaction.atomic
def case_open(
    *,
    subject,
    team: Team,
    opened_by: User | None,
    worker: User | None = None,
    risk: str = Case.Risk.NOT_ASSESSED,
    reason: str = "",
) -> Case:
    """Open an episode of work on a subject for a team, allocated or in the team's queue.

    The team is granted the subject record, and the worker (if any) is named on it, in this
    transaction.
    """
    if Case.objects.filter(subject=subject).exclude(status=Case.Status.CLOSED).exists():
        raise ApplicationError({"subject": "There is already an open case for this subject."})
    if worker is not None and worker.team_id != team.pk:
        raise ApplicationError({"worker": "The worker must be a member of the team."})
    case = Case.objects.create(
        subject=subject, team=team, allocated_worker=worker, opened_by=opened_by, risk=risk
    )
    Allocation.objects.create(
        case=case, team=team, worker=worker, allocated_by=opened_by, reason=reason or "Case opened"
    )
    record = subject.concrete
    grants.grant_team(record, team)
    if worker is not None:
        grants.name_user(record, worker)
        WorkAllocated.record(
            authority=subject.authority,
            users=[worker],
            reference=subject.reference,
            link=subject.get_absolute_url(),
        )
    return case


def _end_current_allocation(case: Case, now) -> Allocation | None:
    current = case.allocations.filter(ended_at__isnull=True).select_for_update().first()
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    return current


@transaction.atomic
def case_allocate(*, case: Case, worker: User, allocated_by: User | None, reason: str = "") -> Case:
    """Allocate (or reallocate) a case to a worker of its team.

    The previous worker stops being named on the record and the new one is named, in the same
    transaction as the allocation row. ``allocated_by`` must be able to change the case.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(allocated_by, case, visibility.CHANGE)
    if case.status == Case.Status.CLOSED:
        raise ApplicationError("A closed case cannot be allocated.")
    if worker.team_id != case.team_id or not worker.is_active:
        raise ApplicationError({"worker": "Allocate to an active member of the case's team."})
    if worker.pk == case.allocated_worker_id:
        raise ApplicationError({"worker": "The case is already allocated to this worker."})
    now = timezone.now()
    _end_current_allocation(case, now)
    record = case.subject.concrete
    if case.allocated_worker_id:
        grants.unname_user(record, case.allocated_worker)
    case.allocated_worker = worker
    case.save(update_fields=["allocated_worker"])
    Allocation.objects.create(
        case=case,
        team=case.team,
        worker=worker,
        allocated_by=allocated_by,
        started_at=now,
        reason=reason,
    )
    grants.name_user(record, worker)
    WorkAllocated.record(
        authority=case.subject.authority,
        users=[worker],
        reference=case.subject.reference,
        link=case.subject.get_absolute_url(),
    )
    return case


@transaction.atomic
def case_transfer(
    *, case: Case, to_team: Team, transferred_by: User | None, reason: str = ""
) -> Case:
    """Move a case to another team's unallocated queue; access moves with it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(transferred_by, case, visibility.CHANGE)
    return _move_case(case=case, to_team=to_team, by=transferred_by, reason=reason)


def _move_case(*, case: Case, to_team: Team, by: User | None, reason: str) -> Case:
    """The move itself (the caller has locked the case and checked who may move it)."""
    if to_team.pk == case.team_id:
        raise ApplicationError({"to_team": "The case is already with this team."})
    if to_team.organisation_id != case.team.organisation_id:
        raise ApplicationError({"to_team": "Cases move between teams of the same authority."})
    now = timezone.now()
    _end_current_allocation(case, now)
    record = case.subject.concrete
    previous_worker = case.allocated_worker
    if case.allocated_worker_id:
        grants.unname_user(record, case.allocated_worker)
    grants.revoke_team(record, case.team)
    case.team = to_team
    case.allocated_worker = None
    case.save(update_fields=["team", "allocated_worker"])
    Allocation.objects.create(
        case=case,
        team=to_team,
        worker=None,
        allocated_by=by,
        started_at=now,
        reason=reason,
    )
    grants.grant_team(record, to_team)
    # The worker who held it, and the managers of the team whose queue it joins.
    receiving_managers = to_team.members.filter(role=User.Role.TEAM_MANAGER, is_active=True)
    WorkTransferred.record(
        authority=case.subject.authority,
        users=[u for u in [previous_worker, *receiving_managers] if u is not None and u != by],
        reference=case.subject.reference,
        link=case.subject.get_absolute_url(),
    )
    return case


@transaction.atomic
def case_close(*, case: Case, closed_by: User | None, reason: str) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(closed_by, case, visibility.CHANGE)
    if not case.can_move_to(Case.Status.CLOSED):
        raise ApplicationError("This case is already closed.")
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the case is closing."})
    now = timezone.now()
    _end_current_allocation(case, now)
    if case.allocated_worker_id:
        # The worker is no longer named on the record; the team keeps it as its history.
        grants.unname_user(case.subject.concrete, case.allocated_worker)
    case.status = Case.Status.CLOSED
    case.closed_at = now
    case.closure_reason = reason
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    return case


@dataclass(frozen=True)
class NewYoungPerson:
    """A young person added while logging a concern (not yet known to the council)."""

    given_name: str
    family_name: str
    part: str
    date_of_birth: date | None = None


@dataclass(frozen=True)
class NewPlace:
    name: str
    kind: str
    postcode: str = ""


@transaction.atomic
def concern_log(
    *,
    logged_by: User,
    occurred_at: datetime,
    narrative: str,
    harm_categories,
    source: str,
    reliability: str,
    source_detail: str = "",
    location: Context | None = None,
    new_place: NewPlace | None = None,
    location_description: str = "",
    young_people: list[tuple[YoungPerson, str]] = (),
    new_young_people: list[NewYoungPerson] = (),
    peer_group: PeerGroup | None = None,
) -> Concern:
    """Log a concern about young people, a place and/or a peer group, in one transaction.

    New places and young people named inline are created with it. The logger's team is given
    the place and the peer group (the team now works with them); a new young person goes to the
    logger's team's unallocated queue. Every existing record must be one the logger may pick,
    otherwise it is refused as if it did not exist.
    """
    if not visibility.logs_concerns(logged_by):
        raise ApplicationError("Only social workers and team managers log concerns.")
    errors = {}
    if occurred_at > timezone.now():
        errors["occurred_at"] = "The date and time must be in the past."
    if not narrative.strip():
        errors["narrative"] = "Enter what happened."
    if (
        not young_people
        and not new_young_people
        and not location
        and not new_place
        and not (peer_group)
    ):
        errors["young_people"] = "Say who or where the concern is about."
    if location and new_place:
        errors["location"] = "Choose a known place or add a new one, not both."
    people = [yp for yp, _ in young_people]
    if len({yp.pk for yp in people}) != len(people):
        errors["young_people"] = "Each young person can be named once."
    for yp, part in young_people:
        if part not in ConcernSubject.PARTS_BY_KIND[Subject.Kind.YOUNG_PERSON]:
            errors["young_people"] = "Say what part each young person had."
        if not visibility.can(logged_by, yp, visibility.PICK):
            errors["young_people"] = "Choose each young person from the list."
    if location is not None and not visibility.can(logged_by, location, visibility.PICK):
        errors["location"] = "Choose the place from the list."
    if peer_group is not None and not visibility.can(logged_by, peer_group, visibility.PICK):
        errors["peer_group"] = "Choose the peer group from the list."
    if errors:
        raise ApplicationError(errors)

    authority = logged_by.organisation
    team = logged_by.team
    if new_place is not None:
        location = Context(
            authority=authority,
            name=new_place.name,
            kind=new_place.kind,
            postcode=new_place.postcode,
            created_by=logged_by,
        )
        location.full_clean(exclude=["subject"])
        location.save()
    involved: list[tuple[Subject, str]] = [(yp.subject, part) for yp, part in young_people]
    for new in new_young_people:
        yp = YoungPerson(
            authority=authority,
            given_name=new.given_name,
            family_name=new.family_name,
            date_of_birth=new.date_of_birth,
        )
        yp.save()
        case_open(subject=yp.subject, team=team, opened_by=logged_by, reason="Named in a concern")
        involved.append((yp.subject, new.part))

    concern = Concern.objects.create(
        authority=authority,
        occurred_at=occurred_at,
        narrative=narrative,
        source=source,
        source_detail=source_detail,
        reliability=reliability,
        location_description=location_description,
        logged_by=logged_by,
    )
    concern.harm_categories.set(harm_categories)
    if location is not None:
        involved.append((location.subject, ConcernSubject.Part.LOCATION))
        grants.grant_team(location, team)
    if peer_group is not None:
        involved.append((peer_group.subject, ConcernSubject.Part.PEER_GROUP))
        grants.grant_team(peer_group, team)
    for subject, part in involved:  # one by one: each link is written to the audit
        ConcernSubject.objects.create(concern=concern, subject=subject, part=part)
    if location is not None:
        _tell_guardians_of_concern(location)
    return concern


def _tell_guardians_of_concern(place: Context) -> None:
    """Organisations that asked to hear of concerns at a place (a station's operator, a
    school's safeguarding lead) are told that one was logged: the place's reference only."""
    organisations = [
        g.organisation
        for g in place.guardians.filter(told_of_concerns=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("pk")
    ]
    if organisations:
        ConcernAtContext.record(
            authority=place.authority,
            organisations=organisations,
            reference=place.subject.reference,
            link=place.get_absolute_url(),
        )


@transaction.atomic
def transfer_request(*, case: Case, to_team: Team, requested_by: User, reason: str):
    """Offer a case to another team. Nothing moves until its manager accepts."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(requested_by, case, visibility.CHANGE)
    if not visibility.manages_team(requested_by):
        raise Http404("No such record")
    errors = {}
    if to_team.pk == case.team_id:
        errors["to_team"] = "Choose another team."
    elif to_team.organisation_id != case.team.organisation_id:
        errors["to_team"] = "Choose a team of this authority."
    if not reason.strip():
        errors["reason"] = "Say why the case should move."
    if case.status == Case.Status.CLOSED:
        errors["to_team"] = "A closed case cannot be transferred."
    if case.transfer_requests.filter(status=TransferRequest.Status.PENDING).exists():
        errors["to_team"] = "A transfer of this case is already waiting for a decision."
    if errors:
        raise ApplicationError(errors)
    transfer = TransferRequest.objects.create(
        case=case, from_team=case.team, to_team=to_team, reason=reason, requested_by=requested_by
    )
    TransferRequested.record(
        authority=case.subject.authority,
        users=to_team.members.filter(role=User.Role.TEAM_MANAGER, is_active=True),
        reference=case.subject.reference,
        link=reverse("cases:transfer", args=[transfer.pk]),
    )
    return transfer


def _pending_transfer_for_update(request: TransferRequest, user: User) -> TransferRequest:
    request = TransferRequest.objects.select_for_update().get(pk=request.pk)
    _require(user, request, visibility.CHANGE)
    if request.status != TransferRequest.Status.PENDING:
        raise ApplicationError("This transfer has already been decided.")
    return request


@transaction.atomic
def transfer_accept(*, request: TransferRequest, accepted_by: User) -> Case:
    """The receiving manager takes the case into their team's unallocated queue; access moves
    in this transaction."""
    request = _pending_transfer_for_update(request, accepted_by)
    if accepted_by.team_id != request.to_team_id:
        raise Http404("No such record")
    case = Case.objects.select_for_update().get(pk=request.case_id)
    if case.team_id != request.from_team_id or case.status == Case.Status.CLOSED:
        raise ApplicationError("The case has changed since the transfer was asked for.")
    _move_case(case=case, to_team=request.to_team, by=accepted_by, reason=request.reason)
    request.status = TransferRequest.Status.ACCEPTED
    request.decided_by, request.decided_at = accepted_by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    _tell_requester(request)
    return case


def _tell_requester(request: TransferRequest) -> None:
    TransferDecided.record(
        authority=request.case.subject.authority,
        users=[request.requested_by],
        reference=request.case.subject.reference,
        link=reverse("cases:transfer", args=[request.pk]),
    )


@transaction.atomic
def transfer_reject(*, request: TransferRequest, rejected_by: User, reason: str) -> None:
    request = _pending_transfer_for_update(request, rejected_by)
    if rejected_by.team_id != request.to_team_id:
        raise Http404("No such record")
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the transfer is rejected."})
    request.status = TransferRequest.Status.REJECTED
    request.decided_by, request.decided_at = rejected_by, timezone.now()
    request.decision_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _tell_requester(request)


@transaction.atomic
def transfer_withdraw(*, request: TransferRequest, withdrawn_by: User) -> None:
    """The offering team's manager takes back a transfer not yet decided; the receiving team's
    managers, who were asked, are told."""
    request = _pending_transfer_for_update(request, withdrawn_by)
    if withdrawn_by.team_id != request.from_team_id or not visibility.manages_team(withdrawn_by):
        raise Http404("No such record")
    request.status = TransferRequest.Status.WITHDRAWN
    request.decided_by, request.decided_at = withdrawn_by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    TransferWithdrawn.record(
        authority=request.case.subject.authority,
        users=request.to_team.members.filter(role=User.Role.TEAM_MANAGER, is_active=True),
        reference=request.case.subject.reference,
        link=reverse("cases:team"),
    )


# --- the front door ---------------------------------------------------------------------------

#: Decisions that start work: the linked young people and places get an open case in the
#: deciding manager's team (unallocated, waiting in its queue).
DECISIONS_THAT_OPEN_WORK = {
    Referral.Decision.YOUNG_PERSON_ASSESSMENT,
    Referral.Decision.STRATEGY_DISCUSSION,
    Referral.Decision.CONTEXT_ASSESSMENT,
    Referral.Decision.MACE,
}
NEW = "new"


@transaction.atomic
def referral_start_screening(*, referral: Referral, by: User) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(by, referral, visibility.CHANGE)
    if referral.status != Referral.Status.RECEIVED:
        raise ApplicationError("Only a newly received referral can move to screening.")
    referral.status = Referral.Status.SCREENING
    referral.save(update_fields=["status"])
    return referral


@transaction.atomic
def referral_decide(
    *,
    referral: Referral,
    decision: str,
    reason: str,
    decided_by: User,
    links: dict | None = None,
) -> Referral:
    """Record the front door's decision on a referral.

    ``links`` maps each of the referral's ``ReferralSubject`` ids to an existing subject record
    (a young person or context the manager may pick) or to ``NEW`` (create it from what the
    referrer described). For decisions that start work, each linked subject without open work
    gets a case in the manager's team. The referrer learns the decision (status, decision and
    date) through the API.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(decided_by, referral, visibility.CHANGE)
    errors = {}
    if referral.status not in (Referral.Status.RECEIVED, Referral.Status.SCREENING):
        raise ApplicationError("This referral has already been decided.")
    if decision not in Referral.Decision.values:
        errors["decision"] = "Choose a decision."
    if not reason.strip():
        errors["reason"] = "Give the reason for the decision."
    about = {row.pk: row for row in referral.about.select_for_update()}
    links = links or {}
    for row_id, target in links.items():
        row = about.get(int(row_id))
        if row is None:
            errors["links"] = "Link only what this referral is about."
            continue
        if target in (None, ""):
            continue
        if target == NEW:
            if not row.described_name:
                errors["links"] = "There is no description to create a record from."
            continue
        if target.subject.kind != row.kind or not visibility.can(
            decided_by, target, visibility.MATCH
        ):
            errors["links"] = "Choose records from the lists offered."
    if errors:
        raise ApplicationError(errors)

    linked = []
    for row_id, target in links.items():
        if target in (None, ""):
            continue
        row = about[int(row_id)]
        record = _record_from_description(row, decided_by) if target == NEW else target
        row.subject = record.subject
        row.save(update_fields=["subject"])
        linked.append(record)
    if decision in DECISIONS_THAT_OPEN_WORK and decided_by.team_id:
        for record in linked:
            if (
                not Case.objects.filter(subject=record.subject)
                .exclude(status=Case.Status.CLOSED)
                .exists()
            ):
                case_open(
                    subject=record.subject,
                    team=decided_by.team,
                    opened_by=decided_by,
                    reason=f"Referral {referral.reference}: {Referral.Decision(decision).label}",
                )
    referral.status = Referral.Status.DECIDED
    referral.decision = decision
    referral.decision_reason = reason
    referral.decided_by = decided_by
    referral.decided_at = timezone.now()
    referral.save(
        update_fields=["status", "decision", "decision_reason", "decided_by", "decided_at"]
    )
    ReferralDecided.record(
        authority=referral.authority,
        organisations=[referral.source_organisation],
        users=[referral.referred_by],
        emails=[(referral.source_organisation, referral.referrer_email)]
        if referral.referrer_email
        else [],
        reference=referral.reference,
        link=referral.get_absolute_url(),
    )
    return referral


def _record_from_description(row: ReferralSubject, by: User):
    """A new young person or place from what the referrer described."""
    authority = by.organisation
    if row.kind == Subject.Kind.CONTEXT:
        kind = (
            row.described_place_kind
            if row.described_place_kind in Context.Kind.values
            else (Context.Kind.OTHER)
        )
        place = Context(
            authority=authority,
            name=row.described_name,
            kind=kind,
            address=row.described_address,
            postcode=row.described_postcode,
            created_by=by,
        )
        place.save()
        return place
    if row.kind == Subject.Kind.YOUNG_PERSON:
        given, _, family = row.described_name.strip().partition(" ")
        person = YoungPerson(
            authority=authority,
            given_name=given,
            family_name=family or "(not given)",
            date_of_birth=row.described_date_of_birth,
            address=row.described_address,
            postcode=row.described_postcode,
        )
        person.save()
        return person
    raise ApplicationError({"links": "Peer groups are linked, not created, at the front door."})


@dataclass(frozen=True)
class ReferredYoungPerson:
    """A young person a referral is about: as the referrer describes them and/or, for staff,
    the council's reference of a young person they may pick."""

    name: str = ""
    date_of_birth: date | None = None
    address: str = ""
    postcode: str = ""
    reference: str = ""


@dataclass(frozen=True)
class ReferredPlace:
    """A place a referral is about: a known place by reference, or described."""

    reference: str = ""
    name: str = ""
    kind: str = ""
    address: str = ""
    postcode: str = ""


class ReferralMessages:
    """What a refused referral is told (the API checks the simple rules up front, too)."""

    NOBODY = "Say who or where the referral is about."
    PERSON_NAME = "Give the young person's name."
    BORN_IN_FUTURE = "The date of birth must be in the past."
    PLACE_NAME = "Give the place's name, or the reference of a known place."
    PLACE_KIND = "Say what kind of place it is."
    CONTACT = "Give an email address or a phone number to reply to."
    CONSENT_BASIS = "Consent can be the lawful basis only when consent was given."
    WHY_WITHOUT_CONSENT = "Say why the information is shared without consent."


@transaction.atomic
def referral_receive(
    *,
    referred_by: User,
    young_people: Sequence[ReferredYoungPerson] = (),
    places: Sequence[ReferredPlace] = (),
    harm_categories: Sequence[HarmCategory],
    narrative: str,
    urgency: str,
    referrer_name: str,
    referrer_role: str = "",
    referrer_email: str = "",
    referrer_phone: str = "",
    consent: str,
    lawful_basis: str,
    lawful_basis_detail: str = "",
) -> Referral:
    """Receive a referral at the front door: it joins the authority's triage queue
    (``selectors.referrals_awaiting_triage``) as *received*, due for a decision one working day
    later.

    A partner agency's user (or API token) refers to its own authority, as its organisation;
    staff refer to their own authority. The referral and every person and place it is about are
    created in one transaction, or nothing is (``ApplicationError`` lists every problem, keyed
    by the field path, e.g. ``young_people[0].date_of_birth``).

    Partners *describe* young people: a council reference from a partner is refused whether or
    not it exists, so the answer reveals nothing. Places may be named by the reference of a place
    the referrer may pick (for partners, the directory of their authority's places). Raises
    ``PermissionDenied`` for roles that do not make referrals.

    Text arrives as the caller's fields cleaned it (:mod:`safeguarding.text`: NFC, postcodes
    upper-cased, lengths checked after that) and is stored as given: transforming it here,
    after the length checks, could make it too long for its column.
    """
    if not visibility.refers(referred_by):
        raise PermissionDenied("Your role does not make referrals.")
    organisation = referred_by.organisation
    is_partner = visibility.is_partner_agency(referred_by)
    authority = organisation.authority if is_partner else organisation
    if authority is None or not organisation.is_active:
        raise PermissionDenied("Your organisation is not set up to make referrals.")

    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not young_people and not places:
        errors["young_people"] = ReferralMessages.NOBODY
    people, seen_people = [], set()
    for i, person in enumerate(young_people):
        at = f"young_people[{i}]"
        record = None
        if person.reference:
            if is_partner:
                errors[f"{at}.reference"] = (
                    "Partner agencies describe young people (name, date of birth, address): "
                    "council references are not accepted."
                )
            else:
                record = (
                    visibility.restrict(referred_by, YoungPerson, visibility.PICK)
                    .filter(subject__reference=person.reference)
                    .select_related("subject")
                    .first()
                )
                if record is None:
                    errors[f"{at}.reference"] = "No young person you may choose has this reference."
                elif record.pk in seen_people:
                    errors[f"{at}.reference"] = "Each young person can be named once."
                else:
                    seen_people.add(record.pk)
        elif not person.name.strip():
            errors[f"{at}.name"] = ReferralMessages.PERSON_NAME
        if person.date_of_birth and person.date_of_birth > today:
            errors[f"{at}.date_of_birth"] = ReferralMessages.BORN_IN_FUTURE
        people.append((person, record))
    known_places, seen_places = [], set()
    for i, place in enumerate(places):
        at = f"contexts[{i}]"
        record = None
        if place.reference:
            record = (
                visibility.restrict(referred_by, Context, visibility.PICK)
                .filter(subject__reference=place.reference)
                .select_related("subject")
                .first()
            )
            if record is None:
                errors[f"{at}.reference"] = (
                    "No place in your directory has this reference (see GET /api/v1/contexts/)."
                )
            elif record.pk in seen_places:
                errors[f"{at}.reference"] = "Each place can be named once."
            else:
                seen_places.add(record.pk)
        else:
            if not place.name.strip():
                errors[f"{at}.name"] = ReferralMessages.PLACE_NAME
            if place.kind not in Context.Kind.values:
                errors[f"{at}.kind"] = ReferralMessages.PLACE_KIND
        known_places.append((place, record))
    if not harm_categories:
        errors["harm_categories"] = "Choose at least one harm category."
    elif any(not category.is_active for category in harm_categories):
        errors["harm_categories"] = "Choose harm categories in use."
    if not narrative.strip():
        errors["narrative"] = "Say what happened and why you are worried."
    if urgency not in Referral.Urgency.values:
        errors["urgency"] = "Choose how urgent the referral is."
    if not referrer_name.strip():
        errors["referrer.name"] = "Give the referrer's name."
    if not (referrer_email.strip() or referrer_phone.strip()):
        errors["referrer.email"] = ReferralMessages.CONTACT
    if consent not in Referral.Consent.values:
        errors["consent"] = "Say whether consent was given."
    if lawful_basis not in Referral.LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing."
    elif lawful_basis == Referral.LawfulBasis.CONSENT and consent != Referral.Consent.GIVEN:
        errors["lawful_basis"] = ReferralMessages.CONSENT_BASIS
    if consent != Referral.Consent.GIVEN and not lawful_basis_detail.strip():
        errors["lawful_basis_detail"] = ReferralMessages.WHY_WITHOUT_CONSENT
    if errors:
        raise ApplicationError(errors)

    received_at = timezone.now()
    referral = Referral.objects.create(
        authority=authority,
        source_organisation=organisation,
        referred_by=referred_by,
        referrer_name=referrer_name.strip(),
        referrer_role=referrer_role.strip(),
        referrer_email=referrer_email.strip(),
        referrer_phone=referrer_phone.strip(),
        received_at=received_at,
        decision_due_at=one_working_day_after(received_at),
        urgency=urgency,
        narrative=narrative,
        consent=consent,
        lawful_basis=lawful_basis,
        lawful_basis_detail=lawful_basis_detail,
    )
    referral.harm_categories.set(harm_categories)
    # One by one, not in bulk: each row is audited like any other write.
    for person, record in people:
        ReferralSubject.objects.create(
            referral=referral,
            kind=Subject.Kind.YOUNG_PERSON,
            subject=record.subject if record else None,
            described_name=person.name.strip(),
            described_date_of_birth=person.date_of_birth,
            described_address=person.address.strip(),
            described_postcode=person.postcode,
        )
    for place, record in known_places:
        ReferralSubject.objects.create(
            referral=referral,
            kind=Subject.Kind.CONTEXT,
            subject=record.subject if record else None,
            described_name=place.name.strip(),
            described_place_kind=place.kind,
            described_address=place.address.strip(),
            described_postcode=place.postcode,
        )
    # The referrer's organisation (on its channels) and the person who referred (at the address
    # they gave) are told it arrived: its reference only.
    ReferralReceived.record(
        authority=authority,
        organisations=[organisation],
        users=[referred_by],
        emails=[(organisation, referral.referrer_email)] if referral.referrer_email else [],
        reference=referral.reference,
        link=referral.get_absolute_url(),
    )
    # Re-read through the rule: a referral its maker could not see would be a bug, not a save.
    return visibility.get_or_404(referred_by, Referral, pk=referral.pk)


#: What the owner of an action may set it to (cancelling is the council's decision).
ACTION_PROGRESS_STATUSES = (Action.Status.OPEN, Action.Status.IN_PROGRESS, Action.Status.DONE)


@transaction.atomic
def action_record_progress(
    *, action: Action, by: User, status: str | None = None, progress_note: str | None = None
) -> Action:
    """Record progress on an action: its status (not started, in progress, done) and a note.

    ``by`` must be able to change the action (its owner: a worker, or a partner organisation's
    user or API token), otherwise the action looks missing. A cancelled action cannot be
    changed this way. Moving to *done* records when; moving away from it clears that.
    """
    action = Action.objects.select_for_update().get(pk=action.pk)
    _require(by, action, visibility.CHANGE)
    if status is None and progress_note is None:
        return action
    if action.status == Action.Status.CANCELLED:
        raise ApplicationError("This action was cancelled: ask the council before working on it.")
    if status is not None and status not in ACTION_PROGRESS_STATUSES:
        raise ApplicationError({"status": "Choose not started, in progress or done."})
    fields = ["updated_at"]
    if status is not None and status != action.status:
        action.status = status
        action.completed_at = timezone.now() if status == Action.Status.DONE else None
        fields += ["status", "completed_at"]
    if progress_note is not None:
        action.progress_note = progress_note
        fields.append("progress_note")
    action.save(update_fields=fields)
    return action


@transaction.atomic
def action_assign(
    *,
    subject: Subject,
    description: str,
    due_on: date,
    assigned_by: User,
    owner_user: User | None = None,
    owner_organisation: Organisation | None = None,
) -> Action:
    """Give someone something to do about a subject by a date: a worker of the authority, or a
    partner organisation of it (the police, a school, a station's operator...). The owner is
    told (``ActionAssigned``). ``assigned_by`` must be able to change the subject."""
    _require(assigned_by, subject.concrete, visibility.CHANGE)
    authority = subject.authority
    errors = {}
    if not description.strip():
        errors["description"] = "Say what must be done."
    if due_on < timezone.localdate():
        errors["due_on"] = "The due date must be today or in the future."
    if (owner_user is None) == (owner_organisation is None):
        errors["owner"] = "Choose a worker or an organisation to do it, one of the two."
    elif owner_user is not None and (
        owner_user.organisation_id != authority.pk or not owner_user.is_active
    ):
        errors["owner"] = "Choose a worker of this authority."
    elif owner_organisation is not None and (
        not owner_organisation.is_active
        or authority.pk not in (owner_organisation.pk, owner_organisation.authority_id)
    ):
        errors["owner"] = "Choose an organisation that works with this authority."
    if errors:
        raise ApplicationError(errors)
    action = Action.objects.create(
        subject=subject,
        description=description.strip(),
        due_on=due_on,
        owner_user=owner_user,
        owner_organisation=owner_organisation,
        created_by=assigned_by,
    )
    ActionAssigned.record(
        authority=authority,
        users=[owner_user] if owner_user and owner_user != assigned_by else [],
        organisations=[owner_organisation] if owner_organisation else [],
        reference=subject.reference,
        link=_action_link(action),
    )
    return action


def _action_link(action: Action) -> str:
    # Partner agencies work on actions through the API; staff on the subject's page.
    if action.owner_organisation_id:
        return reverse("api:action-detail", args=[action.pk])
    return action.subject.get_absolute_url()


def actions_notify_overdue(*, limit: int = 1000) -> int:
    """Tell each partner organisation, once, of its actions that are past their due date (run
    by Celery beat). Each action is marked in the transaction that records its notification, so
    an interrupted run neither repeats nor skips one. Returns how many were told."""
    today = timezone.localdate()
    due = Action.objects.filter(
        status__in=Action.OPEN_STATUSES,
        due_on__lt=today,
        owner_organisation__isnull=False,
        overdue_notified_at__isnull=True,
    ).order_by("due_on", "pk")
    told = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            action = (
                Action.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, overdue_notified_at__isnull=True)
                .select_related("subject__authority", "owner_organisation")
                .first()
            )
            if action is None:
                continue
            ActionOverdue.record(
                authority=action.subject.authority,
                organisations=[action.owner_organisation],
                reference=action.subject.reference,
                link=_action_link(action),
            )
            action.overdue_notified_at = timezone.now()
            action.save(update_fields=["overdue_notified_at"])
            told += 1
    return told
