"""Base views: every page starts from records read through the one rule. Views declare; the
bases behave.

* :class:`RecordDetailView`: a record's page (``model``/``queryset``, ``action``); reads audited.
* :class:`ServiceFormView`: a form about a record whose cleaned data a service acts on.
* :class:`RecordUpdateView`: a record's edit page, saved through its ``<entity>_update``
  service.
* :class:`RecordActionView`: a button (POST) that asks a service to do something to a record.
* :class:`AllowedUsersMixin`: a page for some roles only.

A record the user may not see (or not do this to) is a 404, exactly like a missing one: when the
page reads it, and when a service raises ``safeguarding.errors.RecordNotFound``. A service's
refusal (``safeguarding.errors.ApplicationError``) is shown on the form, with everything typed
kept, or as a message on the page a button returns to.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.forms import modelform_factory
from django.http import Http404, HttpResponseRedirect
from django.utils.text import capfirst
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, View

from safeguarding import text, versions
from safeguarding.accounts import visibility
from safeguarding.audit.registry import record_read
from safeguarding.errors import ApplicationError, RecordNotFound
from safeguarding.widgets import GovukDateField


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


class RecordMixin(LoginRequiredMixin):
    """The record a page acts on, read through the rule once, before anything else the view
    does (``self.object``).

    Declare ``model`` (or ``queryset``; narrow it per request in ``get_queryset()``, e.g. to
    the manager's team), ``action`` (``visibility.VIEW`` unless said) and which URL keyword
    holds its key: ``pk_url_kwarg`` (default ``"pk"``), matched against the field
    ``lookup_field`` (default ``"pk"``). Missing, not visible or not allowed for ``action``: a
    404, the same for all three. Signed out: the sign-in page. Override ``get_object()`` to do
    more with the record when it is read (an audited read, say).
    """

    model = None
    queryset = None
    action = visibility.VIEW
    pk_url_kwarg = "pk"
    lookup_field = "pk"

    def get_queryset(self):
        if self.queryset is not None:
            return self.queryset.all()
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no model or queryset")
        return self.model._default_manager.all()

    def get_object(self):
        lookup = {self.lookup_field: self.kwargs[self.pk_url_kwarg]}
        return visibility.get_or_404(self.request.user, self.get_queryset(), self.action, **lookup)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)


def _message(template: str, **values) -> str:
    """A success message from its template (``str.format`` fields, e.g.
    ``"{object.subject.reference} allocated to {worker}."``)."""
    return template.format_map(values) if template else ""


class ServiceFormView(RecordMixin, FormView):
    """A form about one record, whose cleaned data a service acts on.

    Declare:

    * the record: ``model`` or ``queryset``, ``action`` (:class:`RecordMixin`);
    * ``form_class`` (and ``template_name``; default ``form_page.html``);
    * ``service``, a function, called inside the request with ``service_arguments(form)``
      (a dict of keyword arguments); or override ``perform(form)`` where the call depends on
      the form. What it returns is ``self.result``;
    * ``error_fields``: the form's name of a field the service names differently (or
      ``get_error_fields(form)``);
    * where to go (``success_url`` or ``get_success_url()``) and ``success_message``: a
      ``str.format`` template of the cleaned data and ``object``, ``result`` and ``view``
      (or ``get_success_message(form)``); empty for none.

    Behaviour: GET renders the form. POST validates it; if valid, calls the service. Its
    ``ApplicationError`` is put on the form field by field (:func:`add_service_errors`) and
    the page is shown again (200) with everything the user typed; its ``RecordNotFound`` is a
    404. Otherwise: the success message, and a redirect.
    """

    template_name = "form_page.html"
    service = None
    success_message = ""
    error_fields: dict[str, str] = {}

    def service_arguments(self, form) -> dict:
        raise ImproperlyConfigured(f"{type(self).__name__} declares no service_arguments()")

    def perform(self, form):
        if type(self).service is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no service")
        return self.call_service(self.service_arguments(form))

    def call_service(self, arguments: dict):
        """Call ``service`` with ``arguments`` (keywords; :meth:`service_arguments`)."""
        return type(self).service(**arguments)

    def get_error_fields(self, form) -> dict[str, str]:
        return self.error_fields

    def get_success_message(self, form) -> str:
        values = {**form.cleaned_data, "object": self.object, "result": self.result, "view": self}
        return _message(self.success_message, **values)

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except ApplicationError as error:
            add_service_errors(form, error, self.get_error_fields(form))
            return self.form_invalid(form)
        except RecordNotFound:
            raise Http404("No such record") from None
        message = self.get_success_message(form)
        if message:
            messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())


class SubjectFormView(ServiceFormView):
    """A form about a young person, a place or a peer group (its ``Subject``, by ``reference``
    in the URL), for users who may change it (anyone else: 404), that goes back to the
    subject's page after saving and on Cancel. The page has ``subject`` and ``cancel_url``.
    Declare ``form_class``, ``service`` and ``service_arguments()`` as for
    :class:`ServiceFormView`; narrow ``queryset`` to read more of the subject at once."""

    action = visibility.CHANGE
    pk_url_kwarg = lookup_field = "reference"

    def get_queryset(self):
        from safeguarding.subjects.models import Subject

        if self.queryset is None:
            return Subject.objects.select_related("authority")
        return super().get_queryset()

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        kwargs.setdefault("subject", self.object)
        kwargs.setdefault("cancel_url", self.get_success_url())
        return super().get_context_data(**kwargs)


def record_formfield(db_field, **kwargs):
    """The form field of a model column on an edit page (a ``formfield_callback``): text columns
    follow the one text rule (:func:`safeguarding.text.model_formfield`), dates are the GOV.UK
    date pattern (day, month and year boxes: :class:`safeguarding.widgets.GovukDateField`),
    and a required field that is left empty says which, as the GOV.UK Design System's error
    messages do ("Enter given name", "Select gender"), never Django's bare "This field is
    required."."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        field = GovukDateField(
            required=not db_field.blank,
            label=capfirst(db_field.verbose_name),
            help_text=db_field.help_text or "For example, 27 3 2007",
        )
    else:
        field = text.model_formfield(db_field, **kwargs)
    if field is not None and field.required:
        verb = "Select" if db_field.choices else "Enter"
        field.error_messages = {
            **field.error_messages,
            "required": f"{verb} {db_field.verbose_name}",
        }
    return field


