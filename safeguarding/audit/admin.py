from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from safeguarding.accounts.admin_base import ReadOnlyRestrictedModelAdmin

# The audit is reviewed by administrators (the data protection officer) under the same rule,
# and can never be changed or deleted from the admin.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(ReadOnlyRestrictedModelAdmin, LogEntryAdmin):
    # By a record's exact reference (its str()) only: what is typed goes into the address and
    # access logs, and auditlog's own search (changes, names) would invite a child's name.
    search_fields = ["=object_repr"]
    search_help_text = "Search by a record's exact reference."
