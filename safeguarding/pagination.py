"""Long lists, one page at a time: one way to cut a list into pages and to link between them.

A view pages its list with :func:`paginate` and hands the page to its template, which shows
the rows of the page and then the links to the others::

    page = paginate(request, selectors.referrals_awaiting_triage(user=user), per_page=50)

    {% for referral in page %} … {% endfor %}
    {% include "includes/pagination.html" with page=page noun="referral,referrals" %}

The include needs only the ``Page`` (any Django ``Page``) and the request (from the context);
it may also be given ``anchor`` (where each link lands, "#chronology"), ``noun`` (what the
rows are: "entry,entries", or a word that takes an "s"), ``page_param`` (the query parameter,
when a page has two paged lists) and ``landmark_label`` (the navigation landmark's name, which
must then differ between the two). It renders MoJ Frontend's pagination as v11 publishes it:
GOV.UK Frontend's pagination inside ``moj-pagination``, with the line "Showing 1 to 50 of 6,012
referrals" under it. The links keep every other query parameter (a page's filters).

A page number that is not a number is the first page; one past the end is the last page (the
list shrank while it was open: a referral decided, a case allocated, a notification retried).
Neither is an error. The cost is one ``COUNT(*)`` over the list and one query for the page's
rows (``LIMIT``/``OFFSET``), whatever the length of the list.
"""

from dataclasses import dataclass

from django import template
from django.core.paginator import Page, Paginator
from django.http import QueryDict

PAGE_PARAM = "page"


def page_number(raw: str | None, last: int) -> int:
    """The page to show for the number asked for: 1 when it is missing, not a whole number or
    below 1; ``last`` when it is past the end."""
    try:
        number = int(raw or "")
    except ValueError:
        return 1
    return min(max(number, 1), last)


def paginate(request, items, *, per_page: int, param: str = PAGE_PARAM) -> Page:
    """The page of ``items`` (an ordered queryset, or a list) that ``request.GET[param]`` asks
    for, ``per_page`` rows a page. Never raises for the page number (see :func:`page_number`).

    The order of ``items`` must be total (end with a unique field such as ``pk``), or rows
    with equal keys may show on two pages, or on none.
    """
    paginator = Paginator(items, per_page)
    return paginator.page(page_number(request.GET.get(param), paginator.num_pages))


@dataclass(frozen=True)
class PageLink:
    """One item of the list of pages: a page number and its link, or an ellipsis."""

    number: int | None  # None: an ellipsis (pages left out)
    href: str = ""
    current: bool = False

    @property
    def ellipsis(self) -> bool:
        return self.number is None


@dataclass(frozen=True)
class Pagination:
    """What MoJ Frontend's pagination shows for one page."""

    items: list[PageLink]  # more than one page: numbers and ellipses; otherwise empty
    previous: str  # the link to the previous page, or ""
    next: str  # the link to the next page, or ""
    results: str  # "Showing 51 to 100 of 6,012 referrals"
    landmark_label: str


def _plural(noun: str, count: int) -> str:
    singular, _, plural = noun.partition(",")
    if count == 1:
        return singular
    return plural or f"{singular}s"


def pagination(
    page: Page,
    query: QueryDict,
    *,
    param: str = PAGE_PARAM,
    anchor: str = "",
    noun: str = "result,results",
    landmark_label: str = "Pagination",
) -> Pagination | None:
    """The links and the results line for ``page``; ``None`` for an empty list (the page says
    there is nothing instead). ``query`` is the request's query string: each link is it with
    ``param`` set to the page's number (other parameters kept), then ``anchor`` ("#rows")."""
    paginator = page.paginator
    count = paginator.count
    if count == 0:
        return None

    def href(number: int) -> str:
        params = query.copy()
        params[param] = str(number)
        return f"?{params.urlencode()}{anchor}"

    items = []
    if paginator.num_pages > 1:
        # The first and last pages, the current one and one either side, as GOV.UK's
        # pagination guidance shows them (1 … 8 [9] 10 … 40).
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
            if number == paginator.ELLIPSIS:
                items.append(PageLink(number=None))
            else:
                items.append(PageLink(number, href(number), current=number == page.number))
    return Pagination(
        items=items,
        previous=href(page.previous_page_number()) if page.has_previous() else "",
        next=href(page.next_page_number()) if page.has_next() else "",
        results=(
            f"Showing {page.start_index():,} to {page.end_index():,} of {count:,} "
            f"{_plural(noun, count)}"
        ),
        landmark_label=landmark_label,
    )


# --- the template tag behind includes/pagination.html (registered in settings.TEMPLATES) ----

register = template.Library()


@register.simple_tag(takes_context=True)
def pagination_for(context, page, anchor="", noun="", page_param="", landmark_label=""):
    """``{% pagination_for page anchor=… as pagination %}``: :func:`pagination` for the page,
    with the request's query string. Options left empty take their defaults."""
    if not isinstance(page, Page):
        raise TypeError(f"includes/pagination.html needs a Page, not {type(page).__name__}")
    request = context["request"]
    options = {
        "param": page_param,
        "anchor": anchor,
        "noun": noun,
        "landmark_label": landmark_label,
    }
    return pagination(page, request.GET, **{k: v for k, v in options.items() if v})
