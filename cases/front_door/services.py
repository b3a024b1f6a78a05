"""The front door: receiving, screening and deciding referrals."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.casework.services import case_open
from cases.front_door.selectors import identical_records
from cases.models import (
    Case,
    HarmCategory,
    Referral,
    ReferralSubject,
    YoungPerson,
    one_working_day_after,
)
from cases.young_people.dates import Messages as DateOfBirth
from cases.young_people.dates import check_date_of_birth
from cases.young_people.names import split_full_name
from contexts.models import Context
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.duplicates import PossibleDuplicates
from safeguarding.errors import ApplicationError, NotAllowed
from safeguarding.notifications.services import (
    ReferralDecided,
    ReferralReceived,
)
from safeguarding.subjects.models import Subject

#: Decisions that start work, and what each starts it on: the kinds of subject of the
#: referral (linked before or at the decision) that get a case in the deciding manager's team
#: (unallocated, waiting in its queue), or keep the open case they already have. A decision
#: about none of its kinds is refused: it would start work nowhere.
#:
#: * an assessment of the young person, a strategy discussion (Children Act 1989 s.47, about
#:   a child): the young people;
#: * a context assessment (Contextual Safeguarding): the places and peer groups;
#: * MACE (the multi-agency child exploitation meeting): everyone and everywhere named.
WORK_STARTED_ON = {
    Referral.Decision.YOUNG_PERSON_ASSESSMENT: (Subject.Kind.YOUNG_PERSON,),
    Referral.Decision.STRATEGY_DISCUSSION: (Subject.Kind.YOUNG_PERSON,),
    Referral.Decision.CONTEXT_ASSESSMENT: (Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP),
    Referral.Decision.MACE: (
        Subject.Kind.YOUNG_PERSON,
        Subject.Kind.CONTEXT,
        Subject.Kind.PEER_GROUP,
    ),
}
DECISIONS_THAT_OPEN_WORK = set(WORK_STARTED_ON)


class DecisionMessages:
    NO_TEAM = (
        "This decision starts work, which opens a case in your team, and you are not in a "
        "team. Ask an administrator to add you to one, or choose another decision."
    )
    NOTHING_TO_WORK_ON = (
        "{decision} starts work on {kinds}, and this decision links none: link or create "
        "the record it is about, or choose another decision."
    )
    KIND_WORDS = {
        Subject.Kind.YOUNG_PERSON: "a young person",
        Subject.Kind.CONTEXT: "a place",
        Subject.Kind.PEER_GROUP: "a peer group",
    }

    @classmethod
    def nothing_to_work_on(cls, decision: str) -> str:
        words = [cls.KIND_WORDS[k] for k in WORK_STARTED_ON[decision]]
        kinds = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        return cls.NOTHING_TO_WORK_ON.format(
            decision=Referral.Decision(decision).label, kinds=kinds
        )


NEW = "new"

#: A new record asked for when an identical one is on record (and not confirmed).
SAME_RECORD = (
    "A record identical to this description already exists: link to it, or confirm that a new "
    "record is needed."
)


@transaction.atomic
def referral_start_screening(*, referral: Referral, by: User) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    visibility.require(by, referral, visibility.CHANGE)
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
    confirmed_new: Collection[int] = (),
) -> Referral:
    """Record the front door's decision on a referral.

    ``links`` maps each of the referral's ``ReferralSubject`` ids to an existing subject record
    (a young person or context the manager may pick) or to ``NEW`` (create it from what the
    referrer described). A decision that starts work (:data:`WORK_STARTED_ON`) opens a case in
    the manager's team on each subject of its kinds that the referral is linked to and that has
    no open work (one with open work keeps its case); it is refused (``ApplicationError``:
    ``links``) when the referral is linked to no subject of its kinds, and (``decision``) when
    the manager is in no team. The referrer learns the decision (status, decision and date)
    through the API.

    ``NEW`` for a row whose description is identical to a record ``decided_by`` may match (a
    young person with the same name and date of birth, a place with the same name and
    postcode: ``selectors.identical_records``) is refused unless the row's id is in
    ``confirmed_new``: ``PossibleDuplicates`` (nothing saved), its matches keyed by row id.
    Records the manager may not match are never considered.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    visibility.require(decided_by, referral, visibility.CHANGE)
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
    if decision in WORK_STARTED_ON and "decision" not in errors:
        # Work starts on the subjects of the decision's kinds: linked already (by the referrer's
        # reference, or earlier) or linked now. None: refused, never "decided" with no case.
        kinds = WORK_STARTED_ON[decision]
        chosen = {int(row_id): target for row_id, target in links.items()}
        will_be_linked = {
            row.pk
            for row in about.values()
            if row.subject_id or chosen.get(row.pk) not in (None, "")
        }
        if not any(row.kind in kinds and row.pk in will_be_linked for row in about.values()):
            errors.setdefault("links", DecisionMessages.nothing_to_work_on(decision))
        if not decided_by.team_id:
            errors["decision"] = DecisionMessages.NO_TEAM
    if errors:
        raise ApplicationError(errors)
    identical = {
        int(row_id): found
        for row_id, target in links.items()
        if target == NEW
        and int(row_id) not in confirmed_new
        and (found := identical_records(user=decided_by, row=about[int(row_id)]))
    }
    if identical:
        raise PossibleDuplicates({"links": SAME_RECORD}, matches=identical)

    for row_id, target in links.items():
        if target in (None, ""):
            continue
        row = about[int(row_id)]
        record = _record_from_description(row, decided_by) if target == NEW else target
        row.subject = record.subject
        row.save(update_fields=["subject"])
    if decision in WORK_STARTED_ON:
        kinds = WORK_STARTED_ON[decision]
        for row in sorted(about.values(), key=lambda r: r.pk):
            if row.subject_id is None or row.kind not in kinds:
                continue
            # Open work already (in any team): the referral is linked to its subject, whose
            # case carries on; otherwise a case in the manager's team.
            if (
                Case.objects.filter(subject_id=row.subject_id)
                .exclude(status=Case.Status.CLOSED)
                .exists()
            ):
                continue
            case_open(
                subject=row.subject,
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
        # The full name is kept as given; the split is at the last space, and a single name
        # has no family name (blank, never a placeholder): cases/young_people/names.py.
        given, family = split_full_name(row.described_name)
        person = YoungPerson(
            authority=authority,
            given_name=given,
            family_name=family,
            name_as_given=row.described_name,
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
    BORN_IN_FUTURE = DateOfBirth.FUTURE
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
    ``safeguarding.errors.NotAllowed`` for roles that do not make referrals (the API's 403).

    Text arrives as the caller's fields cleaned it (:mod:`safeguarding.text`: NFC, postcodes
    upper-cased, lengths checked after that) and is stored as given: transforming it here,
    after the length checks, could make it too long for its column.
    """
    if not visibility.refers(referred_by):
        raise NotAllowed("Your role does not make referrals.")
    organisation = referred_by.organisation
    is_partner = visibility.is_partner_agency(referred_by)
    authority = organisation.authority if is_partner else organisation
    if authority is None or not organisation.is_active:
        raise NotAllowed("Your organisation is not set up to make referrals.")

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
        try:  # cases/young_people/dates.py: the one rule for dates of birth
            check_date_of_birth(person.date_of_birth, today=today)
        except ValidationError as error:
            errors[f"{at}.date_of_birth"] = error.messages[0]
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
    return visibility.require(referred_by, referral)


#: The web form's one-time token is kept as an Idempotency-Key of its own kind: the API's keys
#: and the form's never meet.
FORM_TOKEN_PREFIX = "web-referral:"  # noqa: S105 (a prefix, not a secret)


def referral_receive_once(
    *, form_token: str, referred_by: User, **arguments
) -> tuple[Referral, bool]:
    """:func:`referral_receive` at most once per ``form_token`` (the one-time token the web
    referral form carries), as ``POST /api/v1/referrals/`` does at most once per
    ``Idempotency-Key``, in the same table (``safeguarding.api.models.IdempotencyKey``, kept
    24 hours, scoped to the caller).

    Returns ``(referral, replayed)``: a form sent again with the same token (a double click, a
    reload after the answer was lost) gets the referral the first made, ``replayed`` true, and
    nothing new. A second sending while the first is still being saved waits for it (a lock on
    the token's row). A refused referral (``ApplicationError``) stores nothing: the corrected
    form may be sent with the same token. Without a token (a form from before tokens) the
    referral is simply received.
    """
    from safeguarding.api.models import IdempotencyKey

    token = form_token.strip()[:200]
    if not token:
        return referral_receive(referred_by=referred_by, **arguments), False
    key = f"{FORM_TOKEN_PREFIX}{token}"
    IdempotencyKey.objects.bulk_create(
        [
            IdempotencyKey(
                caller=referred_by,
                organisation_id=referred_by.organisation_id,
                key=key,
                method="POST",
                path="referral form",
                fingerprint="",
            )
        ],
        ignore_conflicts=True,
    )
    with transaction.atomic():
        row = IdempotencyKey.objects.select_for_update().get(caller=referred_by, key=key)
        if row.is_completed and not row.has_expired(timezone.now()):
            referral = visibility.require(
                referred_by, Referral.objects.get(reference=row.response_body)
            )
            return referral, True
        referral = referral_receive(referred_by=referred_by, **arguments)
        row.created_at = timezone.now()
        row.completed_at = timezone.now()
        row.response_status = 201
        row.response_body = referral.reference
        row.response_headers = {"Location": referral.get_absolute_url()}
        row.save()
        return referral, False
