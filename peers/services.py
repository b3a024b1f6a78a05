"""Peer group services: the group's own details, memberships over time and relationships, each
with its source.

Each checks the caller through the rule (``visibility.require``): a record the user may not see,
or not change where that is asked, is ``safeguarding.errors.RecordNotFound``, as if missing.
Refusals are ``ApplicationError``, by field where they can be."""

import re
from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.utils import timezone

from cases.models import YoungPerson
from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError, NotAllowed
from safeguarding.subjects.services import record_update

from .models import PeerGroup, PeerGroupMembership, Relationship

#: What the edit page may change. Who works with the group (grants) and its members change only
#: through their own services.
PEER_GROUP_FIELDS = ("name", "description", "purpose")

#: Words a peer group's name may not hold: labels that call young people criminals. The rule's
#: source: our domain notes (DOMAIN.md, "Peer group": avoid labels such as "gang" in names and
#: defaults, labelling young people is a real harm that practitioners worry about) and the
#: Contextual Safeguarding practice they follow (PRACTICE.md: a peer group is assessed for its
#: functioning and the guardianship around it, and mapped only to plan for safety or to
#: coordinate work already held). A label follows a child into every record that names the
#: group, shared with partners, and frames them as a threat rather than at risk of harm: the
#: concern behind the Metropolitan Police's "Gangs Violence Matrix" (an Information
#: Commissioner's enforcement notice in 2018; closed in 2024). The list is short and matched as
#: whole words, any case, so that neutral names ("Northside park friends", "Year 10 group at the
#: academy") are never refused; a word in it is refused, not warned about: the form says why.
LABELS = (
    "gang",
    "gangs",
    "gangster",
    "gangsters",
    "gangland",
    "crew",
    "crews",
    "ocg",
    "ocgs",
    "ocn",
    "organised crime",
    "organized crime",
    "mob",
    "cartel",
    "county lines",
    "drug line",
)
_LABEL_PATTERN = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in LABELS) + r")(?![\w])",
    re.IGNORECASE,
)
LABEL_MESSAGE = (
    "Enter a neutral name without “{word}”: describe where or how the group meets, for "
    "example “Friends at Northside park”"
)


def labelling_word(name: str) -> str | None:
    """The first word or phrase of :data:`LABELS` in ``name`` (as typed), or None. Whole words
    only, any case, whatever the spacing: "Gang" and "OCG" are found; "Langley" and
    "crewe station" are not."""
    found = _LABEL_PATTERN.search(name or "")
    return found.group(0) if found else None


def _check_peer_group(values: Mapping[str, object], *, creating: bool) -> None:
    """``ApplicationError`` by field: a name empty or with a label (:data:`LABELS`), a purpose
    empty (when creating, or when the edit empties it)."""
    errors = {}
    if "name" in values or creating:
        name = str(values.get("name") or "").strip()
        word = labelling_word(name)
        if not name:
            errors["name"] = "Enter a name for the group"
        elif word:
            errors["name"] = LABEL_MESSAGE.format(word=word)
    if creating and not str(values.get("purpose") or "").strip():
        errors["purpose"] = "Say why the group is being recorded"
    if errors:
        raise ApplicationError(errors)


@transaction.atomic
def peer_group_create(*, by: User, name: str, purpose: str, description: str = "") -> PeerGroup:
    """Create a peer group for ``by`` (a social worker or team manager in a team:
    ``visibility.creates_peer_groups``; anyone else ``NotAllowed``) in their authority, held by
    their team: the team's grant (``grants.grant_team``) lets ``by`` and their team see and
    change it through the one rule (``visibility.peer_group_rule``), and nobody else but
    senior managers of the authority.

    ``name``: a neutral working name (no label of :data:`LABELS`); ``purpose``: why the group
    is recorded (PRACTICE.md: peer mapping only to plan for safety or to coordinate work held).
    ``ApplicationError`` by field otherwise. Returns the group, read again through the rule.
    The audit gets its row (name, description and purpose masked)."""
    if not visibility.creates_peer_groups(by):
        raise NotAllowed("Only social workers and team managers in a team record peer groups.")
    _check_peer_group({"name": name, "purpose": purpose}, creating=True)
    group = PeerGroup(
        authority=by.organisation,
        name=name.strip(),
        purpose=purpose.strip(),
        description=description.strip(),
        created_by=by,
    )
    group.save()
    grants.grant_team(group, by.team)
    return visibility.require(by, group, visibility.CHANGE)


