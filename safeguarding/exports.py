"""Every CSV download goes through :func:`csv_response`: one place that writes the file so a
spreadsheet opens it safely and that writes the export to the audit.

What it does, and why:

- **UTF-8 with a byte-order mark.** Excel reads a CSV without one in the machine's legacy code
  page, so "Zoë Ōkafor" would show as "ZoÃ« ÅŒkafor"; with the mark it reads UTF-8. Other
  readers should decode with ``utf-8-sig`` (Python) or skip the mark.
- **No cell runs as a formula** (CSV or formula injection, OWASP's "CSV Injection" page and
  CWE-1236): every text cell goes through :func:`spreadsheet_safe`, which puts a ``'`` before
  one that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after any
  leading spaces). Numbers stay numbers: ``-3`` is written as ``-3``, which spreadsheets read
  as a number, not a formula. The ``csv`` module quotes a cell holding a comma, a quote or a
  line break and doubles its quotes (RFC 4180); a text cell holding a ``;`` or a tab is
  quoted too, since a spreadsheet set to split on those would otherwise start a new cell there
  (OWASP: "take care of the field separator").
- **Audited.** One audit row per download, with the number of rows and the filters
  (:func:`safeguarding.audit.registry.record_export`), written before the response leaves.
- **Safe ``Content-Disposition``.** The filename is reduced to letters, digits, ``-``, ``_``
  and ``.`` and quoted by Django (RFC 6266); it must not name a person (it is kept in
  browsers' download lists).

The body is built in memory, not streamed, so the audit row always says how many rows left
and no row leaves unless the audit row was written. The exports are counts per place or per
month, a few thousand rows at most.
"""

import csv
import io
import numbers
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename

from safeguarding.audit.registry import record_export

#: What a spreadsheet takes as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Other characters a spreadsheet may split cells on (Excel in locales whose list separator is
#: ``;``, a file imported as tab-separated): a text cell holding one is always quoted.
OTHER_SEPARATORS = frozenset(";\t")

#: The byte-order mark Excel needs to read the file as UTF-8.
BYTE_ORDER_MARK = "\ufeff"


def spreadsheet_safe(value):
    """``value`` as a cell that no spreadsheet runs as a formula.

    A number (``int``, ``float``, ``Decimal``; not ``bool``) is returned as it is, negative
    numbers included. ``None`` becomes ``""``. Anything else becomes text (``str(value)``),
    with ``'`` put before it when its first character other than a space is one of
    :data:`FORMULA_STARTS`.
    """
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return value
    if value is None:
        return ""
    text = str(value)
    if text.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def _cell(value) -> str:
    """One neutralised cell as CSV text, quoted as :mod:`csv` does (RFC 4180, Excel dialect),
    and always quoted when it is text holding one of :data:`OTHER_SEPARATORS`."""
    value = spreadsheet_safe(value)
    if value == "":
        return ""
    quoting = (
        csv.QUOTE_ALL
        if isinstance(value, str) and not OTHER_SEPARATORS.isdisjoint(value)
        else csv.QUOTE_MINIMAL
    )
    buffer = io.StringIO()
    csv.writer(buffer, quoting=quoting, lineterminator="").writerow([value])
    return buffer.getvalue()


def csv_line(cells: Sequence) -> str:
    """One line of the file: the cells, each made safe (:func:`spreadsheet_safe`), joined with
    commas and ended with CRLF."""
    return ",".join(_cell(value) for value in cells) + "\r\n"


def csv_response(
    *,
    user,
    model,
    name: str,
    filename: str,
    header: Sequence,
    rows: Iterable[Sequence],
    filters: dict | None = None,
) -> HttpResponse:
    """A CSV download of ``header`` then ``rows``, written to the audit.

    ``user`` is who downloads; ``model`` the model whose records the rows are built from (the
    audit row's resource); ``name`` the export's name in the audit (``"hotspots"``);
    ``filename`` the name offered to save as (made safe; no personal data); ``header`` the
    column headings; ``rows`` an iterable of sequences of cell values (read once: a queryset's
    ``iterator()`` will do); ``filters`` what the rows were filtered by, as JSON-able values,
    for the audit. Every cell goes through :func:`spreadsheet_safe`.

    Returns an ``HttpResponse`` (``text/csv; charset=utf-8``, body beginning with the UTF-8
    byte-order mark) after writing one audit row (``record_export``) with the number of rows
    (the header not counted). See the module docstring for the rules and their sources.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=get_valid_filename(filename)
    )
    response.write(BYTE_ORDER_MARK + csv_line(header))
    count = 0
    for row in rows:
        response.write(csv_line(row))
        count += 1
    record_export(user=user, model=model, name=name, rows=count, filters=filters)
    return response
