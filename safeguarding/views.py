"""Base views: every page starts from a queryset already restricted by the one rule."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView, UpdateView

from safeguarding.accounts import visibility
from safeguarding.audit.registry import record_read


class RestrictedQuerysetMixin(LoginRequiredMixin):
    """Declare ``model`` (or ``queryset``) and ``action``; the rule does the rest.

    A record the user may not see is a 404, exactly like a missing one.
    """

    action = visibility.VIEW

    def get_queryset(self):
        return visibility.restrict(self.request.user, super().get_queryset(), self.action)


class RecordDetailView(RestrictedQuerysetMixin, DetailView):
    #: Write an audit row for every read (young people's records and what reveals them).
    audit_reads = True

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.audit_reads:
            record_read(obj)
        return obj


class RecordUpdateView(RestrictedQuerysetMixin, UpdateView):
    action = visibility.CHANGE
    template_name = "record_form.html"
    #: The edit page shows the whole record: opening it is a read, and is audited.
    audit_reads = True

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.audit_reads and self.request.method == "GET":
            record_read(obj)
        return obj
