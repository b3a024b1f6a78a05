from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

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
