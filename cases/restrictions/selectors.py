"""Restrictions read through the rule, and the one place that says how a referral's or a
concern's young people are shown when one of them is restricted.

:func:`people_shown` is used by every page that lists who a referral or a concern is about
(the referral's page, the front door's decision page, the concern's page): a restricted young
person appears there only to users who may VIEW their record; to everyone else the row is
:data:`WITHHELD` ("A young person whose record is restricted"), with no name, no date of birth
as the referrer typed it and no link. Rows about anyone else follow their own rule as before
(``ReferralSubject`` and ``ConcernSubject`` in ``safeguarding/accounts/visibility.py``).
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cases.models import YoungPerson
from safeguarding.accounts import visibility

from .models import BreakGlassAccess, Restriction

#: "Due for review": within this many days, or passed (as warning notes).
DUE_WITHIN_DAYS = 30


@dataclass(frozen=True)
class Withheld:
    """A young person a user may not see, in a list of who something is about."""

    label: str = "A young person whose record is restricted"
    withheld: bool = True

    def __str__(self):
        return self.label


WITHHELD = Withheld()
#: For a partner agency, whom the council's restriction is not told either: the same row,
#: saying only that details are withheld.
WITHHELD_FROM_PARTNER = Withheld(label="A young person (details withheld)")


def people_shown(user, rows: QuerySet) -> list:
    """``rows`` (the ``ReferralSubject`` or ``ConcernSubject`` rows of one referral or concern
    that the user may see, unfiltered by their subjects: the caller read the referral or
    concern through the rule) as the user may see them, in order: each row the user may see
    through its own rule and whose young person, if restricted, they may VIEW; :data:`WITHHELD`
    for a row about a restricted young person they may not see (a partner agency gets
    :data:`WITHHELD_FROM_PARTNER`, which does not say the record is restricted); nothing for
    the rest (a record of another team, say: not named, as before). Two queries."""
    model = rows.model
    # The restricted young people's subjects among these rows the user may not VIEW: one
    # query, a probe per row (the inner restrict is a condition on the same young person).
    unseen = YoungPerson.objects.filter(subject_id=OuterRef("subject_id"), restricted=True).filter(
        ~Exists(visibility.restrict(user, YoungPerson).filter(pk=OuterRef("pk")).values("pk"))
    )
    annotated = list(
        rows.select_related("subject").annotate(withheld=Exists(unseen)).order_by("pk")
    )
    visible = set(
        visibility.restrict(user, model)
        .filter(pk__in=[row.pk for row in annotated])
        .values_list("pk", flat=True)
    )
    shown = []
    placeholder = WITHHELD_FROM_PARTNER if visibility.is_partner_agency(user) else WITHHELD
    for row in annotated:
        if row.withheld:
            shown.append(placeholder)
        elif row.pk in visible:
            shown.append(row)
    return shown


#: What a withheld young person's name becomes in a narrative the user may read.
WITHHELD_IN_TEXT = "[a young person whose record is restricted]"
#: The same for a partner agency (which is not told the council restricted the record).
WITHHELD_IN_TEXT_FOR_PARTNER = "[a young person: details withheld]"


def _names_of(person: YoungPerson) -> set[str]:
    return {
        person.given_name,
        person.family_name,
        person.preferred_name,
        person.name_as_given,
        person.full_name,
        *(alias.name for alias in person.aliases.all()),
    }


def withheld_names(user, rows: QuerySet, key: str) -> dict[int, set[str]]:
    """For the referrals or concerns whose ``ReferralSubject`` / ``ConcernSubject`` rows are
    ``rows``: ``{record id (the rows' `key`, "referral_id" or "concern_id"): names}``, the
    names of each record's restricted young people that ``user`` may not see (given, family,
    preferred and full names, the name as given, aliases, and the name a referrer typed). Two
    queries whatever the number of records; records with nobody withheld are left out."""
    subjects = rows.values("subject_id")
    people = {
        person.subject_id: person
        for person in YoungPerson.objects.filter(subject_id__in=subjects, restricted=True)
        .exclude(pk__in=visibility.restrict(user, YoungPerson).filter(subject_id__in=subjects))
        .prefetch_related("aliases")
    }
    if not people:
        return {}
    described = hasattr(rows.model, "described_name")
    fields = [key, "subject_id", *(["described_name"] if described else [])]
    names: dict[int, set[str]] = {}
    for row in rows.filter(subject_id__in=list(people)).values(*fields):
        found = names.setdefault(row[key], set())
        found |= _names_of(people[row["subject_id"]])
        if described:
            found.add(row["described_name"])
    return names


def redact_withheld(user, text: str, names: set[str]) -> str:
    """``text`` with each of ``names`` (whole words, any case) replaced by
    :data:`WITHHELD_IN_TEXT` (:data:`WITHHELD_IN_TEXT_FOR_PARTNER` for a partner agency)."""
    words = sorted({name.strip() for name in names if name and len(name.strip()) > 1}, key=len)
    if not words or not text:
        return text
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(word) for word in reversed(words)) + r")(?!\w)",
        re.IGNORECASE,
    )
    label = WITHHELD_IN_TEXT_FOR_PARTNER if visibility.is_partner_agency(user) else WITHHELD_IN_TEXT
    return pattern.sub(label, text)


def text_shown(user, rows: QuerySet, text: str) -> str:
    """``text`` (one referral's or concern's narrative, which the user may read; ``rows`` its
    ``ReferralSubject`` or ``ConcernSubject`` rows) with every name of a restricted young
    person in it that the user may not see replaced by :data:`WITHHELD_IN_TEXT`
    (:func:`withheld_names`, :func:`redact_withheld`). The record stays readable for what it
    says about everyone else; the restricted young person is not named in it. One query when
    nobody is withheld, two otherwise."""
    key = "referral_id" if hasattr(rows.model, "described_name") else "concern_id"
    names = set().union(*withheld_names(user, rows, key).values() or [set()])
    return redact_withheld(user, text, names)


def restrictions_due(user, *, within_days: int = DUE_WITHIN_DAYS) -> QuerySet:
    """Open restrictions a team manager may review (of records their team holds: NAME) whose
    review date is within ``within_days`` days or passed, soonest first. Empty for anyone
    else. Shown by reference."""
    if not visibility.manages_team(user):
        return Restriction.objects.none()
    until = timezone.localdate() + timedelta(days=within_days)
    return (
        visibility.restrict(user, Restriction, visibility.CHANGE)
        .filter(lifted_at__isnull=True, review_on__lte=until)
        .select_related("young_person__subject")
        .order_by("review_on", "pk")
    )


def restrictions_due_for_officer(user, *, within_days: int = DUE_WITHIN_DAYS) -> QuerySet:
    """The data protection officer's view (``visibility.ACCOUNT``): the authority's open
    restrictions due for review within ``within_days`` days or overdue, soonest first;
    references only."""
    until = timezone.localdate() + timedelta(days=within_days)
    return (
        visibility.restrict(user, Restriction, visibility.ACCOUNT)
        .filter(lifted_at__isnull=True, review_on__lte=until)
        .select_related("young_person__subject")
        .order_by("review_on", "pk")
    )


def break_glass_for_officer(user) -> QuerySet:
    """The authority's break-glass accesses, newest first (``visibility.ACCOUNT``)."""
    return (
        visibility.restrict(user, BreakGlassAccess, visibility.ACCOUNT)
        .select_related("young_person__subject", "user")
        .order_by("-started_at", "-pk")
    )
