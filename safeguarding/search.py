"""Search across young people, peer groups and places: only what the user may see.

What is matched (the README says the same for users):

* **A date of birth** (d/m/yyyy) finds young people born that day, and only young people; **a
  postcode** finds young people living there, spaces and case ignored.
* **A young person's name**: the query is split into words, and each word is matched against
  the given, family and preferred names and the aliases, in any order. Every word must match;
  one may be left unmatched in a query of three or more words (a middle name we do not hold, a
  referrer's extra word). On PostgreSQL a word matches a name when their trigram *word
  similarity* (pg_trgm's ``word_similarity(word, name)``) reaches :data:`WORD_SIMILARITY`, so
  misspelt names are found; on the embedded SQLite database a word must be part of a name as
  typed (the search page says so). A word of :data:`SHORT_WORD` letters or fewer matches the
  start of a name on both.
* **A place or a peer group** matches the whole query: on PostgreSQL by word similarity of at
  least :data:`NAME_SIMILARITY` or as a part of the name; on SQLite every word as part of it.

How it stays fast at a borough's scale (100,000 young people): every lookup reads an index.
Dates of birth and postcodes have b-tree indexes (cases/0011). Names are looked up through the
GIN trigram indexes of cases/0004, one per column, which only serve pg_trgm's *operators*
(``name %> word``, ``name ILIKE pattern``) on the bare column: a similarity computed over an
expression (a concatenated full name, ``GREATEST(...)``) or Django's ``icontains``
(``UPPER(name) LIKE ...``) makes PostgreSQL compute it for every row. So each word becomes a
union of index lookups (a bitmap OR over the name columns, and the aliases), which finds the
few candidates; similarity is computed for those only, to rank them. The operator's threshold
is a session setting (``pg_trgm.word_similarity_threshold``) that each search sets for its own
transaction only (:func:`_trigram_search`).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django import forms
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Lookup,
    Model,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.views.generic import TemplateView

from cases.models import Alias, YoungPerson, compact_postcode
from contexts.models import Context
from peers.models import PeerGroup
from safeguarding import text as text_rule
from safeguarding.accounts import visibility
from safeguarding.audit.registry import record_shown
from safeguarding.views import AllowedUsersMixin

#: A word of the query matches a young person's name (or alias) when pg_trgm's
#: ``word_similarity(word, name)`` reaches this. 0.3 is pg_trgm's own default for similarity
#: and what this search always used: one wrong letter in a five-letter name ("Smyth" for
#: "Smith") scores 0.33, one in a six-letter name ("Jaiden" for "Jayden") 0.4.
WORD_SIMILARITY = 0.3
#: A place's or a peer group's name matches the whole query from this word similarity.
NAME_SIMILARITY = 0.3
LIMIT = 25
#: More words than a name has add nothing but SQL: the rest of a long query is ignored.
MAX_WORDS = 6
#: A word this short is the start of a name (an initial; "Al" for Alfie or Alisha), not a
#: spelling to tolerate: the trigrams of one or two letters say little, and at 0.3 "Al" was
#: like every name beginning with A (a fifth of a borough, each then to rank).
SHORT_WORD = 2
NAME_COLUMNS = ("given_name", "family_name", "preferred_name")

_DATE = re.compile(r"^\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\s*$")
_POSTCODE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$")
# Words are split at anything but letters, digits, hyphens and apostrophes, so "Okonkwo-Reilly"
# and "O'Neil" stay whole (on SQLite a word must be part of one name).
_WORD_SEPARATOR = re.compile(r"[^\w'\-]+")


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


def tolerates_misspelling() -> bool:
    """Whether names are matched by similarity (PostgreSQL) or only as typed (SQLite)."""
    return _postgres()


def _words(text: str) -> list[str]:
    """The words of a query, in order, without repeats: at most :data:`MAX_WORDS`."""
    words: list[str] = []
    for part in _WORD_SEPARATOR.split(text):
        word = part.strip("'-")
        if word and word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    return words[:MAX_WORDS]


class _ILike(Lookup):
    """``lhs ILIKE rhs``: a pattern the GIN trigram index serves. Django's ``icontains`` is
    ``UPPER(col) LIKE UPPER(…)`` on PostgreSQL, which no index on the column serves. Used as
    an expression in ``filter()``, never registered on a field."""

    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", (*lhs_params, *rhs_params)


def _starts(field: str, text: str) -> Q:
    """``field`` starts with ``text``, case ignored. On PostgreSQL ``field ILIKE 'text%'``,
    which the field's GIN trigram index serves (Django's ``istartswith`` is ``UPPER(field)
    LIKE ...``, which it does not)."""
    if not _postgres():
        return Q(**{f"{field}__istartswith": text})
    return Q(_ILike(F(field), f"{connection.ops.prep_for_like_query(text)}%"))


def _part_of(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere, its own % and _ taken literally."""
    return f"%{connection.ops.prep_for_like_query(text)}%"


