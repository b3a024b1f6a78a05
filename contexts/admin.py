from django.contrib import admin

from safeguarding.accounts.admin_base import RestrictedModelAdmin

from . import models


class ContextGuardianInline(admin.TabularInline):
    model = models.ContextGuardian
    extra = 0


@admin.register(models.Context)
class ContextAdmin(RestrictedModelAdmin):
    administrators_manage = True
    list_display = ["name", "kind", "postcode"]
    list_filter = ["kind"]
    search_fields = ["name", "postcode"]
    inlines = [ContextGuardianInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.authority = request.user.organisation
        super().save_model(request, obj, form, change)


@admin.register(models.ContextGuardian)
class ContextGuardianAdmin(RestrictedModelAdmin):
    administrators_manage = True
    list_display = ["context", "organisation", "name", "role"]


@admin.register(models.ContextUserObjectPermission, models.ContextGroupObjectPermission)
class ContextGrantAdmin(RestrictedModelAdmin):
    administrators_manage = True
    raw_id_fields = ["content_object"]
