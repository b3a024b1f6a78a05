from django.contrib import admin

from safeguarding.accounts.admin_base import RestrictedModelAdmin

from .models import Approval


@admin.register(Approval)
class ApprovalAdmin(RestrictedModelAdmin):
    list_display = ["__str__", "what", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["=reference"]  # what is typed goes into the address: references only
    search_help_text = "Search by exact reference."
