from django.contrib import admin

from safeguarding.accounts.admin_base import ReadOnlyRestrictedModelAdmin

from .models import Subject


@admin.register(Subject)
class SubjectAdmin(ReadOnlyRestrictedModelAdmin):
    list_display = ["reference", "kind", "authority", "created_at"]
    list_filter = ["kind"]
    search_fields = ["=reference"]  # what is typed goes into the address: references only
    search_help_text = "Search by exact reference."