#: The edit form's hidden field holding the version it was read at.
VERSION_FIELD = "record_version"


class VersionedFormMixin:
    """Lost updates, for any form that edits fields of one record (``self.object``): the form
    carries, in a hidden field (:data:`VERSION_FIELD`), the version of the record it was read at
    (:func:`safeguarding.versions.version` over :meth:`versioned_fields`), and :meth:`perform`
    passes it to the service as ``version=`` (which compares it under the row lock:
    :func:`safeguarding.versions.check`). A stale save is refused: the page is shown again with
    everything typed, "This record was changed by someone else after you opened it…" in the
    error summary, and, at each field someone else changed, what it is now: a field the user had
    left as read now holds their value (saving again must not undo a change the user never
    saw); a field both changed keeps what the user typed. The form then carries the new
    version, so saving again (having looked) saves what the form holds. A POST without the
    hidden field (not from the page) is saved unchecked.

    Declare ``versioned_fields`` (model field names the form edits, named alike in the form),
    or override :meth:`versioned_fields`; by default every field of the form."""

    versioned_fields: tuple[str, ...] | None = None

    def get_versioned_fields(self, form) -> list[str]:
        if self.versioned_fields is not None:
            return list(self.versioned_fields)
        return [name for name in form.fields if name != VERSION_FIELD]

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields[VERSION_FIELD] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=versions.version(self.object, self.get_versioned_fields(form)),
        )
        return form

    def form_version(self, form) -> str | None:
        """The version the form was read at (``None``: not from the page, not checked)."""
        return form.cleaned_data.get(VERSION_FIELD) or None

    def perform(self, form):
        try:
            return super().perform(form)
        except versions.StaleRecord as stale:
            changes = {
                name: form.cleaned_data.get(name) for name in self.get_versioned_fields(form)
            }
            self.show_stale(form, stale, changes)
            raise

    def show_stale(self, form, stale, changes) -> None:
        """Say, at each field someone else changed, what it is now, and make the form carry
        the version now, so that saving again saves what the form then holds. A field the
        user left as they read it takes the other person's value (saving again must not undo
        a change the user never saw); a field both changed keeps what the user typed. The
        general message goes in the error summary (``ServiceFormView``)."""
        read = versions.read_digests(form.cleaned_data.get(VERSION_FIELD) or "", changes) or {}
        form.data = form.data.copy()
        form.data[VERSION_FIELD] = stale.version
        now = versions.values_shown(stale.current, stale.changed)
        for name in stale.changed:
            if name not in form.fields:
                continue
            current, typed = getattr(stale.current, name), changes.get(name)
            label = form.fields[name].label or capfirst(name.replace("_", " "))
            if versions.value_digest(name, typed) == versions.value_digest(name, current):
                continue  # the user typed what is now saved: nothing to choose
            if read.get(name) == versions.value_digest(name, typed):
                _set_bound_value(form, name, current)
                form.add_error(
                    name,
                    f"{label} was changed by someone else to: {now[name]}. It now shows "
                    "their change.",
                )
            else:
                form.add_error(
                    name,
                    f"{label} was changed by someone else to: {now[name]}. Saving again "
                    "keeps what you typed.",
                )


