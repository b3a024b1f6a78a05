"""One error shape for the whole API: RFC 9457 problem details.

Every error answer is ``application/problem+json``::

    {
      "type": "/api/v1/problems/validation-failed",
      "title": "The request is not valid",
      "status": 422,
      "detail": "2 fields are not valid: see errors.",
      "instance": "/api/v1/referrals/",
      "errors": [
        {"field": "young_people[0].date_of_birth", "message": "…", "code": "invalid"},
        {"field": "narrative", "message": "This field is required.", "code": "required"}
      ]
    }

``type`` is a URI reference to a page that explains the problem (:data:`PROBLEMS`); ``errors``
is always present and lists every field error at once (empty when the problem is not about
fields). ``field`` is a path into the request: ``a.b`` for an object member, ``a[0]`` for an
array item, ``null`` for the request as a whole. Query parameters are named as they are.

Denied and missing records are both ``not-found``: the answer never says whether something the
caller may not see exists.
"""

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from safeguarding.errors import NotAllowed, RecordNotFound
from safeguarding.versions import StaleRecord

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        return f"{PROBLEM_BASE}{self.slug}"


PROBLEMS = {
    p.slug: p
    for p in [
        ProblemType(
            "invalid-request",
            400,
            "The request is malformed",
            "The body is not valid JSON, or a query parameter (a filter, limit or offset) has a "
            "value that cannot be used. `errors` names each parameter.",
        ),
        ProblemType(
            "idempotency-key-required",
            400,
            "An Idempotency-Key header is required",
            "Creating a referral needs an `Idempotency-Key` header: a unique value (a UUID is "
            "ideal) that you send again, unchanged, when you retry the same request. It must be "
            "1 to 255 visible ASCII characters, optionally in double quotes.",
        ),
        ProblemType(
            "unauthenticated",
            401,
            "Authentication is needed",
            "Send `Authorization: Bearer <token>` with a token your administrator issued. The "
            "detail says when a token has expired or been revoked: ask for a new one.",
        ),
        ProblemType(
            "forbidden",
            403,
            "You may not do this",
            "Your account cannot make this request (for example, a role that does not make "
            "referrals, or a browser session without its CSRF token).",
        ),
        ProblemType(
            "not-found",
            404,
            "Not found",
            "There is nothing here that you may see. The API does not distinguish a record "
            "that does not exist from one that is not yours.",
        ),
        ProblemType(
            "method-not-allowed",
            405,
            "Method not allowed",
            "The resource does not support this HTTP method; the `Allow` header lists those "
            "it does.",
        ),
        ProblemType(
            "not-acceptable",
            406,
            "Not acceptable",
            "The API answers only in JSON: send `Accept: application/json` (or none).",
        ),
        ProblemType(
            "idempotency-key-in-use",
            409,
            "A request with this Idempotency-Key is still being processed",
            "Wait and retry with the same key and body: you will get the first request's "
            "answer once it has finished.",
        ),
        ProblemType(
            "secret-rotation-in-progress",
            409,
            "The signing secret was rotated recently",
            "After a rotation the old secret goes on signing deliveries for 24 hours, so that "
            "your system can move to the new one. Another rotation in that time would stop the "
            "secret you may still be using at once, so it is refused until then: `Retry-After` "
            "says how many seconds are left.",
        ),
        ProblemType(
            "precondition-failed",
            412,
            "The record has changed since you read it",
            "The `If-Match` header does not name the record's current `ETag`: someone changed "
            "it after you read it. Nothing was saved. Read it again (GET), decide whether your "
            "change still stands, and send it with the new `ETag`.",
        ),
        ProblemType(
            "payload-too-large",
            413,
            "The request body is too large",
            "Request bodies are limited to 1 MiB.",
        ),
        ProblemType(
            "unsupported-media-type",
            415,
            "Unsupported media type",
            "Send the body as JSON with `Content-Type: application/json`.",
        ),
        ProblemType(
            "validation-failed",
            422,
            "The request is not valid",
            "The body was read but some values cannot be accepted. `errors` lists every field "
            "at once; nothing was saved. Unknown fields are errors too, never silently ignored.",
        ),
        ProblemType(
            "idempotency-key-reused",
            422,
            "This Idempotency-Key was used for a different request",
            "A key identifies one request: the same key was sent earlier with a different body "
            "(or to a different endpoint). Use a new key for a new request. Keys are kept for "
            "24 hours.",
        ),
        ProblemType(
            "precondition-required",
            428,
            "An If-Match header is required",
            "Changing a record needs an `If-Match` header with the `ETag` of the record as you "
            "last read it (every GET of a record answers with one), so that your change cannot "
            "overwrite someone else's that you have not seen.",
        ),
        ProblemType(
            "rate-limited",
            429,
            "Too many requests",
            "Slow down: the `Retry-After` header says how many seconds to wait.",
        ),
        ProblemType(
            "server-error",
            500,
            "Something went wrong on our side",
            "The error has been logged. Nothing was saved; retry later with the same "
            "Idempotency-Key.",
        ),
    ]
}


class ProblemException(exceptions.APIException):
    """An API error of one of the documented :data:`PROBLEMS`."""

    def __init__(self, slug: str, detail: str = "", *, errors=(), headers=None):
        self.problem = PROBLEMS[slug]
        self.status_code = self.problem.status
        self.errors = list(errors)
        self.headers = headers or {}
        super().__init__(detail or self.problem.title)


