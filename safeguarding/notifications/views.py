"""The delivery log: what the authority's notifications did, and a manual retry of a failed one.

Team managers, senior managers and administrators of a local authority
(``visibility.reads_delivery_log``) see their authority's rows; the rule gives them CHANGE on
those rows for the retry. A row names an event, a reference, a member of staff or an
organisation, and where it went: never a child's details.
"""

from urllib.parse import urlsplit

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation
from safeguarding.errors import ApplicationError
from safeguarding.pagination import paginate
from safeguarding.subjects.models import Subject
from safeguarding.views import AllowedUsersMixin, RecordActionView

from . import delivery
from .models import Notification
from .services import ACCOUNT_EVENT_TYPES, EVENT_TYPES, kind_of

PER_PAGE = 50


def event_type_choices():
    kinds = [*EVENT_TYPES.items(), *ACCOUNT_EVENT_TYPES.items()]
    return [(name, kind.title) for name, kind in kinds]


def organisations_told(request):
    """The organisations the user may see (their authority and its partners)."""
    if request is None:
        return Organisation.objects.none()
    return visibility.restrict(request.user, Organisation).order_by("name")


SUBJECT_PREFIXES = tuple(f"{prefix}-" for prefix in Subject.PREFIXES.values())
HIDDEN_REFERENCE = "A record you cannot open"
#: The most failed notifications one click sends again (the rest stay for another click).
RETRY_ALL_LIMIT = 500


def shown_reference(user, notification: Notification) -> str:
    """The notification's reference, unless it is of a record the user may not open."""
    reference = notification.reference
    if reference.startswith(SUBJECT_PREFIXES) and not (
        visibility.restrict(user, Subject).filter(reference=reference).exists()
    ):
        return HIDDEN_REFERENCE
    return reference


class NotificationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Notification.Status.choices, empty_label="Any status"
    )
    event_type = django_filters.ChoiceFilter(
        label="Event", choices=event_type_choices, empty_label="Any event"
    )
    kind = django_filters.ChoiceFilter(
        label="Channel", choices=Notification.Kind.choices, empty_label="Email or webhook"
    )
    organisation = django_filters.ModelChoiceFilter(
        label="Organisation told",
        field_name="recipient_organisation",
        queryset=organisations_told,
        empty_label="Any organisation",
    )

    class Meta:
        model = Notification
        fields = ["status", "event_type", "kind", "organisation"]


def describe(notification: Notification) -> Notification:
    """Add what the table shows: the event's title, the recipient and where it went."""
    kind = kind_of(notification.event_type)
    notification.event_title = kind.title if kind else notification.event_type
    if notification.recipient_user_id:
        user = notification.recipient_user
        notification.recipient_name = user.get_full_name() or user.username
    else:
        notification.recipient_name = notification.recipient_organisation.name
    if notification.kind == Notification.Kind.EMAIL:
        notification.sent_to = notification.email
    elif notification.channel_id:
        notification.sent_to = urlsplit(notification.channel.url).hostname or ""
    else:
        notification.sent_to = ""
    return notification


class DeliveryLogView(AllowedUsersMixin, FilterView):
    allowed_users = visibility.reads_delivery_log
    filterset_class = NotificationFilter
    template_name = "notifications/log.html"
    paginate_by = PER_PAGE
    context_object_name = "notifications"

    def get_queryset(self):
        return (
            visibility.restrict(self.request.user, Notification, visibility.VIEW)
            .select_related("recipient_user", "recipient_organisation", "channel")
            .order_by("-created_at", "-pk")
        )

    def paginate_queryset(self, queryset, page_size):
        # The shared rule for page numbers: a page past the end is the last page, not a 404
        # (a retry from the last row of the last page comes back to a page that may have gone).
        page = paginate(self.request, queryset, per_page=page_size, param=self.page_kwarg)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = rows = [describe(n) for n in context["object_list"]]
        # A reference of a young person, place or group the viewer may not open (a restricted
        # record they are not named on) is not shown: the row says only that there is one.
        references = {n.reference for n in rows if n.reference.startswith(SUBJECT_PREFIXES)}
        visible = set(
            visibility.restrict(self.request.user, Subject)
            .filter(reference__in=references)
            .values_list("reference", flat=True)
        )
        for n in rows:
            n.reference_hidden = n.reference in references and n.reference not in visible
        context["hidden_reference"] = HIDDEN_REFERENCE
        context["dead_count"] = (
            visibility.restrict(self.request.user, Notification)
            .filter(status=Notification.Status.DEAD)
            .count()
        )
        paginator = context.get("paginator")
        context["retry_all_count"] = min(paginator.count, RETRY_ALL_LIMIT) if paginator else 0
        filters = NotificationFilter.Meta.fields
        context["filtered"] = any(self.request.GET.get(name) for name in filters)
        return context


def _back_to_log(request) -> str:
    """Where the retry form came from (the log with its filters and page), if that is the log."""
    log = reverse("notifications:log")
    back = request.POST.get("next", "")
    if back.startswith(log) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return log


class RetryView(AllowedUsersMixin, RecordActionView):
    """POST: send a failed (dead-lettered) notification again, then back to the log."""

    allowed_users = visibility.reads_delivery_log
    model = Notification
    action = visibility.CHANGE
    success_message = "{view.reference}: the notification will be sent again."

    def perform(self):
        notification, self.reference = self.object, shown_reference(self.request.user, self.object)
        if notification.status != Notification.Status.DEAD:
            raise ApplicationError(
                f"{self.reference}: only a notification that failed can be sent again. "
                f"This one is “{notification.get_status_display()}”."
            )
        if not delivery.retry(notification, by=self.request.user):
            raise ApplicationError(
                f"{self.reference}: the notification was not sent again, because it had "
                "already been retried."
            )

    def get_redirect_url(self):
        return _back_to_log(self.request)


retry = RetryView.as_view()


@require_POST
@login_required
def retry_failed(request):
    """Send again every failed notification the log's filters show (after a partner's system was
    down for a weekend, say), each retried and audited as if one by one."""
    if not visibility.reads_delivery_log(request.user):
        raise Http404("No such page")
    failed = visibility.restrict(request.user, Notification, visibility.CHANGE).filter(
        status=Notification.Status.DEAD
    )
    filtered = NotificationFilter(request.POST, queryset=failed, request=request)
    if not filtered.is_valid():
        messages.error(request, "The filters were not valid: nothing was sent again.")
        return redirect(_back_to_log(request))
    retried = sum(
        delivery.retry(n, by=request.user)
        for n in filtered.qs.order_by("created_at", "pk")[:RETRY_ALL_LIMIT]
    )
    if retried:
        messages.success(
            request,
            f"{retried} failed notification{'s' if retried != 1 else ''} will be sent again.",
        )
    else:
        messages.error(request, "No failed notification was sent again.")
    return redirect(_back_to_log(request))
