from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .admin_base import RestrictedModelAdmin
from .models import Organisation, Team, User


@admin.register(Organisation)
class OrganisationAdmin(RestrictedModelAdmin):
    administrators_manage = True
    list_display = ["name", "kind", "authority", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(RestrictedModelAdmin):
    administrators_manage = True
    list_display = ["name", "organisation"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(RestrictedModelAdmin, DjangoUserAdmin):
    administrators_manage = True
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "organisation",
        "team",
        "is_active",
    ]
    list_filter = ["role", "is_active", "organisation"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        ("Work", {"fields": ("organisation", "team", "role", "job_title")}),
        ("Access", {"fields": ("is_active", "is_staff")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Work", {"fields": ("first_name", "last_name", "email", "organisation", "team", "role")}),
    )


# Second factors: the admin lists them and may delete one (a person who lost both phone and
# recovery codes sets up a new app at their next sign-in), but never shows or sets a secret or a
# recovery code, and never adds one: django-otp's own admins (which show keys and tokens) are
# replaced.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(TOTPDevice, StaticDevice)
class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
