from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from safeguarding.accounts.admin_base import ReadOnlyRestrictedModelAdmin

# The audit is reviewed by administrators (the data protection officer) under the same rule,
# and can never be changed or deleted from the admin.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(ReadOnlyRestrictedModelAdmin, LogEntryAdmin):
    pass
