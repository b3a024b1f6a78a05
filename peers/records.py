"""What hangs off peer groups and young people here, declared once
(``safeguarding.subjects.registry``; registered by ``peers.apps.PeersConfig.ready``):
memberships and relationships. Each hangs off two subjects (a group and a person, or two
people) and needs both to be seen, so its rule decides row by row (``visibility.restrict``)."""

from django.db.models import Q

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import Audit, Panel, RecordType

from . import selectors
from .models import PeerGroupMembership, Relationship


def person_memberships(page) -> dict:
    rows = visibility.restrict(page.user, PeerGroupMembership).filter(young_person=page.record)
    return {"memberships": rows.select_related("peer_group")}


def person_relationships(page) -> dict:
    person = page.record
    rows = visibility.restrict(page.user, Relationship).filter(
        Q(from_person=person) | Q(to_person=person)
    )
    return {"relationships": rows.select_related("from_person", "to_person")}


def _group(page) -> tuple[list, list]:
    """A group's memberships and the relationships between its members, read once a page."""

    def read():
        user, group = page.user, page.record
        return (
            list(selectors.memberships_for_group(user=user, peer_group=group)),
            list(selectors.relationships_within_group(user=user, peer_group=group)),
        )

    return page.once("peer_group", read)


def group_members(page) -> dict:
    memberships, _ = _group(page)
    return {"memberships": memberships}


def group_relationships(page) -> dict:
    memberships, relationships = _group(page)
    network = selectors.network_for_group(
        user=page.user,
        peer_group=page.record,
        memberships=memberships,
        relationships=relationships,
    )
    return {"relationships": relationships, "network": network}


RECORD_TYPES = (
    RecordType(
        label="peers.PeerGroupMembership",
        subject_paths=("peer_group__subject", "young_person__subject"),
        panels=(
            Panel(
                "peers/panels/person_memberships.html",
                person_memberships,
                kinds=(Subject.Kind.YOUNG_PERSON,),
                order=20,
            ),
            Panel(
                "peers/panels/group_members.html",
                group_members,
                kinds=(Subject.Kind.PEER_GROUP,),
                order=20,
            ),
        ),
        audit=Audit(
            personal={
                "joined_on": False,
                "left_on": False,
                "left_reason": True,
                "confidence": False,
                "source": False,
                "source_detail": True,
            },
            neutral_repr=True,
        ),
    ),
    RecordType(
        label="peers.Relationship",
        subject_paths=("from_person__subject", "to_person__subject"),
        panels=(
            Panel(
                "peers/panels/person_relationships.html",
                person_relationships,
                kinds=(Subject.Kind.YOUNG_PERSON,),
                order=30,
            ),
            Panel(
                "peers/panels/group_relationships.html",
                group_relationships,
                kinds=(Subject.Kind.PEER_GROUP,),
                order=30,
            ),
        ),
        audit=Audit(
            personal={
                "kind": False,
                "source": False,
                "reliability": False,
                "notes": True,
                "started_on": False,
                "ended_on": False,
            }
        ),
    ),
)
