"""The shared pagination: page numbers, links that keep the filters, and the MoJ include."""

import re

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory

from safeguarding.pagination import PageLink, page_number, paginate, pagination


def _request(query: str = ""):
    return RequestFactory().get(f"/list/?{query}" if query else "/list/")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 1),
        ("", 1),
        ("x", 1),
        ("2.5", 1),
        ("1e3", 1),
        ("0", 1),
        ("-3", 1),
        ("1", 1),
        (" 2 ", 2),
        ("4", 4),
        ("5", 4),
        ("99999999999999999999999", 4),
    ],
)
def test_a_page_number_is_always_a_page(raw, expected):
    assert page_number(raw, last=4) == expected


def test_paginate_gives_the_page_asked_for_and_never_fails():
    rows = list(range(1, 121))  # 120 rows: pages of 50, 50 and 20
    assert list(paginate(_request("page=2"), rows, per_page=50)) == list(range(51, 101))
    # Past the end: the last page (the list shrank while it was open); junk: the first.
    assert paginate(_request("page=9"), rows, per_page=50).number == 3
    assert paginate(_request("page=x"), rows, per_page=50).number == 1
    # Another parameter name, for a second list on the same page.
    page = paginate(_request("page=3&workers_page=2"), rows, per_page=50, param="workers_page")
    assert page.number == 2
    # An empty list is one empty page, with nothing to link to.
    empty = paginate(_request("page=4"), [], per_page=50)
    assert empty.number == 1 and list(empty) == []
    assert pagination(empty, QueryDict()) is None


def test_links_keep_the_other_parameters_and_land_on_the_anchor():
    page = Paginator(list(range(120)), 50).page(2)
    query = QueryDict("status=dead&harm=cse&harm=cce&page=2")
    links = pagination(page, query, anchor="#chronology")
    assert links.previous == "?status=dead&harm=cse&harm=cce&page=1#chronology"
    assert links.next == "?status=dead&harm=cse&harm=cce&page=3#chronology"
    assert [item.href for item in links.items] == [
        f"?status=dead&harm=cse&harm=cce&page={n}#chronology" for n in (1, 2, 3)
    ]
    assert [item.current for item in links.items] == [False, True, False]
    # The query string is the request's own, never changed.
    assert query.getlist("page") == ["2"]
    # A second list's links change only its own parameter.
    other = pagination(page, QueryDict("page=4"), param="workers_page")
    assert other.next == "?page=4&workers_page=3"


def test_many_pages_show_the_ends_and_the_neighbours_with_ellipses():
    # GOV.UK's own example: 1 … 8 [9] 10 … 40.
    page = Paginator(list(range(400)), 10).page(9)
    items = pagination(page, QueryDict()).items
    assert [item.number for item in items] == [1, None, 8, 9, 10, None, 40]
    assert items[1] == PageLink(number=None) and items[1].ellipsis
    first = pagination(Paginator(list(range(400)), 10).page(1), QueryDict())
    assert [item.number for item in first.items] == [1, 2, None, 40]
    assert first.previous == "" and first.next == "?page=2"
    last = pagination(Paginator(list(range(400)), 10).page(40), QueryDict())
    assert [item.number for item in last.items] == [1, None, 39, 40]
    assert last.next == "" and last.previous == "?page=39"


def test_the_results_line_counts_with_the_rows_own_noun():
    page = Paginator(list(range(6012)), 50).page(2)
    assert pagination(page, QueryDict()).results == "Showing 51 to 100 of 6,012 results"
    assert (
        pagination(page, QueryDict(), noun="referral").results
        == "Showing 51 to 100 of 6,012 referrals"
    )
    one = Paginator(["a"], 50).page(1)
    assert pagination(one, QueryDict(), noun="entry,entries").results == (
        "Showing 1 to 1 of 1 entry"
    )
    assert pagination(one, QueryDict(), noun="entry,entries").items == []  # one page: no links
    last = Paginator(list(range(6012)), 50).page(121)
    assert pagination(last, QueryDict(), noun="entry,entries").results == (
        "Showing 6,001 to 6,012 of 6,012 entries"
    )


def _render(page, query="", **options) -> str:
    return render_to_string(
        "includes/pagination.html", {"page": page, **options}, request=_request(query)
    )


def test_the_include_renders_moj_pagination():
    page = Paginator(list(range(120)), 50).page(2)
    html = _render(page, "kind=email&page=2", noun="notification")
    assert html.count('<div class="moj-pagination">') == 1
    nav = re.search(r'<nav class="govuk-pagination moj-pagination__pagination"[^>]*>', html)
    assert nav and 'aria-label="Pagination"' in nav.group(0)
    assert 'href="?kind=email&amp;page=1" rel="prev"' in html
    assert 'href="?kind=email&amp;page=3" rel="next"' in html
    current = re.search(
        r'<li class="govuk-pagination__item govuk-pagination__item--current">'
        r"\s*<a [^>]*>2</a>",
        html,
    )
    assert current and 'aria-current="page"' in current.group(0)
    assert 'aria-label="Page 3"' in html
    assert '<p class="moj-pagination__results">Showing 51 to 100 of 120 notifications</p>' in html


def test_the_include_options_for_a_second_list_and_an_anchor():
    page = Paginator(list(range(120)), 50).page(1)
    html = _render(
        page,
        "page=2",
        page_param="workers_page",
        anchor="#workers",
        landmark_label="Pages of workers",
        noun="worker",
    )
    assert 'aria-label="Pages of workers"' in html
    assert 'href="?page=2&amp;workers_page=2#workers" rel="next"' in html
    assert 'rel="prev"' not in html  # the first page has no previous link
    assert "Showing 1 to 50 of 120 workers" in html


def test_the_include_on_one_page_or_none():
    one = Paginator(list(range(5)), 50).page(1)
    html = _render(one)
    assert "<nav" not in html  # nothing to go to: MoJ shows the results line only
    assert "Showing 1 to 5 of 5 results" in html
    assert _render(Paginator([], 50).page(1)).strip() == ""
    with pytest.raises(TypeError):
        _render(list(range(5)))  # not a Page: a mistake in the calling template
