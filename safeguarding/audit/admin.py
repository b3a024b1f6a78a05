from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import Http404

from safeguarding.accounts.admin_base import ReadOnlyRestrictedModelAdmin

from .models import ChainHead, EntrySeal

# The audit is reviewed by administrators (the data protection officer) under the same rule,
# and can never be changed or deleted from the admin.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(ReadOnlyRestrictedModelAdmin, LogEntryAdmin):
    """The audit of the administrator's own authority only (``visibility.audit_rule``: the
    authority each row's seal names). A row of another authority's audit is not found: 404,
    exactly like a row that does not exist."""

    # By a record's exact reference (its str()) only: what is typed goes into the address and
    # access logs, and auditlog's own search (changes, names) would invite a child's name.
    search_fields = ["=object_repr"]
    search_help_text = "Search by a record's exact reference."

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such audit row")
        return obj


@admin.register(EntrySeal, ChainHead)
class AuditChainAdmin(ReadOnlyRestrictedModelAdmin):
    """The hash chain is checked with ``manage.py verify_audit_chain``: nobody reads or
    changes it here (the rule gives nobody any of it)."""
