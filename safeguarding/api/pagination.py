"""Limit/offset pagination with a maximum page size, strict about its parameters.

A ``limit`` above :attr:`ApiPagination.max_limit`, or a ``limit``/``offset`` that is not a
whole number in range, is a 400 problem rather than silently replaced by a default: a
partner's client that asks for 500 rows should learn that it gets at most 100.
"""

import re

from rest_framework.pagination import LimitOffsetPagination

from .errors import InvalidQuery

_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}", re.ASCII)


def query_value(request, name: str) -> str | None:
    """A query parameter given at most once (a repeated one is a 400)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InvalidQuery({name: ["Give this parameter once."]})
    return values[0] if values else None


class ApiPagination(LimitOffsetPagination):
    default_limit = 25
    max_limit = 100
    max_offset = 1_000_000_000

    def _number(self, request, name: str, default: int, minimum: int, maximum: int) -> int:
        raw = query_value(request, name)
        if raw is None:
            return default
        if not _WHOLE_NUMBER.fullmatch(raw) or not minimum <= int(raw) <= maximum:
            raise InvalidQuery({name: [f"Give a whole number from {minimum} to {maximum}."]})
        return int(raw)

    def get_limit(self, request):
        return self._number(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return self._number(request, self.offset_query_param, 0, 0, self.max_offset)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = (
                    f"How many results to return: 1 to {self.max_limit} "
                    f"(default {self.default_limit})."
                )
                parameter["schema"].update(
                    minimum=1, maximum=self.max_limit, default=self.default_limit
                )
            elif parameter["name"] == self.offset_query_param:
                parameter["description"] = "How many results to skip (default 0)."
                parameter["schema"].update(minimum=0, maximum=self.max_offset, default=0)
        return parameters

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "next", "previous", "results"]
        return response
