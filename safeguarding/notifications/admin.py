"""Administrators choose, for each organisation, where it is told and about what.

A channel is an email address (a team mailbox) or a webhook endpoint; each receives the kinds of
event ticked on it. A webhook's signing secret is made when the endpoint is added and shown on
its page, to be given to the organisation's developers.
"""

from django import forms
from django.contrib import admin, messages

from safeguarding.accounts import visibility
from safeguarding.accounts.admin_base import ReadOnlyRestrictedModelAdmin, RestrictedModelAdmin
from safeguarding.accounts.models import Organisation

from .models import Channel, Notification, RotationInProgress
from .services import EVENT_TYPES


def event_type_choices():
    return [(name, kind.title) for name, kind in EVENT_TYPES.items()]


class ChannelForm(forms.ModelForm):
    url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=Channel._meta.get_field("url").help_text,
    )
    event_types = forms.MultipleChoiceField(
        choices=event_type_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Tell them about",
    )

    class Meta:
        model = Channel
        fields = ["organisation", "kind", "email", "url", "event_types", "description", "is_active"]


@admin.register(Channel)
class ChannelAdmin(RestrictedModelAdmin):
    administrators_manage = True
    form = ChannelForm
    list_display = ["organisation", "kind", "__str__", "is_active", "created_at"]
    list_filter = ["kind", "is_active", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "email", "url"]
    actions = ["rotate_secrets"]

    @admin.action(description="Rotate the signing secret of the selected webhooks")
    def rotate_secrets(self, request, queryset):
        webhooks = visibility.restrict(request.user, queryset, visibility.CHANGE).filter(
            kind=Channel.Kind.WEBHOOK
        )
        rotated = 0
        for channel in webhooks:
            try:
                channel.rotate_secret()
                rotated += 1
            except RotationInProgress as e:
                self.message_user(request, f"{channel}: {e}", level=messages.WARNING)
        self.message_user(
            request,
            f"{rotated} webhook secret(s) rotated: give each organisation its new secret "
            "(on the webhook's page). The old ones also sign deliveries for 24 hours.",
        )

    def get_readonly_fields(self, request, obj=None):
        return ["secret", "created_by", "created_at"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = visibility.restrict(
                request.user, Organisation, visibility.CHANGE
            ).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyRestrictedModelAdmin):
    list_display = ["event_type", "reference", "kind", "status", "attempts", "created_at"]
    list_filter = ["event_type", "status", "kind"]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and visibility.reads_delivery_log(
            request.user
        )