class RecordUpdateView(VersionedFormMixin, ServiceFormView):
    """Edit a record's ``fields`` through its ``<entity>_update`` service.

    Declare ``model`` (or ``queryset``), ``fields`` (the service's editable fields), ``service``
    (called as ``service(record, by=user, changes={field: cleaned value})``; it saves in a
    transaction and re-reads the result through the rule, e.g.
    ``cases.young_people.services.young_person_update``) and ``get_success_url()``. The record
    is read through the rule for ``visibility.CHANGE``.

    Its columns get the form fields of :func:`record_formfield`: the one text rule for text
    (NFC, control characters refused, postcodes upper-cased, lengths checked after that), the
    GOV.UK date pattern for dates, and error messages that name the field. The page
    (``record_form.html``) has ``form`` and ``object``; after a save, the record's page shows
    the success banner (``success_message``).

    Lost updates: the form carries, in a hidden field (:data:`VERSION_FIELD`), the version of
    the record it was read at (:func:`safeguarding.versions.version` over the form's fields),
    and the service is called with it (``version=``; ``record_update`` compares it under the
    row lock). A stale save is refused: the page is shown again with everything typed, "This
    record was changed by someone else after you opened it…" in the error summary, and, at
    each field someone else changed, what it is now: a field the user had left as read now
    holds their value (saving again must not undo a change the user never saw); a field both
    changed keeps what the user typed. The form then carries the new version, so saving again
    (having looked) saves what the form holds. A POST without the hidden field (not from this
    page) is saved unchecked.
    """

    action = visibility.CHANGE
    template_name = "record_form.html"
    fields = None
    #: The GOV.UK success banner on the record's page after a save.
    success_message = "Details saved"
    #: The edit page shows the whole record: opening it is a read, and is audited.
    audit_reads = True

    def get_object(self):
        obj = super().get_object()
        if self.audit_reads and self.request.method == "GET":
            record_read(obj)
        return obj

    def get_form_class(self):
        if self.form_class is not None:
            return self.form_class
        return modelform_factory(
            self.model, fields=self.fields, formfield_callback=record_formfield
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    @staticmethod
    def edited_fields(form) -> list[str]:
        """The names of the record's fields the form edits (all but the version)."""
        return [name for name in form.fields if name != VERSION_FIELD]

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def service_arguments(self, form):
        return {
            "changes": {name: form.cleaned_data[name] for name in self.edited_fields(form)},
            "version": self.form_version(form),
        }

    def call_service(self, arguments: dict):
        return type(self).service(self.object, by=self.request.user, **arguments)


def _set_bound_value(form, name: str, value) -> None:
    """Put ``value`` (a model value) in a bound form's data for field ``name``, as its widget
    would send it (a date in its day, month and year boxes)."""
    widget = form.fields[name].widget
    key = form.add_prefix(name)
    if isinstance(widget, forms.MultiWidget):
        for suffix, part in zip(widget.widgets_names, widget.decompress(value), strict=True):
            form.data[key + suffix] = "" if part is None else str(part)
    else:
        form.data[key] = "" if value is None else str(getattr(value, "pk", value))


class RecordActionView(RecordMixin, View):
    """A button: POST asks a service to do something to one record, then redirects.

    Declare the record (:class:`RecordMixin`), ``service`` with ``service_arguments()`` (or
    override ``perform()``; what it returns is ``self.result``), ``get_redirect_url()`` and
    ``success_message`` (a ``str.format`` template of ``object``, ``result`` and ``view``, or
    ``get_success_message()``; empty for none).

    Behaviour: POST only; any other method is a 405, before anything else. The service's
    ``ApplicationError`` becomes an error message (its messages joined) on the page redirected
    to; its ``RecordNotFound`` is a 404. Otherwise the success message, and the redirect.
    """

    http_method_names = ["post"]
    service = None
    success_message = ""

    @classmethod
    def as_view(cls, **initkwargs):
        return require_POST(super().as_view(**initkwargs))

    def service_arguments(self) -> dict:
        raise ImproperlyConfigured(f"{type(self).__name__} declares no service_arguments()")

    def perform(self):
        service = type(self).service
        if service is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no service")
        return service(**self.service_arguments())

    def get_redirect_url(self) -> str:
        raise ImproperlyConfigured(f"{type(self).__name__} declares no get_redirect_url()")

    def get_success_message(self) -> str:
        return _message(self.success_message, object=self.object, result=self.result, view=self)

    def post(self, request, *args, **kwargs):
        try:
            self.result = self.perform()
        except ApplicationError as error:
            messages.error(request, " ".join(error.messages))
        except RecordNotFound:
            raise Http404("No such record") from None
        else:
            message = self.get_success_message()
            if message:
                messages.success(request, message)
        return HttpResponseRedirect(self.get_redirect_url())


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
    """Put a service's ApplicationError on a form, field by field; a message about no field
    (or a field the form does not have) goes on the form as a whole.

    ``field_names`` maps a service's field name to the form's where they differ.
    """
    field_names = field_names or {}
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, messages_ in by_field.items():
        target = field_names.get(field, field)
        for message in messages_:
            form.add_error(target if target in form.fields else None, message)
