from django.contrib import admin

from safeguarding.accounts import visibility
from safeguarding.accounts.admin_base import (
    GrantAdmin,
    RestrictedModelAdmin,
    RestrictedTabularInline,
)
from safeguarding.accounts.models import Organisation

from . import models

GUARDIAN_FIELDS = [
    "organisation",
    "name",
    "role",
    "present_when",
    "contact",
    "notes",
    "told_of_concerns",
    "ended_on",
    "ended_reason",
]


class GuardianChoicesMixin:
    """A guardian's organisation (and place) are chosen from what the administrator may see:
    their authority and its partners, not every organisation in the system."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = visibility.restrict(request.user, Organisation)
        elif db_field.name == "context":
            kwargs["queryset"] = visibility.restrict(
                request.user, models.Context, visibility.CHANGE
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ContextGuardianInline(GuardianChoicesMixin, RestrictedTabularInline):
    """The guardians of a place, edited with it. Whoever may change the place (its authority's
    administrators) may change its guardians, under the same rule as the place itself."""

    model = models.ContextGuardian
    fields = GUARDIAN_FIELDS
    extra = 0

    def _may(self, request, obj, action) -> bool:
        if not visibility.administers(request.user):
            return False
        return obj is None or visibility.can(request.user, obj, action)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj, visibility.VIEW)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj, visibility.CHANGE)

    def has_add_permission(self, request, obj=None):
        return self._may(request, obj, visibility.CHANGE)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj, visibility.CHANGE)


@admin.register(models.Context)
class ContextAdmin(RestrictedModelAdmin):
    administrators_manage = True
    list_display = ["name", "kind", "postcode"]
    list_filter = ["kind"]
    # By exact reference: what is typed goes into the address (and access logs); a place may
    # be a home address.
    search_fields = ["=subject__reference"]
    search_help_text = "Search by the place's exact reference."
    inlines = [ContextGuardianInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.authority = request.user.organisation
        super().save_model(request, obj, form, change)


@admin.register(models.ContextGuardian)
class ContextGuardianAdmin(GuardianChoicesMixin, RestrictedModelAdmin):
    administrators_manage = True
    fields = ["context", *GUARDIAN_FIELDS]
    list_display = ["context", "organisation", "name", "role", "told_of_concerns"]
    list_filter = ["told_of_concerns"]
    list_select_related = ["context", "organisation"]


@admin.register(models.ContextUserObjectPermission, models.ContextGroupObjectPermission)
class ContextGrantAdmin(GrantAdmin):
    pass