@contextmanager
def _trigram_search(threshold: float) -> Iterator[None]:
    """On PostgreSQL, a transaction in which pg_trgm's word-similarity operator (``%>``) uses
    ``threshold``: the setting is the operator's only parameter. It is set for the transaction
    only (``set_config(..., true)``, i.e. ``SET LOCAL``), so other queries and the pooled
    connection keep their own. Queries must be *evaluated* inside the block.

    JIT compilation is off in it too: the planner prices a search's per-row subqueries (the
    visibility rule) above ``jit_above_cost``, and compiling then took 60 to 820 ms of
    searches that otherwise run in tens of milliseconds."""
    if not _postgres():
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true),"
                " set_config('jit', 'off', true)",
                [str(threshold)],
            )
        yield


def _name_matches(field: str, word: str) -> Q:
    """(PostgreSQL) ``field`` matches ``word``, by an operator the field's GIN trigram index
    serves: a short word starts the name, a longer one is like a word of it."""
    if len(word) <= SHORT_WORD:
        return _starts(field, word)
    return Q(**{f"{field}__trigram_word_similar": word})


def _ids_matching(*words: str):
    """(PostgreSQL) Ids of the young people with a name or an alias matching any of
    ``words``: a union of two lookups the GIN trigram indexes answer (a bitmap OR of the name
    columns' indexes, and the aliases' index), however many young people the borough has."""
    by_name, by_alias = Q(), Q()
    for word in words:
        for column in NAME_COLUMNS:
            by_name |= _name_matches(column, word)
        by_alias |= _name_matches("name", word)
    return (
        YoungPerson.objects.filter(by_name)
        .order_by()
        .values("pk")
        .union(Alias.objects.filter(by_alias).values("young_person_id"))
    )


def _word_matches(word: str) -> Q:
    """The young people one of whose names or aliases matches ``word``: on PostgreSQL those
    the trigram indexes find (:func:`_ids_matching`); on SQLite a short word starts a name,
    a longer one is part of it."""
    if _postgres():
        return Q(pk__in=_ids_matching(word))

    def like(field: str) -> Q:
        return (
            _starts(field, word) if len(word) <= SHORT_WORD else Q(**{f"{field}__icontains": word})
        )

    names = Q()
    for column in NAME_COLUMNS:
        names |= like(column)
    return names | Q(Exists(Alias.objects.filter(like("name"), young_person=OuterRef("pk"))))


def _closeness(word: str):
    """(PostgreSQL) How close ``word`` is to a young person's closest name or alias, 0 to 1."""
    alias = (
        Alias.objects.filter(young_person=OuterRef("pk"))
        .annotate(closeness=TrigramWordSimilarity(word, "name"))
        .order_by("-closeness")
        .values("closeness")[:1]
    )
    # GREATEST ignores NULL on PostgreSQL: no alias is no score.
    return Greatest(
        *(TrigramWordSimilarity(word, column) for column in NAME_COLUMNS),
        Subquery(alias, output_field=FloatField()),
        output_field=FloatField(),
    )


