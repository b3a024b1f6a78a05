from django.contrib import admin

from safeguarding.accounts.admin_base import ReadOnlyRestrictedModelAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyRestrictedModelAdmin):
    list_display = ["event_type", "reference", "recipient_user", "recipient_organisation", "status"]
    list_filter = ["event_type", "status"]
