"""Text that people and partner systems type in, made safe to store and show: one rule, used by
the web forms and the partner API alike.

:func:`normalise` is the rule. For a ``str`` it:

1. refuses a lone surrogate (U+D800 to U+DFFF not in a pair: not a character; JSON can carry
   one as ``"\\ud800"``, and PostgreSQL's driver cannot encode it) — code ``"surrogate"``;
2. puts the text in Unicode Normalization Form C (NFC: ``"e"`` + combining acute is stored as
   ``"é"``), so the same name is the same string whichever keyboard typed it;
3. refuses control characters (Unicode category Cc: U+0000 to U+001F and U+007F to U+009F,
   NUL and ANSI escapes included), except tab, line feed and carriage return in multi-line
   text — code ``"control_character"``;
4. strips white space from both ends, then applies the field's ``transform`` (a postcode is
   upper-cased: :func:`postcode`), then NFC again.

It raises ``django.core.exceptions.ValidationError`` with one message that says what to remove
and where (the character's position and code point, never the text itself). Length limits are
not its business: the field that calls it checks ``max_length`` on what it **returns** (Django
form fields run validators after ``to_python``, DRF fields after ``to_internal_value``), so a
value is measured after every transformation and the stored value always fits its column
(``"ßßßßßß"`` upper-cases to twelve letters; NFC can shorten or lengthen text).

Where it is applied:

* names (a person's, a place's, a group's) also go through :func:`name`: white space of every
  kind (tab, line break, no-break space, the Unicode spaces) becomes one space, runs of it
  one, and zero-width characters are dropped — :class:`NameField` in forms, ``NameField`` in
  the API, and :func:`model_formfield` for every model column called ``name`` or ``*_name``;
* web forms: :class:`CharField` and :class:`PostcodeField` (``forms.CharField`` with the rule;
  multi-line when the widget is a ``Textarea``); model forms get them from
  :func:`model_formfield` (``formfield_callback``; ``safeguarding.views.RecordUpdateView``);
  the search page and the pickers' search boxes clean what is searched for with
  :func:`search_text`;
* the partner API: ``safeguarding.api.serializers.TextField`` (and ``PostcodeField``) call
  :func:`normalise`; ``safeguarding.api.parsers.StrictJSONParser`` refuses a lone surrogate
  anywhere in a JSON body (member names too) before anything reads the body, since such a
  string cannot even be echoed back in an error;
* the OpenAPI schema's ``pattern`` for text (:data:`SINGLE_LINE_PATTERN` and friends) says the
  same, so a client generated from it is not surprised.

Tests: ``tests/test_text.py`` (the rule, the forms) and ``tests/api/test_text_input.py`` (every
API write endpoint and text field).
"""

import re
import unicodedata
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from safeguarding import clock

#: Control characters a multi-line text (a textarea, a narrative) may hold.
MULTILINE_CONTROLS = frozenset("\t\n\r")

#: The control characters (Unicode category Cc), as a character class for regular expressions
#: that mean the same in Python and ECMAScript (the schema's ``pattern``).
CONTROL_CLASS = r"\u0000-\u001f\u007f-\u009f"
#: The same, less tab, line feed and carriage return.
MULTILINE_CONTROL_CLASS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(f"[{CONTROL_CLASS}]")
_MULTILINE_CONTROL = re.compile(f"[{MULTILINE_CONTROL_CLASS}]")

#: What a postcode may hold: letters, digits and spaces (a UK postcode, or its first half).
POSTCODE_CHARACTERS = re.compile(r"[A-Za-z0-9 ]*")


class Messages:
    SURROGATE = (
        "Character {position} is not a character (an unpaired surrogate, {code}): send the text "
        "as valid Unicode."
    )
    CONTROL = (
        "Remove the invisible control character at character {position} ({code}): it may have "
        "come from copying text from another program."
    )
    LINE_BREAK = "Enter this on one line: remove the line break or tab at character {position}."
    POSTCODE = "Enter a postcode in letters, numbers and spaces, like EB4 7QT."


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def find_surrogate(value: str) -> int | None:
    """The index of the first lone surrogate in ``value``, or None."""
    match = _SURROGATE.search(value)
    return match.start() if match else None


