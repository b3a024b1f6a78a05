"""The OpenAPI document (drf-spectacular): every endpoint with every answer it can give.

* Each operation lists its error responses as ``application/problem+json`` (the ``Problem``
  component), worked out from the operation: who must authenticate, whether it has a body,
  path parameters or query parameters, plus what a view declares in ``extra_problems``.
* Request bodies are strict: ``additionalProperties: false``, text ``pattern``\\ s, and
  ``anyOf`` where a serializer needs one field of a set (``StrictSerializer.schema_any_of``).
  The schema is what Schemathesis fuzzes the live app against, so it has to be the truth.
"""

import copy

from django.core.validators import RegexValidator
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from .errors import PROBLEM_CONTENT_TYPE, PROBLEMS
from .serializers import text_pattern

DESCRIPTION = """
The partner API lets police, schools, transport operators, businesses, housing and other
partner agencies send **referrals** to the council's front door from their own systems, learn
what was **decided**, record progress on the **actions** assigned to them, and read their part
of the **safety plans** that ask something of them (their actions, and the measures whose
values they record).

## Authentication
Send `Authorization: Bearer <token>` with the token your council's administrator issued to
your organisation (it is shown once; it expires, and can be revoked at any time). A token
acts as your organisation: you see your organisation's referrals and actions, never another
agency's. Council staff signed in to the web app may use the API with their session.

## Retries: `Idempotency-Key`
`POST /api/v1/referrals/` (and every other `POST` that creates something, such as a measure's
value) **requires** an `Idempotency-Key` header (a new UUID per referral).
If your connection drops, send the same request again with the same key: you get the first
answer again (with `Idempotent-Replayed: true`) and no second referral is made. The same key
with a different body is a 422; a retry while the first request is still being processed is
a 409 (retry shortly). Keys belong to your organisation and are kept for 24 hours.

## Errors
Every error is an RFC 9457 problem (`application/problem+json`) with `type`, `title`,
`status`, `detail`, `instance` and `errors`, a list of every field error at once
(`{"field": "young_people[0].date_of_birth", "message": "…", "code": "…"}`). Nothing is saved
from a request that fails. Unknown fields are errors. Bodies over 1 MiB are a 413, bodies that
are not JSON a 415. A record that is not yours is a 404, exactly like one that does not exist.
The problem types (`type` is a link to an explanation):

{problems}

## Text
Text is stored in Unicode Normalization Form C, trimmed of white space at both ends, and its
length (`maxLength`) is counted after that. Control characters are refused with a 422 naming
the field (tab, line feed and carriage return are allowed in multi-line text: narratives,
addresses, notes), and so is an unpaired surrogate (such as `"\\ud800"`) anywhere in the body,
member names included. Postcodes are letters, digits and spaces, stored in capitals.

## Pages and limits
Lists are paginated with `limit` (1 to 100, default 25) and `offset`; filters are query
parameters. Requests are rate-limited per token: a 429 carries `Retry-After` (seconds).

## References, not details
Records are identified by references such as `REF-7K2M9QDX4T` and `CTX-…`. Describe young
people by name, date of birth and address: the API never confirms whether the council knows a
young person, and never returns the council's case records.
"""


def description() -> str:
    problems = "\n".join(
        f"* `{p.uri}` ({p.status}): {p.title}." for p in sorted(PROBLEMS.values(), key=str)
    )
    return DESCRIPTION.replace("{problems}", problems).strip()


# --- the Problem component --------------------------------------------------------------------


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text="Where in the request: `a.b`, `a[0].b`, a query parameter or header name; "
        "null for the request as a whole.",
    )
    message = serializers.CharField()
    code = serializers.CharField(help_text="A stable code, e.g. `required`, `invalid`.")


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="A URI reference to this problem type's explanation.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The path of the request.")
    errors = FieldErrorSerializer(many=True)

    class Meta:
        ref_name = "Problem"


def _problem(description: str, headers: dict | None = None, ref: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": ref}},
    }
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
        "required": True,
    }
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        ref = self.resolve_serializer(ProblemSerializer, "response").ref
        for status, (description, headers) in self._problems().items():
            responses.setdefault(str(status), _problem(description, headers, ref))
        return dict(sorted(responses.items()))

    def _problems(self) -> dict[int, tuple[str, dict | None]]:
        problems: dict[int, tuple[str, dict | None]] = {
            403: ("Your account may not do this.", None),
            406: ("The client does not accept JSON.", None),
            429: ("Too many requests.", RETRY_AFTER),
        }
        if self.get_auth():
            problems[401] = (
                "No token, or the token is not valid, has expired or has been revoked.",
                {
                    "WWW-Authenticate": {
                        "schema": {"type": "string"},
                        "description": "The authentication scheme to use.",
                    }
                },
            )
        if "{" in self.path:
            problems[404] = ("No such record, or not one you may see.", None)
        if self.method in ("POST", "PUT", "PATCH"):
            problems[400] = ("The body is not valid JSON, or a header is missing.", None)
            problems[413] = ("The body is larger than 1 MiB.", None)
            problems[415] = ("The body is not JSON.", None)
            problems[422] = ("The body is not valid: every field error is listed.", None)
        elif self.method == "GET" and ("{" not in self.path or self._is_list_view()):
            # A list's filters and pages (a list under a record too: a measure's values).
            problems[400] = ("A query parameter is not valid.", None)
        extra = getattr(self.view, "extra_problems", {}).get(getattr(self.view, "action", None))
        for status, description in (extra or {}).items():
            problems[status] = (description, RETRY_AFTER if status == 409 else None)
        return problems


# --- extensions -----------------------------------------------------------------------------


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "safeguarding.api.authentication.PartnerTokenAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A partner organisation's API token: `Authorization: Bearer sgp_…`.",
        }


class TextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "safeguarding.api.serializers.TextField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        has_own_pattern = any(isinstance(v, RegexValidator) for v in self.target.validators)
        if direction == "request" and not has_own_pattern:
            schema["pattern"] = self.target.schema_pattern or text_pattern(
                multiline=self.target.multiline, allow_blank=self.target.allow_blank
            )
        return schema


class StrictSerializerSchema(OpenApiSerializerExtension):
    target_class = "safeguarding.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            # Nested lists of objects (many=True): their size limits, which the generator skips.
            for name, field in self.target.fields.items():
                prop = schema.get("properties", {}).get(name)
                if isinstance(field, serializers.ListSerializer) and prop is not None:
                    if field.max_length is not None:
                        prop["maxItems"] = field.max_length
                    if field.min_length is not None:
                        prop["minItems"] = field.min_length
            schema["additionalProperties"] = False
            rules = copy.deepcopy(getattr(self.target, "schema_rules", []))
            if len(rules) == 1:
                schema["anyOf"] = rules[0]
            elif rules:
                schema["allOf"] = [{"anyOf": alternatives} for alternatives in rules]
        return schema


def postprocess(result, generator, request, public):
    """Fill in the long description (with the list of problem types)."""
    result["info"]["description"] = description()
    return result
