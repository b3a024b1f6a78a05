from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from safeguarding.api.filters import TextFilter
from safeguarding.api.serializers import SINGLE_LINE_PATTERN

from ..models import Context


class ContextFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Context.Kind.choices)
    name = extend_schema_field(
        {"type": "string", "minLength": 1, "maxLength": 200, "pattern": SINGLE_LINE_PATTERN}
    )(TextFilter(lookup_expr="icontains", label="Part of the place's name", max_length=200))

    class Meta:
        model = Context
        fields = []
