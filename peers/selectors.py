"""Peer group reads, through the visibility rule."""

from cases.models import Concern, ConcernSubject
from contexts.models import Context
from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject

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


def network_for_group(*, user, peer_group: PeerGroup, memberships=None, relationships=None) -> dict:
    """Nodes (members) and edges (relationships) for the network graph (cytoscape format).
    ``memberships`` and ``relationships``: the group's, as the page has read them already."""
    if memberships is None:
        memberships = memberships_for_group(user=user, peer_group=peer_group)
    if relationships is None:
        relationships = relationships_within_group(user=user, peer_group=peer_group)
    memberships = list(memberships)
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
        for r in relationships
        if r.from_person_id in nodes and r.to_person_id in nodes
    ]
    return {"nodes": list(nodes.values()), "edges": edges}


def contexts_linked_to_group(*, user, peer_group: PeerGroup):
    """Places named in concerns about this group or its members, that the user may see: in the
    latest concerns about the group, and the latest about its members (``LINKED_FROM_LATEST``
    of each), so the cost follows what the group has, not the borough."""
    from cases.selectors import LINKED_FROM_LATEST, latest_concern_ids

    members = peer_group.memberships.values("young_person__subject_id")
    about_members = (
        visibility.restrict(user, Concern)
        .filter(involvements__subject_id__in=members)
        .order_by("-occurred_at", "-pk")
        .values_list("pk", flat=True)
        .distinct()[:LINKED_FROM_LATEST]
    )
    concern_ids = {
        *latest_concern_ids(user=user, subject=peer_group.subject),
        *about_members,
    }
    places = ConcernSubject.objects.filter(
        concern_id__in=concern_ids, subject__kind=Subject.Kind.CONTEXT
    ).values("subject_id")
    return visibility.restrict(user, Context).filter(subject_id__in=places).order_by("name", "pk")