def refuse_surrogates(value: str) -> None:
    """Raise ``ValidationError`` (code ``"surrogate"``) if ``value`` holds a lone surrogate."""
    index = find_surrogate(value)
    if index is not None:
        raise ValidationError(
            Messages.SURROGATE.format(position=index + 1, code=_code_point(value[index])),
            code="surrogate",
        )


def normalise(
    value: str,
    *,
    multiline: bool = False,
    strip: bool = True,
    transform: Callable[[str], str] | None = None,
) -> str:
    """``value`` as it is stored: see the module docstring for the steps and the errors."""
    refuse_surrogates(value)
    value = unicodedata.normalize("NFC", value)
    match = (_MULTILINE_CONTROL if multiline else _CONTROL).search(value)
    if match:
        char, position = match.group(), match.start() + 1
        if char in MULTILINE_CONTROLS:
            raise ValidationError(
                Messages.LINE_BREAK.format(position=position), code="control_character"
            )
        raise ValidationError(
            Messages.CONTROL.format(position=position, code=_code_point(char)),
            code="control_character",
        )
    if strip:
        value = value.strip()
    if transform is not None and value:
        value = unicodedata.normalize("NFC", transform(value))
    return value


def postcode(value: str) -> str:
    """A postcode as stored: letters, digits and single spaces, upper-cased (``"eb4  7qt"`` is
    ``"EB4 7QT"``). Anything else is refused (code ``"invalid"``) rather than guessed at."""
    if not POSTCODE_CHARACTERS.fullmatch(value):
        raise ValidationError(Messages.POSTCODE, code="invalid")
    return " ".join(value.split()).upper()


#: Characters that take no space and are dropped from names: zero width space, word joiner,
#: byte order mark, soft hyphen, Mongolian vowel separator. (Zero width joiner and non-joiner,
#: U+200C/U+200D, change how letters join in Persian, Arabic and Indic scripts: kept between
#: letters, dropped beside a space or at either end.)
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u180e]")
_JOINERS_AT_EDGES = re.compile("(?:^|(?<= ))[\u200c\u200d]+|[\u200c\u200d]+(?= |$)")


def name(value: str) -> str:
    """A name as stored (a person's, a place's, a group's): every kind of white space (tab,
    line break, no-break space, the Unicode spaces) is one space, runs of it one space, none
    at either end, and the invisible characters above dropped (``"Mary\u00a0 Ann\u200b"`` is
    ``"Mary Ann"``). Used as the ``transform`` of :func:`normalise` (which puts it in NFC
    after) by :class:`NameField` and the API's ``NameField``."""
    value = _INVISIBLE.sub("", value)
    value = " ".join(value.split())
    return _JOINERS_AT_EDGES.sub("", value).strip()


def is_name(field_name: str) -> bool:
    """Whether a model field named ``field_name`` holds a name (``name``, ``given_name``,
    ``referrer_name``, ``name_as_given`` …): :func:`model_formfield` gives it
    :class:`NameField`."""
    return field_name == "name" or field_name.endswith("_name") or field_name.startswith("name_")


def search_text(value: str) -> str:
    """What a search box holds, cleaned by the rule (one line, stripped); raises
    ``ValidationError`` like :func:`normalise`."""
    return normalise(str(value))


# --- web forms --------------------------------------------------------------------------------


