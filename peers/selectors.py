"""Peer group reads, through the visibility rule."""

from django.db.models import Q

from cases.models import Concern
from contexts.models import Context
from safeguarding.accounts import visibility

from .models import PeerGroup, PeerGroupMembership, Relationship


def memberships_for_group(*, user, peer_group: PeerGroup):
    return (
        visibility.restrict(user, PeerGroupMembership)
        .filter(peer_group=peer_group)
        .select_related("young_person__subject")
        .order_by("left_on", "-joined_on")
    )


def relationships_within_group(*, user, peer_group: PeerGroup):
    """Relationships between people who are or were members, both visible to the user."""
    members = peer_group.memberships.values("young_person_id")
    return (
        visibility.restrict(user, Relationship)
        .filter(from_person__in=members, to_person__in=members)
        .select_related("from_person", "to_person")
    )


def network_for_group(*, user, peer_group: PeerGroup) -> dict:
    """Nodes (members) and edges (relationships) for the network graph (cytoscape format)."""
    memberships = list(memberships_for_group(user=user, peer_group=peer_group))
    nodes = {
        m.young_person_id: {
            "data": {
                "id": f"yp{m.young_person_id}",
                "label": m.young_person.full_name,
                "current": m.left_on is None,
            }
        }
        for m in memberships
    }
    edges = [
        {
            "data": {
                "id": f"rel{r.pk}",
                "source": f"yp{r.from_person_id}",
                "target": f"yp{r.to_person_id}",
                "label": r.get_kind_display(),
                "kind": r.kind,
                "reliability": r.reliability,
            }
        }
        for r in relationships_within_group(user=user, peer_group=peer_group)
        if r.from_person_id in nodes and r.to_person_id in nodes
    ]
    return {"nodes": list(nodes.values()), "edges": edges}


def contexts_linked_to_group(*, user, peer_group: PeerGroup):
    """Places named in concerns about this group or its members, that the user may see."""
    members = peer_group.memberships.values("young_person__subject_id")
    concerns = visibility.restrict(user, Concern).filter(
        Q(involvements__subject=peer_group.subject) | Q(involvements__subject__in=members)
    )
    return (
        visibility.restrict(user, Context)
        .filter(subject__concern_involvements__concern__in=concerns)
        .distinct()
        .order_by("name")
    )
