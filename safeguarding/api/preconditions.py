"""Conditional updates: ``ETag`` on a record's GET, ``If-Match`` required on its PATCH
(RFC 9110 §8.8.3, §13.1.1; RFC 6585 §3 for 428).

A partner's system reads a record (``GET``: the answer carries a strong ``ETag``, the version
of the record's saved values: :func:`safeguarding.versions.etag`) and sends that tag back as
``If-Match`` with its ``PATCH``. The service compares it with the row **under the row lock**
(:func:`safeguarding.versions.check_etag`): a record changed since is a 412
``precondition-failed`` problem, nothing saved (read it again, then decide). A ``PATCH``
without ``If-Match`` is a 428 ``precondition-required`` problem: every PATCH endpoint requires
it (actions' progress, webhook endpoints), so that no client overwrites a change it never saw.
``If-Match: *`` means "whatever it is now" (RFC 9110): it skips the comparison, deliberately.
Weak tags (``W/"…"``) never match. A successful ``PATCH`` answers with the new ``ETag``.
"""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from safeguarding import versions

from .errors import ProblemException

IF_MATCH = "If-Match"

#: The request header, as the schema of every PATCH describes it.
IF_MATCH_PARAMETER = OpenApiParameter(
    IF_MATCH,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The `ETag` of the record as you last read it (a quoted string, e.g. "
    '`"Qv6zT0m1hW4c2k9xYb1d3A"`). If the record has changed since, nothing is saved and the '
    "answer is 412: read it again. Without this header the answer is 428.",
)


def etag_parameter(*statuses: int) -> OpenApiParameter:
    """The ``ETag`` response header of the answers with ``statuses``."""
    return OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=list(statuses),
        required=True,
        description="The record's version (a strong entity tag): send it as `If-Match` to "
        "change the record.",
    )


#: The problems of a PATCH that requires ``If-Match`` (a view's ``extra_problems``).
PATCH_PROBLEMS = {
    412: "The record has changed since the `ETag` you sent in `If-Match`: nothing was saved. "
    "Read it again (GET) and send its new `ETag`.",
    428: "Send `If-Match` with the record's `ETag` (from a GET).",
}


def read_if_match(request) -> str:
    """The request's ``If-Match`` value; a 428 problem if it has none (or an empty one)."""
    value = (request.headers.get(IF_MATCH) or "").strip()
    if not value:
        raise ProblemException(
            "precondition-required",
            "Send an If-Match header with the record's ETag (from a GET of it), so that your "
            "change cannot overwrite one you have not seen.",
        )
    return value


def with_etag(response: Response, record, fields) -> Response:
    """``response`` with the ``ETag`` of ``record``'s version over ``fields``."""
    response["ETag"] = versions.etag(record, fields)
    return response
