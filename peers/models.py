"""Peer groups and relationships between young people.

Names and defaults avoid labels such as "gang": labelling young people is a harm in itself.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from safeguarding.subjects.models import InformationSource, Reliability, Subject, SubjectRecord


class PeerGroup(SubjectRecord):
    subject_kind = Subject.Kind.PEER_GROUP

    name = models.CharField(
        max_length=200, help_text="A neutral working name, e.g. where the group meets."
    )
    description = models.TextField(blank=True)
    purpose = models.TextField(
        blank=True,
        help_text="Why the group is recorded: to plan for young people's safety, or to "
        "coordinate work already held.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("peers:peer-group", args=[self.pk])

    def __str__(self):
        return self.name


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class PeerGroupMembership(models.Model):
    """A young person's membership of a peer group over a period (left_on empty: current)."""

    peer_group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="memberships")
    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.CASCADE, related_name="peer_group_memberships"
    )
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    left_reason = models.CharField(max_length=500, blank=True)
    confidence = models.CharField(
        max_length=8, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    source = models.CharField(max_length=32, choices=InformationSource.choices)
    source_detail = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["peer_group", "-joined_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(joined_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
            models.UniqueConstraint(
                fields=["peer_group", "young_person"],
                condition=models.Q(left_on__isnull=True),
                name="one_current_membership",
            ),
        ]

    def __str__(self):
        return f"{self.young_person} in {self.peer_group}"


class Relationship(models.Model):
    """A relationship between two young people, with its source and reliability.

    Directional for exploitation (``from_person`` exploits ``to_person``); the other kinds are
    read both ways.
    """

    class Kind(models.TextChoices):
        FRIEND = "friend", "Friend"
        PARTNER = "partner", "Partner (boyfriend, girlfriend)"
        FAMILY = "family", "Sibling or family"
        ASSOCIATE = "associate", "Associate"
        IN_CONTACT = "in_contact", "In contact with"
        EXPLOITS = "exploits", "Exploits (from → to)"

    from_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.CASCADE, related_name="relationships_to"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=32, choices=InformationSource.choices)
    reliability = models.CharField(max_length=16, choices=Reliability.choices)
    notes = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_person=models.F("to_person")),
                name="relationship_between_two_people",
            )
        ]

    def __str__(self):
        return f"{self.from_person} {self.get_kind_display().lower()} {self.to_person}"


class PeerGroupUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(PeerGroup, on_delete=models.CASCADE)


class PeerGroupGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(PeerGroup, on_delete=models.CASCADE)
