"""The Django admin, under the same visibility rule as every other page.

Only administrators use the admin. Each model admin's queryset comes from the rule, so an
administrator sees organisations, users, teams, reference data and places, but no case content
unless named on a record. A denied record looks exactly like a missing one.
"""

from auditlog.registry import auditlog
from django.contrib import admin

from safeguarding.audit.registry import record_read

from . import visibility


def is_administrator(user) -> bool:
    return user.is_active and user.is_staff and user.role == user.Role.ADMINISTRATOR


class RestrictedModelAdmin(admin.ModelAdmin):
    #: Administrators may add and delete rows of this model (reference data, directories).
    administrators_manage = False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Opening a record's page is a read: audited like the app's own pages, for the models
        # whose changes are audited (young people's records and what reveals them). Rendering
        # comes after the permission checks, so a refused request writes nothing.
        if obj is not None and request.method == "GET" and auditlog.contains(type(obj)):
            record_read(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request):
        return visibility.restrict(request.user, super().get_queryset(request), visibility.VIEW)

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_administrator(request.user):
            return False
        return obj is None or visibility.can(request.user, obj, visibility.VIEW)

    def has_change_permission(self, request, obj=None):
        if not is_administrator(request.user):
            return False
        if obj is None:
            return visibility.restrict(request.user, self.model, visibility.CHANGE).exists()
        return visibility.can(request.user, obj, visibility.CHANGE)

    def has_add_permission(self, request):
        return self.administrators_manage and is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        if not (self.administrators_manage and is_administrator(request.user)):
            return False
        return obj is None or visibility.can(request.user, obj, visibility.CHANGE)


class ReadOnlyRestrictedModelAdmin(RestrictedModelAdmin):
    """For records administrators may look at (when named) but change only in the app."""

    def has_change_permission(self, request, obj=None):
        return False
