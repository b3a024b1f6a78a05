"""Peer group services: memberships over time and relationships, each with its source."""

from datetime import date

from django.db import transaction
from django.http import Http404

from cases.models import YoungPerson
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError

from .models import PeerGroup, PeerGroupMembership, Relationship


def _require(user, obj, action):
    if not visibility.can(user, obj, action):
        raise Http404("No such record")


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
    _require(by, peer_group, visibility.CHANGE)
    _require(by, young_person, visibility.VIEW)
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
    _require(by, membership, visibility.CHANGE)
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
    _require(by, from_person, visibility.VIEW)
    _require(by, to_person, visibility.VIEW)
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
    _require(by, relationship, visibility.CHANGE)
    relationship.delete()
