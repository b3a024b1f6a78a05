"""Peer group services: the group's own details, memberships over time and relationships, each
with its source.

Each checks the caller through the rule (``visibility.require``): a record the user may not see,
or not change where that is asked, is ``safeguarding.errors.RecordNotFound``, as if missing.
Refusals are ``ApplicationError``, by field where they can be."""

from collections.abc import Mapping
from datetime import date

from django.db import transaction

from cases.models import YoungPerson
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError
from safeguarding.subjects.services import record_update

from .models import PeerGroup, PeerGroupMembership, Relationship

#: What the edit page may change. Who works with the group (grants) and its members change only
#: through their own services.
PEER_GROUP_FIELDS = ("name", "description")


def peer_group_update(
    peer_group: PeerGroup, *, by: User, changes: Mapping[str, object], version: str | None = None
) -> PeerGroup:
    """Save ``changes`` (a name of :data:`PEER_GROUP_FIELDS` → its cleaned value) to the group
    for ``by``, who must be able to change it, and return it as saved.

    In one transaction, re-read through the rule after the change
    (:func:`safeguarding.subjects.services.record_update`): ``RecordNotFound`` if ``by`` may not
    change it (or it is missing); ``ApplicationError`` (rolled back) if the change would leave
    it out of ``by``'s reach; ``StaleRecord`` if ``version`` (what the edit page read) is no
    longer the record's. The audit gets its change row."""
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
    *, membership: PeerGroupMembership, by: User, left_on: date | None = None
) -> PeerGroupMembership:
    """Record that a member has left: membership is kept as history, not deleted."""
    membership = PeerGroupMembership.objects.select_for_update().get(pk=membership.pk)
    visibility.require(by, membership, visibility.CHANGE)
    left_on = left_on or date.today()
    if membership.left_on:
        raise ApplicationError("They have already left the group.")
    if membership.joined_on and left_on < membership.joined_on:
        raise ApplicationError({"left_on": "The date left must be after the date joined."})
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
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
