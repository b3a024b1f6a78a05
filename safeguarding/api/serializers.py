"""Base serializers: strict input, so the schema tells the whole truth about what is accepted.

* Unknown fields are errors (listed with the others), never silently dropped.
* Text must be a JSON string (DRF would turn ``123`` into ``"123"``), goes through the one text
  rule (:func:`safeguarding.text.normalise`: NFC, no lone surrogates, no control characters
  but tab and line breaks in multi-line text, trimmed, postcodes upper-cased) and is measured
  against ``max_length`` afterwards; a required text must say something (not only spaces).
  The OpenAPI schema says the same with a ``pattern`` (:func:`text_pattern`), so a client
  generated from it cannot be surprised.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from safeguarding import clock, text

#: Python's whitespace (``str.isspace``, what ``str.strip`` trims), written out so that the
#: schema's regular expressions mean the same in every language (JavaScript's ``\s`` does not).
WHITESPACE_CLASS = (
    r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: The white space that is not a control character (what may surround an accepted postcode).
VISIBLE_WHITESPACE_CLASS = r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def text_pattern(*, multiline: bool = False, allow_blank: bool = False) -> str:
    """The schema's ``pattern`` for text the rule accepts: no control characters (but tab and
    line breaks when ``multiline``) and, unless ``allow_blank``, at least one character that is
    not a space. (The empty string is allowed separately, where it is.)"""
    refused = text.MULTILINE_CONTROL_CLASS if multiline else text.CONTROL_CLASS
    if allow_blank:
        return rf"^[^{refused}]+$"
    return rf"^[^{refused}]*[^{refused}{WHITESPACE_CLASS}][^{refused}]*$"


#: One line of text that is not blank.
NON_BLANK_PATTERN = text_pattern()
#: One line of text, perhaps only spaces.
SINGLE_LINE_PATTERN = text_pattern(allow_blank=True)
#: A postcode (:func:`safeguarding.text.postcode`), white space around it allowed.
POSTCODE_PATTERN = rf"^[{VISIBLE_WHITESPACE_CLASS}]*[A-Za-z0-9 ]*[{VISIBLE_WHITESPACE_CLASS}]*$"


class StrictSerializer(serializers.Serializer):
    """A serializer that rejects fields it does not declare (at any depth).

    ``schema_rules`` adds to the OpenAPI schema what fields alone cannot say: each rule is a
    list of alternatives (an ``anyOf``), e.g. "a name or a reference". The service enforces
    the same rules; the schema says them so that clients (and the fuzzer) know.
    """

    schema_rules: list[list[dict]] = []

    def rule_errors(self, data: Mapping) -> dict[str, str]:
        """Errors of the rules between fields, found in the same pass as the field errors so
        that every problem is listed at once (the service checks them again)."""
        return {}

    def to_internal_value(self, data):
        errors = {}
        value = None
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            errors.update(exc.detail)
        if isinstance(data, Mapping):
            for name, message in self.rule_errors(data).items():
                errors.setdefault(name, [ErrorDetail(message, code="invalid")])
            writable = {name for name, field in self.fields.items() if not field.read_only}
            for name in data:
                if name not in writable:
                    errors[name] = [
                        ErrorDetail("This field is not part of the request.", code="unknown_field")
                    ]
        if errors:
            raise ValidationError(errors)
        return value


class TextField(serializers.CharField):
    """Text from a JSON string, through the one text rule; see the module docstring.

    ``multiline=True`` for text that may hold line breaks and tabs (a narrative, an address);
    ``transform`` as :func:`safeguarding.text.normalise` takes it. ``max_length`` and the other
    validators check the normalised value, which is what is stored."""

    default_error_messages = {"not_a_string": "Give text (a JSON string)."}
    #: The schema's ``pattern``; None for :func:`text_pattern`'s.
    schema_pattern: str | None = None

    def __init__(self, *, multiline: bool = False, transform=None, **kwargs):
        kwargs["trim_whitespace"] = False  # trimmed by the rule, after the blank check
        self.multiline = multiline
        self.transform = transform
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        try:
            value = text.normalise(data, multiline=self.multiline, transform=self.transform)
        except DjangoValidationError as e:
            raise ValidationError(e.messages, code=e.code) from None
        if not value and not self.allow_blank:
            self.fail("blank")
        return value


#: Characters :func:`safeguarding.text.name` drops (or keeps only inside a word): a name made of
#: them and white space alone is blank.
NAME_INVISIBLE_CLASS = r"\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"


class NameField(TextField):
    """A name (a person's, a place's): the rule, then :func:`safeguarding.text.name` (white
    space of every kind, tabs and line breaks included, made single spaces; zero-width
    characters dropped); ``max_length`` is checked after that. The schema's pattern says a
    name needs one character that is neither white space nor one of those."""

    schema_pattern = (
        rf"^[^{text.MULTILINE_CONTROL_CLASS}]*"
        rf"[^{text.MULTILINE_CONTROL_CLASS}{WHITESPACE_CLASS}{NAME_INVISIBLE_CLASS}]"
        rf"[^{text.MULTILINE_CONTROL_CLASS}]*$"
    )

    def __init__(self, **kwargs):
        super().__init__(multiline=True, transform=text.name, **kwargs)


class PostcodeField(TextField):
    """A postcode: letters, digits and spaces, stored upper-cased with single spaces
    (:func:`safeguarding.text.postcode`); ``max_length`` is checked after that."""

    schema_pattern = POSTCODE_PATTERN

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(transform=text.postcode, **kwargs)


class StrictEmailField(serializers.EmailField):
    default_error_messages = {"not_a_string": "Give an email address (a JSON string)."}

    def __init__(self, **kwargs):
        kwargs["trim_whitespace"] = False  # " a@b.example" is not an email address
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class StrictDateField(serializers.DateField):
    """A date as ``YYYY-MM-DD`` in a JSON string (the schema's ``format: date``), and no other
    of the ISO 8601 spellings Python would also read (``20100101``, ``2010-W01-1``)."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not _FULL_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class LocalDateTimeField(serializers.DateTimeField):
    """A date-time in a JSON string (ISO 8601). With an offset (``Z``, ``+01:00``) it is one
    moment and is kept. Without one it is London's wall-clock time, read by the one rule
    (:func:`safeguarding.clock.aware`): a time in the spring gap is refused (code
    ``nonexistent``), and one in the autumn's repeated hour is refused as ambiguous (code
    ``ambiguous``): send it with its offset (``+01:00`` for the first, BST; ``+00:00`` for the
    second, GMT). Use it for every date-time the API accepts."""

    default_error_messages = {"not_a_string": "Give a date and time (a JSON string)."}

    def to_internal_value(self, value):
        from django.utils.dateparse import parse_datetime

        if not isinstance(value, str):
            self.fail("not_a_string")
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+hh:mm]")
        if parsed.tzinfo is not None:
            return parsed
        try:
            return clock.aware(parsed)
        except DjangoValidationError as e:
            raise ValidationError(e.messages, code=e.code) from None
