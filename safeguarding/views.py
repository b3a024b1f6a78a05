"""Base views: every page starts from a queryset already restricted by the one rule."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.forms import modelform_factory
from django.http import Http404
from django.views.generic import DetailView, UpdateView

from safeguarding import text
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
    """Edit a record's ``fields``. Its text columns get the form fields of the one text rule
    (:func:`safeguarding.text.model_formfield`: NFC, control characters refused, postcodes
    upper-cased, lengths checked after that)."""

    action = visibility.CHANGE
    template_name = "record_form.html"
    #: The edit page shows the whole record: opening it is a read, and is audited.
    audit_reads = True

    def get_form_class(self):
        if self.form_class is not None:
            return self.form_class
        return modelform_factory(
            self.model, fields=self.fields, formfield_callback=text.model_formfield
        )

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.audit_reads and self.request.method == "GET":
            record_read(obj)
        return obj


class AllowedUsersMixin(LoginRequiredMixin):
    """A page for some roles only (``allowed_users``, a predicate from the visibility
    module): anyone else gets a 404, as for a missing page."""

    allowed_users = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not type(self).allowed_users(request.user):
            raise Http404("No such page")
        return super().dispatch(request, *args, **kwargs)


def add_service_errors(form, error, field_names=None) -> None:
    """Put a service's ApplicationError on a form, field by field (others on the form).

    ``field_names`` maps a service's field name to the form's where they differ.
    """
    field_names = field_names or {}
    for field, messages in error.message_dict.items():
        target = field_names.get(field, field)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
