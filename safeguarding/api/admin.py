"""Administrators issue and revoke partner API tokens here.

Adding a token issues it: the token is shown once, in a message on the next page, and only its
hash is kept. Tokens are never deleted (they stay listed, revoked or expired, for the record);
revoking is an action on the list.
"""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.accounts.admin_base import ReadOnlyRestrictedModelAdmin, RestrictedModelAdmin
from safeguarding.accounts.models import Organisation

from . import services
from .models import ApiToken, IdempotencyKey


class ApiTokenIssueForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["organisation", "name", "expires_at"]

    def clean(self):
        data = super().clean()
        for field, message in services.api_token_problems(
            organisation=data.get("organisation"),
            name=data.get("name"),
            expires_at=data.get("expires_at"),
        ).items():
            self.add_error(field, message)
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(RestrictedModelAdmin):
    administrators_manage = True
    list_display = [
        "name",
        "organisation",
        "prefix",
        "state",
        "expires_at",
        "last_used_at",
        "created_by",
        "created_at",
    ]
    list_filter = ["organisation"]
    list_select_related = ["organisation", "created_by"]
    search_fields = ["name", "prefix", "organisation__name"]
    actions = ["revoke"]
    readonly_fields = [
        "organisation",
        "prefix",
        "state",
        "service_user",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenIssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "name", "expires_at"]
        return ["name", *self.readonly_fields]

    def get_changeform_initial_data(self, request):
        return {"expires_at": timezone.now() + services.DEFAULT_LIFETIME}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = visibility.restrict(
                request.user, Organisation, visibility.CHANGE
            ).filter(authority__isnull=False, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="State")
    def state(self, obj):
        return obj.state

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        issued = services.api_token_issue(
            organisation=obj.organisation,
            name=obj.name,
            expires_at=obj.expires_at,
            issued_by=request.user,
        )
        # The admin goes on with this object (its change page, the log entry).
        obj.pk = issued.token.pk
        obj._state.adding = False
        obj.refresh_from_db()
        self.message_user(
            request,
            f"Token for {obj.organisation}: {issued.secret} — copy it now and give it to the "
            "organisation securely. It will not be shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token, revoked_by=request.user)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyRestrictedModelAdmin):
    list_display = ["key", "organisation", "path", "response_status", "created_at", "completed_at"]
    list_select_related = ["organisation"]
    # The stored response and the body's fingerprint are for the API, not for people.
    exclude = ["response_body", "response_headers", "fingerprint"]
