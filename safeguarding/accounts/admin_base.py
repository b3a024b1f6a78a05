"""The Django admin, under the same visibility rule as every other page.

Only administrators use the admin. Each model admin's queryset comes from the rule, so an
administrator sees organisations, users, teams, reference data and places, but no case content
unless named on a record. A denied record looks exactly like a missing one.

Choosing a related record (a foreign key) follows the rule too (:class:`RestrictedChoicesMixin`):
the choices are what the administrator may pick, and a key to a *directory* (young people,
places, groups, users, cases, concerns …: tens of thousands of rows in a borough) is typed as an
id with a lookup (``raw_id_fields``) instead of a select of every row. The lookup opens that
model's own list in the admin, restricted like any other. (Not ``autocomplete_fields``: its
search text would go into a URL.)
"""

from auditlog.registry import auditlog
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from safeguarding import clock, text
from safeguarding.audit.registry import record_read

from . import visibility

#: Models with a row per child, place, group, worker, case, concern or referral: a select of
#: every row would be megabytes at a borough's size.
DIRECTORIES = frozenset(
    {
        "subjects.subject",
        "cases.youngperson",
        "cases.case",
        "cases.concern",
        "cases.referral",
        "contexts.context",
        "peers.peergroup",
        "accounts.user",
    }
)


def directory_fields(model) -> tuple[str, ...]:
    """The names of ``model``'s own foreign keys and many-to-many fields to a directory."""
    return tuple(
        f.name
        for f in model._meta.get_fields()
        if f.is_relation
        and not f.auto_created
        and (f.many_to_one or f.one_to_one or f.many_to_many)
        and f.related_model is not None
        and f.related_model._meta.label_lower in DIRECTORIES
    )


class RestrictedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id input that names the record typed (beside the box) only if it is among
    ``queryset``: an id outside the rule shows nothing, as if it did not exist."""

    def __init__(self, rel, admin_site, *, queryset, using=None):
        self.queryset = queryset
        super().__init__(rel, admin_site, using=using)

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            self.queryset.get(**{key: value})
        except (ValueError, TypeError, ObjectDoesNotExist, ValidationError):
            return "", ""
        return super().label_and_url_for_value(value)


class RestrictedChoicesMixin:
    """For model admins and inlines: keys to directories are raw ids, and every related
    record offered, accepted or named beside a raw id is one the rule lets the administrator
    pick (unless the admin gives its own ``queryset``)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Text typed into the admin follows the same rule as the app's forms and the API
        # (safeguarding/text.py: NFC, no control characters, postcodes upper-cased before the
        # length check), with the admin's own widgets.
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if type(formfield) is forms.SplitDateTimeField:
            # Local times at the clock change: safeguarding/clock.py.
            return db_field.formfield(
                **{"widget": formfield.widget, **kwargs, "form_class": clock.SplitDateTimeField}
            )
        if type(formfield) is forms.CharField:
            form_class = (
                text.PostcodeField
                if text.is_postcode(db_field.name)
                else text.NameField
                if text.is_name(db_field.name)
                else text.CharField
            )
            return db_field.formfield(
                **{"widget": formfield.widget, **kwargs, "form_class": form_class}
            )
        return formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_id_fields = tuple(
            dict.fromkeys([*self.raw_id_fields, *directory_fields(self.model)])
        )

    def _pickable(self, db_field, request, kwargs) -> dict:
        related = db_field.remote_field.model
        if "queryset" not in kwargs and related._meta.label_lower in visibility.governed_models():
            kwargs["queryset"] = visibility.restrict(request.user, related, visibility.PICK)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._pickable(db_field, request, kwargs)
        if (
            db_field.name in self.raw_id_fields
            and "widget" not in kwargs
            and kwargs.get("queryset") is not None
        ):
            kwargs["widget"] = RestrictedRawIdWidget(
                db_field.remote_field,
                self.admin_site,
                queryset=kwargs["queryset"],
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._pickable(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RestrictedTabularInline(RestrictedChoicesMixin, admin.TabularInline):
    """An inline whose related choices follow the rule (see :class:`RestrictedChoicesMixin`)."""


class RestrictedModelAdmin(RestrictedChoicesMixin, admin.ModelAdmin):
    #: Administrators may add and delete rows of this model (reference data, directories).
    administrators_manage = False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Opening a record's page is a read: audited like the app's own pages, for the models
        # whose changes are audited (young people's records and what reveals them). Rendering
        # comes after the permission checks, so a refused request writes nothing.
        if obj is not None and request.method == "GET" and auditlog.contains(type(obj)):
            record_read(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request):
        return visibility.restrict(request.user, super().get_queryset(request), visibility.VIEW)

    def has_module_permission(self, request):
        return visibility.administers(request.user)

    def has_view_permission(self, request, obj=None):
        if not visibility.administers(request.user):
            return False
        return obj is None or visibility.can(request.user, obj, visibility.VIEW)

    def has_change_permission(self, request, obj=None):
        if not visibility.administers(request.user):
            return False
        if obj is None:
            return visibility.restrict(request.user, self.model, visibility.CHANGE).exists()
        return visibility.can(request.user, obj, visibility.CHANGE)

    def has_add_permission(self, request):
        return self.administrators_manage and visibility.administers(request.user)

    def has_delete_permission(self, request, obj=None):
        if not (self.administrators_manage and visibility.administers(request.user)):
            return False
        return obj is None or visibility.can(request.user, obj, visibility.CHANGE)


class ReadOnlyRestrictedModelAdmin(RestrictedModelAdmin):
    """For records administrators may look at (when named) but change only in the app."""

    def has_change_permission(self, request, obj=None):
        return False


class GrantAdmin(ReadOnlyRestrictedModelAdmin):
    """Who is named on which record (django-guardian's direct grants, e.g. on a restricted
    young person): read-only. Administrators may look (the record is shown by its ``str()``, a
    young person's being their reference), never add, change or delete a row: a grant is
    written by the service whose work causes it (an allocation, a transfer) or, for naming
    staff on a restricted young person, by a manager of the team holding the case in the app
    (``cases/naming.py``), with a reason, audited. Separation of duties: ``separation.py``."""

    def has_delete_permission(self, request, obj=None):
        return False
