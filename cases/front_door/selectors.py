"""The front door: the triage queue and what is known about a referral."""

from dataclasses import dataclass, field

from cases.models import (
    Referral,
    YoungPerson,
)
from cases.subject_pages.selectors import concern_counts_at
from safeguarding import duplicates
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User


def referrals_awaiting_triage(*, user: User):
    """Referrals waiting for a decision, oldest first (the front door's queue; a total order,
    for its pages), with their source and harm categories."""
    return (
        visibility.restrict(user, Referral, visibility.CHANGE)
        .filter(status__in=[Referral.Status.RECEIVED, Referral.Status.SCREENING])
        .select_related("source_organisation")
        .prefetch_related("harm_categories")
        .order_by("received_at", "pk")
    )


def referrals_made_by_organisation(*, user: User):
    """The referrals the user's organisation made (a partner agency's My work), newest first
    (a total order, for its pages), through the rule. What a partner reads of each is
    ``disclosure.PARTNER_READS``: reference, status, decision and dates, never the reason."""
    return (
        visibility.restrict(user, Referral)
        .filter(source_organisation_id=user.organisation_id)
        .order_by("-received_at", "-pk")
    )


@dataclass(frozen=True)
class Known:
    """What the council already knows about one thing a referral is about."""

    row: object  # the ReferralSubject
    matches: list  # records the manager may link it to
    recent_concerns: dict  # for places: record -> {30: n, 90: n, 365: n}
    #: Records identical to the description (safeguarding/duplicates.py; also in matches):
    #: creating a new record instead needs a confirmation.
    identical: list = field(default_factory=list)


def identical_records(*, user: User, row) -> list:
    """Records ``user`` may match that are identical to what a referral row describes: a young
    person with the same name (normalised) and date of birth, a place with the same name and
    postcode (:mod:`safeguarding.duplicates`). Empty for a row with no description."""
    if not row.described_name:
        return []
    if row.kind == "young_person":
        return duplicates.young_people_like(
            user=user,
            given_name=row.described_name,
            family_name="",
            date_of_birth=row.described_date_of_birth,
            action=visibility.MATCH,
        )
    if row.kind == "context":
        return duplicates.places_like(
            user=user,
            name=row.described_name,
            postcode=row.described_postcode,
            action=visibility.MATCH,
        )
    return []


def known_for_referral(*, user: User, referral: Referral) -> list[Known]:
    """Possible matches for each person or place in a referral, by name (misspelling tolerant),
    date of birth or postcode, among the records the manager may pick."""
    from cases.models import ReferralSubject
    from contexts.models import Context
    from safeguarding.search import search_named, search_young_people

    known = []
    rows = visibility.restrict(user, ReferralSubject, visibility.VIEW).filter(referral=referral)
    for row in rows.select_related("subject"):
        matches = []
        if row.kind == "young_person":
            found = {}
            if row.described_name:
                for yp in search_young_people(
                    user=user, text=row.described_name, action=visibility.MATCH
                ):
                    found[yp.pk] = yp
            if row.described_date_of_birth:
                born = visibility.restrict(user, YoungPerson, visibility.MATCH).filter(
                    date_of_birth=row.described_date_of_birth
                )
                for yp in born.select_related("subject")[:10]:
                    found.setdefault(yp.pk, yp)
            matches = list(found.values())
        elif row.kind == "context" and row.described_name:
            matches = list(
                search_named(Context, user=user, text=row.described_name, action=visibility.MATCH)
            )
        if row.subject_id:  # already linked (a reference the referrer gave): offered first
            linked = row.subject.concrete
            if visibility.can(user, linked, visibility.MATCH):
                matches = [linked, *(m for m in matches if m.pk != linked.pk)]
        identical = identical_records(user=user, row=row)
        offered = {m.pk for m in matches}
        matches += [m for m in identical if m.pk not in offered]
        recent = {}
        if row.kind == "context":
            for place in matches[:5]:
                recent[place] = concern_counts_at(user=user, subject=place.subject)
        known.append(Known(row=row, matches=matches, recent_concerns=recent, identical=identical))
    return known
