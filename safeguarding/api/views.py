"""Base views for every endpoint: restrict first, audit with the caller, one error shape.

A concrete viewset declares its ``queryset``, serializers and filterset, and which rule action
each of its actions needs (``rule_actions``); the base class starts every queryset from
``visibility.restrict`` and looks single records up in it, so a record the caller may not
see is a 404 exactly like a missing one.
"""

from contextlib import ExitStack

from auditlog.context import set_actor
from auditlog.registry import auditlog
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.urls import Resolver404, resolve
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from safeguarding.accounts import disclosure, visibility
from safeguarding.audit.middleware import AuditlogMiddleware
from safeguarding.audit.registry import record_read, record_shown

from .errors import PROBLEMS, PayloadTooLarge, problem_response
from .throttling import AnonymousThrottle

#: The largest request body the API reads (1 MiB); larger ones are a 413 problem.
MAX_BODY_BYTES = 1024 * 1024


class ApiViewMixin:
    """What every endpoint shares:

    * audit rows written while handling the request name the caller as actor: for a token
      that is the organisation's API user (the audit middleware runs before DRF has
      authenticated the request, so it cannot know it);
    * a body over :data:`MAX_BODY_BYTES` is refused before it is read.
    """

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._exit_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttling
        if request.user.is_authenticated:
            self._exit_stack.enter_context(
                set_actor(
                    request.user,
                    remote_addr=AuditlogMiddleware._get_remote_addr(request),
                    remote_port=AuditlogMiddleware._get_remote_port(request),
                )
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise PayloadTooLarge(MAX_BODY_BYTES)


class RestrictedViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """A viewset whose every queryset comes from the visibility rule."""

    #: The rule's action for each viewset action; anything not listed needs VIEW.
    rule_actions: dict[str, str] = {}
    #: Write an audit row when one record is read (records about young people), and one row
    #: per list page naming the records on it (for the audited models).
    audit_reads = True

    def rule_action(self) -> str:
        return self.rule_actions.get(self.action, visibility.VIEW)

    def get_queryset(self):
        return visibility.restrict(self.request.user, super().get_queryset(), self.rule_action())

    def get_serializer(self, *args, **kwargs):
        # A partner's serializers read records through the disclosure list: a field that is not
        # listed for partners fails instead of being sent (accounts/disclosure.py).
        if args:
            args = (disclosure.shown(self.request.user, args[0]), *args[1:])
        elif "instance" in kwargs:
            kwargs["instance"] = disclosure.shown(self.request.user, kwargs["instance"])
        return super().get_serializer(*args, **kwargs)

    def represent(self, serializer_class, instance) -> dict:
        """``serializer_class(instance).data``, the instance read as the caller may read it."""
        return serializer_class(
            disclosure.shown(self.request.user, instance), context=self.get_serializer_context()
        ).data

    def get_object(self):
        # Filters (query parameters) are for lists; a record is found by its identifier only.
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        try:
            obj = self.get_queryset().get(**{self.lookup_field: self.kwargs[lookup_url_kwarg]})
        except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
            raise Http404("No such record") from None
        if self.audit_reads and self.action == "retrieve":
            record_read(obj)
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.audit_reads and page and auditlog.contains(queryset.model):
            # Which records this page of the list showed: one row, whatever the page's length.
            record_shown(f"api {self.basename} list", {queryset.model: page})
        return page


# --- answers for what matches no endpoint ----------------------------------------------------


class NotFoundView(ApiViewMixin, APIView):
    """Any path under /api/v1/ that is not an endpoint: a 404 problem, for every method."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [AnonymousThrottle]
    schema = None

    def _not_found(self, request, *args, **kwargs):
        detail = "There is no endpoint at this address."
        if not request.path.endswith("/"):
            try:
                resolve(request.path + "/")
                detail += " Paths end with a slash: try " + request.path + "/"
            except Resolver404:
                pass
        return problem_response("not-found", detail=detail, instance=request.path)

    get = post = put = patch = delete = head = options = _not_found


class ProblemTypeView(ApiViewMixin, APIView):
    """What a problem ``type`` means: the page its URI points to."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [AnonymousThrottle]

    @extend_schema(exclude=True)
    def get(self, request, slug):
        problem = PROBLEMS.get(slug)
        if problem is None:
            raise Http404("No such problem type")
        return Response(
            {
                "type": problem.uri,
                "title": problem.title,
                "status": problem.status,
                "description": problem.description,
            }
        )
