"""Logging a concern."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.casework.services import case_open
from cases.models import (
    Concern,
    ConcernSubject,
    YoungPerson,
)
from cases.young_people.dates import check_born_by, check_date_of_birth
from contexts.models import Context
from peers.models import PeerGroup
from safeguarding import duplicates
from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError
from safeguarding.notifications.services import (
    ConcernAtContext,
)
from safeguarding.subjects.models import Subject


@dataclass(frozen=True)
class NewYoungPerson:
    """A young person added while logging a concern (not yet known to the council)."""

    given_name: str
    family_name: str
    part: str
    date_of_birth: date | None = None
    #: The user has seen the young people it may be (:class:`PossibleDuplicates`) and said it
    #: is someone new.
    confirmed_new: bool = False


@dataclass(frozen=True)
class NewPlace:
    name: str
    kind: str
    postcode: str = ""
    #: The user has seen the places it may be and said it is a new one.
    confirmed_new: bool = False


#: What a new record that may be a known one is told (at its name field).
SAME_YOUNG_PERSON = (
    "A young person with this name and date of birth is already on record. Choose them, or "
    "say that this is someone new."
)
SAME_PLACE = (
    "A place with this name and postcode is already on record. Choose it, or say that this is "
    "a new place."
)


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
    born_after_confirmed: bool = False,
) -> Concern:
    """Log a concern about young people, a place and/or a peer group, in one transaction.

    New places and young people named inline are created with it. The logger's team is given
    the place and the peer group (the team now works with them); a new young person goes to the
    logger's team's unallocated queue. Every existing record must be one the logger may pick,
    otherwise it is refused as if it did not exist. A new young person's date of birth must be
    in the past; someone named born after the day it happened is refused as a warning
    (``young_people``, code ``after_concern``) unless ``born_after_confirmed`` (the user checked
    both dates: :mod:`cases.young_people.dates`).

    A new young person with the name and date of birth of one the logger may pick, or a new
    place with the name and postcode of one they may pick (:mod:`safeguarding.duplicates`), is
    refused unless ``confirmed_new``: ``PossibleDuplicates`` (nothing saved) with the matches
    keyed by the new young person's index in ``new_young_people``, or ``"new_place"``; its
    messages are under ``new_young_people`` and ``new_place``. Records the logger may not
    pick are never matched.
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
    # Dates of birth (cases/young_people/dates.py): not in the future, not after the concern.
    day = timezone.localtime(occurred_at).date()
    for born, new in [(yp.date_of_birth, False) for yp in people] + [
        (new.date_of_birth, True) for new in new_young_people
    ]:
        try:
            if new:
                check_date_of_birth(born)
            if not born_after_confirmed:
                check_born_by(born, day)
        except ValidationError as error:
            errors["young_people"] = error.messages[0]
    if errors:
        raise ApplicationError(errors)
    _refuse_possible_duplicates(logged_by, new_place, new_young_people)

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


def _refuse_possible_duplicates(
    user: User, new_place: NewPlace | None, new_young_people: list[NewYoungPerson]
) -> None:
    matches, errors = {}, {}
    if new_place is not None and not new_place.confirmed_new:
        found = duplicates.places_like(
            user=user, name=new_place.name, postcode=new_place.postcode, action=visibility.PICK
        )
        if found:
            matches["new_place"], errors["new_place"] = found, SAME_PLACE
    for index, new in enumerate(new_young_people):
        if new.confirmed_new:
            continue
        found = duplicates.young_people_like(
            user=user,
            given_name=new.given_name,
            family_name=new.family_name,
            date_of_birth=new.date_of_birth,
            action=visibility.PICK,
        )
        if found:
            matches[index], errors["new_young_people"] = found, SAME_YOUNG_PERSON
    if matches:
        raise duplicates.PossibleDuplicates(errors, matches=matches)


def _tell_guardians_of_concern(place: Context) -> None:
    """Organisations that asked to hear of concerns at a place (a station's operator, a
    school's safeguarding lead), as current guardians, are told that one was logged: the
    place's reference only."""
    organisations = [
        g.organisation
        for g in place.guardians.filter(
            told_of_concerns=True, organisation__is_active=True, ended_on__isnull=True
        )
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
