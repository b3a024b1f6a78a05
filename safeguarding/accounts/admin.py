from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import passwords, visibility
from .admin_base import RestrictedModelAdmin
from .models import Organisation, Team, User


@admin.register(Organisation)
class OrganisationAdmin(RestrictedModelAdmin):
    administrators_manage = True
    list_display = ["name", "kind", "authority", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(RestrictedModelAdmin):
    administrators_manage = True
    list_display = ["name", "organisation"]
    search_fields = ["name"]


class AdministeredUserForm(forms.ModelForm):
    """A user as an administrator edits it: no password (the user sets their own), and not
    the administrator's own address on someone else's account (a link sent to it would let
    them sign in as that person)."""

    acting_user = None  # set by UserAdmin.get_form

    def clean_email(self):
        email = self.cleaned_data.get("email", "")
        acting = self.acting_user
        if (
            email
            and acting is not None
            and acting.email
            and email.lower() == acting.email.lower()
            and self.instance.pk != acting.pk
        ):
            raise forms.ValidationError(
                "This is your own email address: give the person's own work address."
            )
        return email


def record_reset_sent(request, user: User) -> None:
    """Audit an administrator sending a password reset link (who, to whose account, when)."""
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk),
        object_id=user.pk,
        object_repr=user.username,
        action=LogEntry.Action.ACCESS,
        actor=request.user,
        actor_email=request.user.email or None,
        additional_data={"password_reset_link_sent": True},
    )


@admin.register(User)
class UserAdmin(RestrictedModelAdmin):
    """Users, under separation of duties (``separation.py``): no password form (the user
    chooses theirs from a reset link the administrator sends), and on their own user an
    administrator changes nothing that decides their access."""

    administrators_manage = True
    form = AdministeredUserForm
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "organisation",
        "team",
        "is_active",
    ]
    list_filter = ["role", "is_active", "organisation"]
    # An exact username only: a name typed into the search would go into the address.
    search_fields = ["=username"]
    search_help_text = "Search by exact username."
    ordering = ["username"]
    readonly_fields = ["last_login", "date_joined", "password_state"]
    fieldsets = (
        (None, {"fields": ("username", "password_state")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Work", {"fields": ("organisation", "team", "role", "job_title")}),
        ("Access", {"fields": ("is_active", "is_staff", "may_break_glass")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username",)}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Work", {"fields": ("organisation", "team", "role", "job_title")}),
    )
    #: On their own user an administrator may not change these (nor, on the models, can any
    #: other path: separation.py).
    own_readonly_fields = (
        "organisation",
        "team",
        "role",
        "is_staff",
        "is_active",
        "may_break_glass",
    )
    actions = ["send_password_reset_links"]
    change_form_template = "admin/accounts/user/change_form.html"

    @admin.display(description="Password")
    def password_state(self, obj):
        if obj is None or not obj.pk:
            return ""
        if obj.has_usable_password():
            return "Set by the user. To reset it, send them a password reset link."
        return "Not set yet: the user chooses it from a password reset link."

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += [f for f in self.own_readonly_fields if f not in fields]
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            # Nobody knows a new user's password: they choose it from the link sent when another
            # administrator activates the account (four eyes: separation.py).
            obj.set_unusable_password()
            obj.is_active = False
            activated = False
        else:
            activated = obj.is_active and not form.initial.get("is_active", obj.is_active)
        super().save_model(request, obj, form, change)
        if activated and not obj.has_usable_password() and self._send(request, obj):
            self.message_user(request, "Activated: a link to choose their password was emailed.")

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            "The account was added inactive. Another administrator must check it (who it is "
            "for, their email address and role) and activate it; the link to choose a "
            "password is emailed then.",
            messages.WARNING,
        )
        return super().response_add(request, obj, post_url_continue)

    # --- password reset links -------------------------------------------------------------

    def _send(self, request, user) -> bool:
        with transaction.atomic():
            sent = passwords.send_reset_link(user)
            if sent:
                record_reset_sent(request, user)
        return sent

    @admin.action(description="Send password reset link")
    def send_password_reset_links(self, request, queryset):
        sent = sum(self._send(request, user) for user in queryset)
        skipped = queryset.count() - sent
        self.message_user(request, f"Password reset links sent: {sent}.")
        if skipped:
            self.message_user(
                request,
                f"Not sent: {skipped} (inactive, no email address, or sent a link a few "
                "minutes ago).",
                messages.WARNING,
            )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/send-password-reset/",
                self.admin_site.admin_view(self.send_password_reset_view),
                name=f"{info[0]}_{info[1]}_send_password_reset",
            ),
            *super().get_urls(),
        ]

    def send_password_reset_view(self, request, object_id):
        """GET: a page asking to confirm; POST: send the link, back to the user's page."""
        user = self.get_object(request, object_id)
        if user is None:
            raise Http404("No such user")
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[user.pk]
        )
        if request.method == "POST":
            if self._send(request, user):
                self.message_user(request, "A password reset link has been emailed.")
            else:
                self.message_user(
                    request,
                    "No link was sent: the user is inactive, has no email address, or was "
                    "sent one a few minutes ago.",
                    messages.WARNING,
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": "Send a password reset link",
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/accounts/user/send_password_reset.html", context)


# The auth groups are the teams' guardian groups and Django's permission sets: read-only here
# (separation of duties). Nobody gives a group, or themselves, permissions in the admin.
admin.site.unregister(Group)


@admin.register(Group)
class ReadOnlyGroupAdmin(GroupAdmin):
    def has_module_permission(self, request):
        return visibility.reviews_sign_in_setup(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Second factors: the admin lists them and may delete one (a person who lost both phone and
# recovery codes sets up a new app at their next sign-in), but never shows or sets a secret or a
# recovery code, and never adds one: django-otp's own admins (which show keys and tokens) are
# replaced.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(TOTPDevice, StaticDevice)
class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        # Only the devices of people the administrator may see (their own authority's).
        people = visibility.restrict(request.user, User, visibility.VIEW)
        return super().get_queryset(request).filter(user__in=people.values("pk"))

    def has_module_permission(self, request):
        return visibility.reviews_sign_in_setup(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)