def search_young_people(*, user, text: str, action: str = visibility.VIEW) -> list[YoungPerson]:
    """Up to :data:`LIMIT` young people ``user`` may see (or act on, by ``action``) that match
    ``text`` as a date of birth, a postcode or a name (see the module's docstring). Names come
    closest first on PostgreSQL, those matching every word first on SQLite; then by family
    and given name."""
    people = visibility.restrict(user, YoungPerson, action).select_related("subject")
    born = _as_date(text)
    if born:
        return list(people.filter(date_of_birth=born)[:LIMIT])
    if _POSTCODE.match(text.strip()):
        # The expression the index of cases/0011 holds, so the index serves it.
        postcode = text.replace(" ", "").upper()
        return list(people.alias(compact=compact_postcode()).filter(compact=postcode)[:LIMIT])
    words = _words(text)
    if not words:
        return []
    order = ["family_name", "given_name", "pk"]
    if len(words) <= 2:
        people = people.filter(*(_word_matches(word) for word in words))
    else:
        # All but one of the words: a middle name we do not hold, a referrer's extra word.
        matched = sum(
            (Case(When(_word_matches(word), then=1), default=0) for word in words),
            start=Value(0),
        )
        people = people.alias(words_matched=matched).filter(words_matched__gte=len(words) - 1)
        if _postgres():
            # Read the few people any word finds through the indexes, then count for those.
            people = people.filter(pk__in=_ids_matching(*words))
        else:
            order.insert(0, "-words_matched")
    if not _postgres():
        return list(people.order_by(*order)[:LIMIT])
    # The closest first: a person matching every word outscores one matching all but one.
    closeness = sum((_closeness(word) for word in words), start=Value(0.0))
    ranked = people.alias(closeness=closeness).order_by("-closeness", *order)
    with _trigram_search(WORD_SIMILARITY):
        return list(ranked[:LIMIT])


def search_named(model: type[Model], *, user, text: str, action: str = visibility.VIEW) -> list:
    """Up to :data:`LIMIT` places or peer groups (``model``: any model with a ``name``) that
    ``user`` may see (or act on, by ``action``) whose name matches ``text`` (see the module's
    docstring): on PostgreSQL the closest names first, on SQLite by name."""
    records = visibility.restrict(user, model, action).select_related("subject")
    text = text.strip()
    if len(text) <= SHORT_WORD:
        # Too short for trigrams inside a name: the start of the name, on both databases.
        return list(records.filter(_starts("name", text)).order_by("name", "pk")[:LIMIT])
    if not _postgres():
        for word in _words(text):
            records = records.filter(name__icontains=word)
        return list(records.order_by("name", "pk")[:LIMIT])
    # Two operators on the one column: PostgreSQL ORs two scans of its GIN trigram index.
    ranked = (
        records.filter(Q(name__trigram_word_similar=text) | _ILike(F("name"), _part_of(text)))
        .alias(closeness=TrigramWordSimilarity(text, "name"))
        .order_by("-closeness", "name", "pk")
    )
    with _trigram_search(NAME_SIMILARITY):
        return list(ranked[:LIMIT])


def search(*, user, text: str) -> dict:
    """What the search page shows for ``text``: ``{"young_people": [...], "peer_groups":
    [...], "contexts": [...]}``, each at most :data:`LIMIT` records ``user`` may see. A date
    of birth is no part of a name: it finds young people only."""
    text = text.strip()[:100]
    if len(text) < 2:
        return {"young_people": [], "peer_groups": [], "contexts": []}
    named = _as_date(text) is None
    return {
        "young_people": search_young_people(user=user, text=text),
        "peer_groups": search_named(PeerGroup, user=user, text=text) if named else [],
        "contexts": search_named(Context, user=user, text=text) if named else [],
    }


class SearchForm(forms.Form):
    """The search box: what is searched for goes through the one text rule
    (:mod:`safeguarding.text`: NFC; a control character is a field error, not a server error)."""

    q = text_rule.CharField(label="Search", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")  # the box's id is "q", as the page has always had
        super().__init__(*args, **kwargs)


class SearchView(AllowedUsersMixin, TemplateView):
    """The search page. What is searched for (names, dates of birth, postcodes) is sent by
    POST, so it never appears in a URL, a browser's history or an access log. Which records
    a search showed is audited (one row per search, :func:`record_shown`); what was typed is
    not. Text the rule refuses is shown back as typed, with a GOV.UK error, and nothing is
    searched. Who may search is :func:`visibility.searches` (not partner agencies: a 404)."""

    template_name = "search.html"
    allowed_users = visibility.searches

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", SearchForm())
        return super().get_context_data(tolerates_misspelling=tolerates_misspelling(), **kwargs)

    def post(self, request, *args, **kwargs):
        typed = request.POST.get("q", "")
        form = SearchForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, q=typed))
        text = form.cleaned_data["q"]
        results = search(user=request.user, text=text)
        # Which young people, groups and places were shown: one audit row (not the text).
        record_shown(
            "search",
            {
                YoungPerson: results["young_people"],
                PeerGroup: results["peer_groups"],
                Context: results["contexts"],
            },
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                q=typed,
                results=results,
                searched=len(text) >= 2,
                too_short=0 < len(text) < 2,
                total=sum(len(found) for found in results.values()),
            )
        )
