"""Filtering with django-filter, strict about values so a bad filter is a 400, never ignored.

* A filter given with an empty value, or more than once, is an error (django-filter would
  ignore the one and silently take the last of the other).
* Dates are ``YYYY-MM-DD`` only (the schema's ``format: date``), not every spelling Django's
  date field would read.
"""

import re

from django import forms
from django_filters import rest_framework as filters
from rest_framework.exceptions import ErrorDetail

from safeguarding import text

from .errors import InvalidQuery
from .pagination import query_value

_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class StrictDateFormField(forms.DateField):
    input_formats = ["%Y-%m-%d"]

    def to_python(self, value):
        if value not in self.empty_values and not (
            isinstance(value, str) and _FULL_DATE.fullmatch(value)
        ):
            raise forms.ValidationError("Give a date as YYYY-MM-DD.", code="invalid")
        return super().to_python(value)


class StrictDateFilter(filters.DateFilter):
    field_class = StrictDateFormField


class FilterBackend(filters.DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        for name in filterset.filters:
            if query_value(request, name) == "":
                raise InvalidQuery({name: ["Give a value, or leave the parameter out."]})
        if not filterset.is_valid():
            raise InvalidQuery(
                {
                    field: [ErrorDetail(e["message"], code=e["code"]) for e in errors]
                    for field, errors in filterset.errors.get_json_data().items()
                }
            )
        return filterset.qs


class TextFilter(filters.CharFilter):
    """A text filter whose value goes through the one text rule (:mod:`safeguarding.text`):
    NFC, no control characters; a value the rule refuses is a 400 naming the parameter."""

    field_class = text.CharField