class PayloadTooLarge(ProblemException):
    def __init__(self, limit: int):
        super().__init__(
            "payload-too-large", f"The request body is larger than the limit of {limit} bytes."
        )


class InvalidQuery(exceptions.ValidationError):
    """Query parameters that cannot be used: a 400, not a 422 (no body was involved)."""

    status_code = status.HTTP_400_BAD_REQUEST


# --- field errors -----------------------------------------------------------------------------


def _join(prefix: str | None, key) -> str | None:
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return f"{prefix or ''}[{key}]"
    if key in (api_settings.NON_FIELD_ERRORS_KEY, "__all__", None):
        return prefix
    return f"{prefix}.{key}" if prefix else str(key)


def flatten_errors(detail, prefix: str | None = None) -> list[dict]:
    """DRF's nested error structure (or a Django ``ValidationError``'s) as a flat list of
    ``{"field", "message", "code"}``, in the order of the request's fields."""
    out: list[dict] = []
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            out += flatten_errors(value, _join(prefix, key))
    elif isinstance(detail, list | tuple):
        if any(isinstance(item, Mapping) for item in detail):
            # A list of nested objects: one entry per item, empty for valid items.
            for index, item in enumerate(detail):
                if item:
                    out += flatten_errors(item, _join(prefix, index))
        else:
            for item in detail:
                out += flatten_errors(item, prefix)
    else:
        code = getattr(detail, "code", None) or "invalid"
        out.append({"field": prefix, "message": str(detail), "code": code})
    return out


def _django_validation_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        out = []
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = error.message % error.params if error.params else error.message
                out.append(
                    {
                        "field": None if field == "__all__" else field,
                        "message": str(message),
                        "code": error.code or "invalid",
                    }
                )
        return out
    return [{"field": None, "message": str(m), "code": "invalid"} for m in exc.messages]


# --- the response -----------------------------------------------------------------------------


def problem_response(
    slug: str,
    *,
    detail: str = "",
    instance: str = "",
    errors=(),
    headers=None,
    status_code: int | None = None,
) -> Response:
    problem = PROBLEMS[slug]
    body = {
        "type": problem.uri,
        "title": problem.title,
        "status": status_code or problem.status,
        "detail": detail or problem.title,
        "instance": instance,
        "errors": list(errors),
    }
    return Response(
        body,
        status=status_code or problem.status,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _summary(errors: list[dict]) -> str:
    fields = [e for e in errors if e["field"]]
    if not errors:
        return "The request is not valid."
    if len(errors) == 1:
        error = errors[0]
        return f"{error['field']}: {error['message']}" if error["field"] else error["message"]
    return f"{len(errors)} problems with the request ({len(fields)} in fields): see errors."


_DRF_SLUGS = {
    exceptions.ParseError: "invalid-request",
    exceptions.NotAuthenticated: "unauthenticated",
    exceptions.AuthenticationFailed: "unauthenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not-found",
    exceptions.MethodNotAllowed: "method-not-allowed",
    exceptions.NotAcceptable: "not-acceptable",
    exceptions.UnsupportedMediaType: "unsupported-media-type",
    exceptions.Throttled: "rate-limited",
}


def problem_exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: every exception an endpoint raises, as a problem."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    headers = {}
    if isinstance(exc, StaleRecord):  # a service's If-Match check, under the row lock
        exc = ProblemException("precondition-failed", PROBLEMS["precondition-failed"].description)
    elif isinstance(exc, Http404 | RecordNotFound):  # a service's RecordNotFound: missing or denied
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied | NotAllowed):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):  # Django's own limit, behind the API's
        exc = PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    if isinstance(exc, ProblemException):
        set_rollback()
        return problem_response(
            exc.problem.slug,
            detail=str(exc.detail),
            instance=instance,
            errors=exc.errors,
            headers=exc.headers,
        )
    if isinstance(exc, DjangoValidationError):  # ApplicationError from a service
        set_rollback()
        errors = _django_validation_errors(exc)
        return problem_response(
            "validation-failed", detail=_summary(errors), instance=instance, errors=errors
        )
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        errors = flatten_errors(exc.detail)
        slug = "invalid-request" if isinstance(exc, InvalidQuery) else "validation-failed"
        return problem_response(slug, detail=_summary(errors), instance=instance, errors=errors)
    if isinstance(exc, exceptions.APIException):
        set_rollback()
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))  # never "retry in 0"
        slug = next((s for cls, s in _DRF_SLUGS.items() if isinstance(exc, cls)), None)
        if slug is None:
            slug = "invalid-request" if exc.status_code < 500 else "server-error"
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if slug == "rate-limited":
            detail = f"Too many requests: retry in {headers.get('Retry-After', 'a few')} seconds."
        if exc.status_code == 403 and slug == "unauthenticated":
            slug = "forbidden"
        return problem_response(
            slug,
            detail=str(detail),
            instance=instance,
            headers=headers,
            status_code=exc.status_code,
        )
    if settings.DEBUG:
        return None  # Django's debug page, with the traceback
    logger.exception("Unhandled error in %s", instance)
    set_rollback()
    return problem_response("server-error", instance=instance)