def peer_group_update(
    peer_group: PeerGroup, *, by: User, changes: Mapping[str, object], version: str | None = None
) -> PeerGroup:
    """Save ``changes`` (a name of :data:`PEER_GROUP_FIELDS` → its cleaned value) to the group
    for ``by``, who must be able to change it, and return it as saved.

    In one transaction, re-read through the rule after the change
    (:func:`safeguarding.subjects.services.record_update`): ``RecordNotFound`` if ``by`` may not
    change it (or it is missing); ``ApplicationError`` (rolled back) if the change would leave
    it out of ``by``'s reach, or by field for a name with a label (:data:`LABELS`);
    ``StaleRecord`` if ``version`` (what the edit page read) is no longer the record's. The audit
    gets its change row."""
    _check_peer_group(changes, creating=False)
    return record_update(
        peer_group, by=by, changes=changes, version=version, fields=PEER_GROUP_FIELDS
    )


@transaction.atomic
def membership_add(
    *,
    peer_group: PeerGroup,
    young_person: YoungPerson,
    by: User,
    source: str,
    confidence: str,
    joined_on: date | None = None,
    source_detail: str = "",
) -> PeerGroupMembership:
    """Record that a young person is (or was, from ``joined_on``) in a peer group."""
    visibility.require(by, peer_group, visibility.CHANGE)
    visibility.require(by, young_person, visibility.VIEW)
    if joined_on and joined_on > date.today():
        raise ApplicationError({"joined_on": "The date joined must be today or in the past."})
    if peer_group.memberships.filter(young_person=young_person, left_on__isnull=True).exists():
        raise ApplicationError({"young_person": "They are already a current member."})
    return PeerGroupMembership.objects.create(
        peer_group=peer_group,
        young_person=young_person,
        joined_on=joined_on,
        source=source,
        source_detail=source_detail,
        confidence=confidence,
        recorded_by=by,
    )


@transaction.atomic
def membership_end(
    *,
    membership: PeerGroupMembership,
    by: User,
    reason: str,
    left_on: date | None = None,
) -> PeerGroupMembership:
    """Record that a member has left, from ``left_on`` (default today), with ``reason``: the
    membership is kept as history, not deleted. ``by`` must be able to change the group and see
    the young person (``RecordNotFound`` otherwise).

    ``ApplicationError``: they have already left (not about a field); by field, ``reason``
    empty, ``left_on`` in the future or before they joined."""
    locked = PeerGroupMembership.objects.select_for_update().filter(pk=membership.pk).first()
    membership = visibility.require(by, locked or membership, visibility.CHANGE)
    today = timezone.localdate()
    left_on = left_on or today
    if membership.left_on:
        raise ApplicationError("They have already left the group.")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why they are no longer a member"
    if left_on > today:
        errors["left_on"] = "The date left must be today or in the past"
    elif membership.joined_on and left_on < membership.joined_on:
        errors["left_on"] = "The date left must be after the date joined"
    if errors:
        raise ApplicationError(errors)
    membership.left_on = left_on
    membership.left_reason = reason.strip()
    membership.save(update_fields=["left_on", "left_reason"])
    return membership


@transaction.atomic
def relationship_add(
    *,
    from_person: YoungPerson,
    to_person: YoungPerson,
    kind: str,
    source: str,
    reliability: str,
    by: User,
    notes: str = "",
) -> Relationship:
    if from_person.pk == to_person.pk:
        raise ApplicationError({"to_person": "Choose two different young people."})
    visibility.require(by, from_person, visibility.VIEW)
    visibility.require(by, to_person, visibility.VIEW)
    if not (
        visibility.can(by, from_person, visibility.CHANGE)
        or visibility.can(by, to_person, visibility.CHANGE)
    ):
        raise ApplicationError(
            {"from_person": "You can record relationships only for young people you work with."}
        )
    if Relationship.objects.filter(
        from_person=from_person, to_person=to_person, kind=kind, ended_on__isnull=True
    ).exists():
        raise ApplicationError({"kind": "This relationship is already recorded."})
    return Relationship.objects.create(
        from_person=from_person,
        to_person=to_person,
        kind=kind,
        source=source,
        reliability=reliability,
        notes=notes,
        recorded_by=by,
    )


@transaction.atomic
def relationship_remove(*, relationship: Relationship, by: User) -> None:
    """Remove a relationship recorded in error (the audit keeps what it was)."""
    visibility.require(by, relationship, visibility.CHANGE)
    relationship.delete()
