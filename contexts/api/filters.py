from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from safeguarding.api.serializers import NO_NUL_PATTERN

from ..models import Context


class ContextFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Context.Kind.choices)
    name = extend_schema_field(
        {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NO_NUL_PATTERN}
    )(filters.CharFilter(lookup_expr="icontains", label="Part of the place's name", max_length=200))

    class Meta:
        model = Context
        fields = []
