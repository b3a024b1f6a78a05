from django.contrib import admin

from safeguarding.accounts.admin_base import GrantAdmin, RestrictedModelAdmin

from . import models


@admin.register(models.PeerGroup)
class PeerGroupAdmin(RestrictedModelAdmin):
    list_display = ["name", "created_at"]


@admin.register(models.PeerGroupMembership)
class PeerGroupMembershipAdmin(RestrictedModelAdmin):
    list_display = ["peer_group", "young_person", "joined_on", "left_on", "confidence"]


@admin.register(models.Relationship)
class RelationshipAdmin(RestrictedModelAdmin):
    list_display = ["from_person", "kind", "to_person", "reliability"]


@admin.register(models.PeerGroupUserObjectPermission, models.PeerGroupGroupObjectPermission)
class PeerGroupGrantAdmin(GrantAdmin):
    pass
