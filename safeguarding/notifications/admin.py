"""Administrators choose, for each organisation, where it is told and about what.

A channel is an email address (a team mailbox) or a webhook endpoint; each receives the kinds of
event ticked on it. A webhook's signing secret is made when the endpoint is added and shown on
its page, to be given to the organisation's developers.
"""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

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
                secret = channel.rotate_secret()
                rotated += 1
            except RotationInProgress as e:
                self.message_user(request, f"{channel}: {e}", level=messages.WARNING)
            else:
                self._show_once(request, channel, secret, "new ")
        self.message_user(
            request,
            f"{rotated} webhook secret(s) rotated: give each organisation its new secret "
            "(shown above, this once). The old ones also sign deliveries for 24 hours.",
        )

    @staticmethod
    def _show_once(request, channel, secret: str, new: str = "") -> None:
        messages.warning(
            request,
            f"The {new}signing secret of {channel} is {secret} — shown this once: give it to "
            "the organisation's developers now. It is stored encrypted and cannot be shown "
            "again (rotate it to make another).",
        )

    @admin.display(description="Signing secret")
    def signing_secret(self, obj):
        """Whether the secret is set and when it was made: never the secret itself."""
        if obj.kind != Channel.Kind.WEBHOOK:
            return "Not used (email)"
        if not obj.secret_set_at:
            return "Set (shown once when it was made)"
        when = timezone.localtime(obj.secret_set_at)
        text = f"Set, {'rotated' if obj.previous_secret else 'made'} on {when:%-d %B %Y %H:%M}"
        expires = obj.previous_secret_expires_at
        if expires and expires > timezone.now():
            until = timezone.localtime(expires)
            text += f"; the previous secret also signs until {until:%-d %B %Y %H:%M}"
        return text + ". It was shown once; rotate it to make a new one."

    def get_readonly_fields(self, request, obj=None):
        return ["signing_secret", "created_by", "created_at"] if obj else []

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
        if not change and obj.kind == Channel.Kind.WEBHOOK:
            self._show_once(request, obj, obj.secret)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyRestrictedModelAdmin):
    list_display = ["event_type", "reference", "kind", "status", "attempts", "created_at"]
    list_filter = ["event_type", "status", "kind"]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and visibility.reads_delivery_log(
            request.user
        )
