"""The API reads JSON only (anything else is a 415)."""

from collections.abc import Mapping

from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError
from rest_framework.parsers import JSONParser

from safeguarding import text


def _lone_surrogates(value, path: tuple = ()) -> dict:
    """Where ``value`` (a parsed JSON document) holds a lone surrogate: ``{path: message}``,
    a path being the keys and indexes down to the string (a member name's own path is its
    object's: the name itself cannot be shown)."""
    found = {}
    if isinstance(value, str):
        index = text.find_surrogate(value)
        if index is not None:
            found[path] = text.Messages.SURROGATE.format(
                position=index + 1, code=f"U+{ord(value[index]):04X}"
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if text.find_surrogate(key) is not None:
                found.setdefault(
                    path, "A member name holds an unpaired surrogate, which is not a character."
                )
            else:
                found.update(_lone_surrogates(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(_lone_surrogates(item, (*path, index)))
    return found


def _nested(found: dict) -> dict:
    """``{("a", 0, "b"): message}`` as DRF's nested error detail ``{"a": {0: {"b": [...]}}}``,
    which the error handler flattens to ``a[0].b``."""
    detail: dict = {}
    for path, message in found.items():
        if not path:
            detail.setdefault(None, []).append(ErrorDetail(message, code="surrogate"))
            continue
        node = detail
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(path[-1], []).append(ErrorDetail(message, code="surrogate"))
    return detail


class StrictJSONParser(JSONParser):
    """DRF's JSON parser (which already refuses NaN and Infinity), plus:

    * a clear 400 for JSON nested too deeply to parse, instead of a server error;
    * a 422 (``validation-failed``, each place named) for a string or member name holding an
      unpaired surrogate (``"\\ud800"``): valid JSON syntax, but not text, which neither the
      database nor the answer's UTF-8 can hold (:mod:`safeguarding.text`). Refused here, where
      the body is read, before anything (the idempotency fingerprint, a serializer, an error
      message echoing a value) handles it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        try:
            found = _lone_surrogates(data)
        except RecursionError:  # as deep as json.loads could go, but not deeper
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        if found:
            raise ValidationError(_nested(found))
        return data