class NormalisedTextMixin:
    """For a ``forms.CharField`` (or subclass): its text goes through :func:`normalise` before
    the field's validators (``max_length`` included) run. Multi-line when the widget is a
    ``Textarea`` (or ``multiline=True``); ``transform`` as :func:`normalise` takes it."""

    def __init__(self, *args, multiline: bool | None = None, transform=None, **kwargs):
        super().__init__(*args, **kwargs)
        if multiline is None:
            multiline = isinstance(self.widget, forms.Textarea)
        self.multiline = multiline
        self.transform = transform

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str) and value:
            value = normalise(
                value,
                multiline=self.multiline,
                strip=getattr(self, "strip", True),
                transform=self.transform,
            )
            if not value:
                return self.empty_value
        return value


class CharField(NormalisedTextMixin, forms.CharField):
    """``forms.CharField`` with the rule: use it for every text a person types."""


class PostcodeField(CharField):
    """A postcode: the rule, then :func:`postcode` (upper-cased, before ``max_length``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("transform", postcode)
        super().__init__(*args, **kwargs)


class EmailField(NormalisedTextMixin, forms.EmailField):
    """``forms.EmailField`` with the rule (then the address's own checks)."""


class NameField(CharField):
    """A name: the rule, then :func:`name` (white space of every kind made single spaces,
    invisible characters dropped, before ``max_length``). Tabs and line breaks pasted into a
    name become spaces instead of being refused."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("transform", name)
        kwargs.setdefault("multiline", True)  # tab and line breaks reach name(), which joins
        super().__init__(*args, **kwargs)


def is_postcode(name: str) -> bool:
    """Whether a model field named ``name`` holds a postcode."""
    return name == "postcode" or name.endswith("_postcode")


def model_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """A ``formfield_callback`` for model forms (and the admin's ``formfield_for_dbfield``):
    text columns whose usual form field is a plain ``forms.CharField`` (``CharField`` and
    ``TextField`` without choices; not email, URL or slug columns, whose fields check more) get
    :class:`CharField`, postcodes :class:`PostcodeField`, keeping the widget they would have
    had (names :class:`NameField`); date-time columns :class:`safeguarding.clock.DateTimeField`
    (the clock-change rule); other columns their usual form field."""
    usual = db_field.formfield(**kwargs)
    if type(usual) is forms.DateTimeField:
        # Local times at the clock change: the one rule (safeguarding/clock.py).
        return db_field.formfield(
            **{"widget": usual.widget, **kwargs, "form_class": clock.DateTimeField}
        )
    if type(usual) is forms.CharField:
        form_class = (
            PostcodeField
            if is_postcode(db_field.name)
            else NameField
            if is_name(db_field.name)
            else CharField
        )
        return db_field.formfield(**{"widget": usual.widget, **kwargs, "form_class": form_class})
    return usual


class RefuseNullCharactersMiddleware:
    """A query parameter (name or value) holding a NUL character is refused with a 400 before
    any view runs: PostgreSQL cannot compare or store NUL, so a filter or search carrying one
    (an admin list filter, a search box, an API filter) would otherwise fail deep in a query
    as a 500. Form fields already refuse NUL (Django's ``ProhibitNullCharactersValidator``).
    The API answers with its ``invalid-request`` problem; pages with a plain 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return self._refuse(request, key)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, parameter: str):
        from django.http import JsonResponse
        from django.shortcuts import render

        detail = "A query parameter holds a NUL character (U+0000), which cannot be used."
        if request.path.startswith("/api/"):
            from safeguarding.api.errors import PROBLEM_CONTENT_TYPE, PROBLEMS

            problem = PROBLEMS["invalid-request"]
            body = {
                "type": problem.uri,
                "title": problem.title,
                "status": 400,
                "detail": detail,
                "instance": request.path,
                "errors": [
                    {
                        "field": parameter.replace("\x00", "\\u0000"),
                        "message": "Holds a NUL character (U+0000), which cannot be used.",
                        "code": "control_character",
                    }
                ],
            }
            return JsonResponse(body, status=400, content_type=PROBLEM_CONTENT_TYPE)
        return render(request, "400.html", {"detail": detail}, status=400)
