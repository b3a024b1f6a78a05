"""The directory of places, for partners to refer to a known place by its reference."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins

from safeguarding.accounts import visibility
from safeguarding.api.views import RestrictedViewSet

from ..models import Context
from .filters import ContextFilter
from .serializers import ContextSerializer


@extend_schema(tags=["contexts"])
class ContextViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """Places a caller may *pick* under the visibility rule: for a partner agency, the directory
    of the authority it works with. Only the name, kind and reference are shown, so a partner
    can name a known place in a referral (``contexts[].reference``) instead of describing it
    again. Nothing about the work on a place, or the young people seen there, is returned."""

    queryset = Context.objects.select_related("subject").order_by("name", "pk")
    serializer_class = ContextSerializer
    filterset_class = ContextFilter
    rule_actions = {"list": visibility.PICK}
    audit_reads = False

    @extend_schema(summary="Places you may name in a referral")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
