"""The service navigation: which pages each role sees in the header (one place)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from safeguarding.accounts import visibility


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
    ("Hotspots", "contexts:hotspots", {"contexts:hotspots"}, visibility.oversees_authority),
    ("Themes", "cases:themes", {"cases:themes"}, visibility.oversees_authority),
    (
        "Delivery log",
        "notifications:log",
        {"notifications:log"},
        visibility.reads_delivery_log,
    ),
    ("Search", "search", {"search"}, lambda u: u.role != u.Role.PARTNER),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
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
    return {"nav_items": items}
