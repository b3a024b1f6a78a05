"""The service navigation: which pages each role sees in the header (one place)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from safeguarding.accounts import visibility
from safeguarding.accounts.middleware import second_factor_exempt, second_factor_passed


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


# (label, url name, the url names it is "current" for, who sees it)
ITEMS = [
    ("My work", "home", {"home"}, lambda u: True),
    ("Log a concern", "cases:concern-log", {"cases:concern-log"}, visibility.logs_concerns),
    (
        "Make a referral",
        "cases:referral-new",
        {"cases:referral-new", "cases:referral-sent"},
        visibility.refers,
    ),
    (
        "Team caseload",
        "cases:team",
        {"cases:team", "cases:team-worker", "cases:case-allocate", "cases:case-transfer"},
        visibility.manages_team,
    ),
    (
        "Front door",
        "cases:triage",
        {"cases:triage", "cases:triage-decide"},
        visibility.manages_team,
    ),
    (
        "Peer groups",
        "peers:peer-groups",
        {"peers:peer-groups", "peers:peer-group-create"},
        visibility.lists_peer_groups,
    ),
    (
        "Warning notes",
        "cases:warnings",
        {"cases:warnings", "cases:warning-decide", "cases:warning-review"},
        visibility.authorises_warnings,
    ),
    (
        "Restricted records",
        "cases:restrictions",
        {"cases:restrictions", "cases:restriction-review", "cases:young-person-restrict"},
        visibility.manages_team,
    ),
    (
        "Emergency access",
        "cases:break-glass",
        {"cases:break-glass"},
        lambda u: _breaks_glass(u),
    ),
    (
        "Meetings",
        "meetings:list",
        {"meetings:list", "meetings:meeting", "meetings:schedule"},
        visibility.attends_meetings,
    ),
    ("Hotspots", "contexts:hotspots", {"contexts:hotspots"}, visibility.oversees_authority),
    ("Themes", "cases:themes", {"cases:themes"}, visibility.oversees_authority),
    (
        "Delivery log",
        "notifications:log",
        {"notifications:log"},
        visibility.reads_delivery_log,
    ),
    (
        "Data protection",
        "dataprotection:home",
        {"dataprotection:home"},
        visibility.protects_data,
    ),
    ("Search", "search", {"search"}, visibility.searches),
]


def _breaks_glass(user) -> bool:
    from cases.restrictions.breakglass import breaks_glass

    return breaks_glass(user)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if not second_factor_passed(user):
        # Signing in is not finished: no menu to pages the session may not reach yet.
        return {"nav_items": [], "signing_in": True}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for label, name, current_for, shown in ITEMS:
        if not shown(user):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page not built yet
            continue
        items.append(NavItem(label=label, url=url, active=current in current_for))
    return {
        "nav_items": items,
        "demo_without_second_factor": second_factor_exempt(user),
        # The 404 page offers the search page to those who may use it.
        "may_search": visibility.searches(user),
    }
