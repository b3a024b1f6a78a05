"""``Idempotency-Key`` (IETF ``draft-ietf-httpapi-idempotency-key-header``): safe retries.

A partner's system whose connection drops after it sent a referral cannot know whether the
referral arrived. It sends the request again with the same key, and:

* same key, same body, first request finished → the first response again (status, body and
  ``Location``), with ``Idempotent-Replayed: true``; nothing new is created;
* same key, different body (or endpoint) → 422 ``idempotency-key-reused``;
* same key while the first request is still being processed → 409 ``idempotency-key-in-use``
  (retry shortly);
* a request that failed (a validation error, a crash) saved nothing and stored no response:
  the key may be used again, with the same or a corrected body.

Keys are scoped to the caller: a partner organisation (its tokens all act as its API user) or a
signed-in person. They are honoured for 24 hours (``IdempotencyKey.RETENTION``), after which
the key may be reused and the row is purged.

How it is safe under concurrency: the key's row is inserted with ``ON CONFLICT DO NOTHING`` and
committed at once, so every request for the key sees it; then each request tries to lock it
with ``SELECT … FOR UPDATE NOWAIT`` in the transaction that does the work. Only one can hold the
lock; the others get a 409 at once. The response is stored in the same transaction as the
work, so a crash leaves neither (and the lock goes with the crashed transaction).

The body's fingerprint is SHA-256 of the method, the path and the body's canonical JSON
(sorted keys, no insignificant whitespace), so re-serialising the same data does not count as
a different body.
"""

import hashlib
import json
import re
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from .errors import ProblemException
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: 1 to 255 visible ASCII characters except the double quote, optionally quoted (the draft
#: defines the header as a structured-field string, so ``"abc"`` and ``abc`` are the same key).
KEY_PATTERN = r'^([\x21\x23-\x7e]{1,255}|"[\x21\x23-\x7e]{1,255}")$'
_KEY = re.compile(r'([\x21\x23-\x7e]{1,255})|"([\x21\x23-\x7e]{1,255})"', re.ASCII)
#: Response headers replayed with the body.
_REPLAYED_HEADERS = ("Location",)


#: What a missing key's problem says by default (the referrals it was first written for).
REFERRAL_KEY_MISSING = (
    f"Send an {HEADER} header (a new UUID for each new referral) so that a retry "
    "cannot create the referral twice."
)

#: The request header, as the OpenAPI schema of every operation that needs it describes it.
KEY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    pattern=KEY_PATTERN,
    description="A unique key for this request (a UUID), reused only for retries.",
)


def created_parameters(what: str) -> list[OpenApiParameter]:
    """The key and the headers of a 201 answer (``Location`` of the new ``what``, and the
    replay marker), for an idempotent POST that creates something."""
    return [
        KEY_PARAMETER,
        OpenApiParameter(
            "Location",
            str,
            OpenApiParameter.HEADER,
            response=[201],
            required=True,
            description=f"The new {what}'s URL.",
        ),
        OpenApiParameter(
            REPLAYED_HEADER,
            str,
            OpenApiParameter.HEADER,
            response=[201],
            enum=["true"],
            description="Present when this is the stored answer to an earlier request.",
        ),
    ]


def read_key(request, missing: str = REFERRAL_KEY_MISSING) -> str:
    raw = request.headers.get(HEADER)
    if raw is None:
        raise ProblemException("idempotency-key-required", missing)
    match = _KEY.fullmatch(raw)
    if not match:
        raise ProblemException(
            "idempotency-key-required",
            f"The {HEADER} must be 1 to 255 visible ASCII characters (no spaces), "
            "optionally in double quotes.",
            errors=[
                {"field": HEADER, "message": "Not a valid idempotency key.", "code": "invalid"}
            ],
        )
    return match.group(1) or match.group(2)


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


class _KeyInUse(Exception):
    pass


def _replay(row: IdempotencyKey) -> Response:
    headers = {**row.response_headers, REPLAYED_HEADER: "true"}
    return Response(json.loads(row.response_body), status=row.response_status, headers=headers)


def idempotent(
    request, handler: Callable[[], Response], *, missing: str = REFERRAL_KEY_MISSING
) -> Response:
    """Run ``handler`` (which does the work, in a transaction of its own or not) at most once
    per key; see the module docstring for what the caller may rely on. ``missing`` is what a
    request without a key is told."""
    key = read_key(request, missing)
    body_print = fingerprint(request)  # reads the body: 400, 413 and 415 come from here
    caller = request.user
    for attempt in range(2):
        IdempotencyKey.objects.bulk_create(
            [
                IdempotencyKey(
                    caller=caller,
                    organisation_id=caller.organisation_id,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    fingerprint=body_print,
                )
            ],
            ignore_conflicts=True,
        )
        try:
            with transaction.atomic():
                try:
                    row = (
                        IdempotencyKey.objects.select_for_update(nowait=True)
                        .filter(caller=caller, key=key)
                        .first()
                    )
                except OperationalError:
                    raise _KeyInUse from None
                if row is None:  # purged between the insert and the lock: insert again
                    if attempt:
                        raise _KeyInUse
                    continue
                return _run(request, row, body_print, handler)
        except _KeyInUse:
            raise ProblemException(
                "idempotency-key-in-use",
                "A request with this Idempotency-Key is still being processed: retry shortly.",
                headers={"Retry-After": "1"},
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _run(request, row: IdempotencyKey, body_print: str, handler) -> Response:
    now = timezone.now()
    if row.is_completed and not row.has_expired(now):
        if row.fingerprint != body_print:
            raise ProblemException(
                "idempotency-key-reused",
                "This Idempotency-Key was already used for a different request. Use a new key "
                "for a new request.",
            )
        return _replay(row)
    # A new key, one whose earlier request failed (and saved nothing), or an expired one:
    # this request takes it.
    response = handler()
    if not 200 <= response.status_code < 300:
        transaction.set_rollback(True)
        return response
    row.method = request.method
    row.path = request.path[:300]
    row.fingerprint = body_print
    row.created_at = now
    row.completed_at = timezone.now()
    row.response_status = response.status_code
    row.response_body = json.dumps(response.data, cls=DjangoJSONEncoder)
    row.response_headers = {h: response[h] for h in _REPLAYED_HEADERS if response.has_header(h)}
    row.save()
    return response
