"""Search across young people, peer groups and places: only what the user may see.

On PostgreSQL, names are matched by trigram similarity (pg_trgm, with GIN indexes), so a
misspelt name still finds the person; a date of birth (d/m/yyyy) and a postcode match exactly.
The embedded SQLite default falls back to substring matching.
"""

import re
from datetime import date

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import Exists, FloatField, OuterRef, Q, Value
from django.db.models.functions import Concat, Greatest, Replace, Upper
from django.views.generic import TemplateView

from cases.models import Alias, YoungPerson
from contexts.models import Context
from peers.models import PeerGroup
from safeguarding.accounts import visibility

SIMILARITY = 0.3
LIMIT = 25
_DATE = re.compile(r"^\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\s*$")
_POSTCODE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$")


def _as_date(text: str) -> date | None:
    match = _DATE.match(text)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def search_young_people(*, user, text: str, action: str = visibility.VIEW):
    people = visibility.restrict(user, YoungPerson, action).select_related("subject")
    born = _as_date(text)
    if born:
        return people.filter(date_of_birth=born)[:LIMIT]
    if _POSTCODE.match(text.strip()):
        compact = Replace(Upper("postcode"), Value(" "), Value(""))
        return people.annotate(compact=compact).filter(compact=text.replace(" ", "").upper())[
            :LIMIT
        ]
    if not _postgres():
        alias = Exists(Alias.objects.filter(young_person=OuterRef("pk"), name__icontains=text))
        return people.filter(
            Q(given_name__icontains=text)
            | Q(family_name__icontains=text)
            | Q(preferred_name__icontains=text)
            | Q(alias)
        )[:LIMIT]
    alias_score = (
        Alias.objects.filter(young_person=OuterRef("pk"))
        .annotate(score=TrigramWordSimilarity(text, "name"))
        .order_by("-score")
        .values("score")[:1]
    )
    full_name = Concat("given_name", Value(" "), "family_name")
    return (
        people.annotate(
            score=Greatest(
                TrigramSimilarity(full_name, text),
                TrigramWordSimilarity(text, full_name),
                TrigramWordSimilarity(text, "preferred_name"),
                alias_score,
                Value(0.0),
                output_field=FloatField(),
            )
        )
        .filter(score__gte=SIMILARITY)
        .order_by("-score", "family_name")[:LIMIT]
    )


def search_named(model, *, user, text: str, action: str = visibility.VIEW):
    records = visibility.restrict(user, model, action).select_related("subject")
    if not _postgres():
        return records.filter(name__icontains=text)[:LIMIT]
    return (
        records.annotate(score=TrigramWordSimilarity(text, "name"))
        .filter(Q(score__gte=SIMILARITY) | Q(name__icontains=text))
        .order_by("-score", "name")[:LIMIT]
    )


def search(*, user, text: str) -> dict:
    text = text.strip()[:100]
    if len(text) < 2:
        return {"young_people": [], "peer_groups": [], "contexts": []}
    return {
        "young_people": list(search_young_people(user=user, text=text)),
        "peer_groups": list(search_named(PeerGroup, user=user, text=text)),
        "contexts": list(search_named(Context, user=user, text=text)),
    }


class SearchView(LoginRequiredMixin, TemplateView):
    """The search page. What is searched for (names, dates of birth, postcodes) is sent by
    POST, so it never appears in a URL, a browser's history or an access log."""

    template_name = "search.html"

    def post(self, request, *args, **kwargs):
        text = request.POST.get("q", "")
        results = search(user=request.user, text=text)
        return self.render_to_response(
            self.get_context_data(
                q=text,
                results=results,
                searched=len(text.strip()) >= 2,
                too_short=0 < len(text.strip()) < 2,
                total=sum(len(found) for found in results.values()),
            )
        )
