"""The pages every subject has — a young person, a place, a peer group — named once.

Each has a detail page, which holds its chronology (filtered by ``type`` and ``harm``, paged by
``page``), and an edit page. A test of something that hangs off subjects runs for all three
in a few lines::

    @pytest.mark.parametrize("pages", SUBJECT_PAGES, ids=str)
    def test_a_concern_is_in_its_subjects_chronology(world, client, pages):
        record = pages.record(world)  # team one's, allocated to or worked with by sw
        concern = ConcernFactory(logged_by=world.users["sw"], **pages.concern_about(record))
        client.force_login(world.users["sw"])
        assert pages.chronology(client, record, type="concern")[0].obj == concern
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@dataclass(frozen=True)
class SubjectPages:
    """One kind of subject's pages. ``label`` is the test world's name for its records
    (``world.records[label]``) and ``team_record`` the name of team one's record there."""

    label: str
    detail: str
    edit: str
    team_record: str

    def __str__(self) -> str:
        return self.label.partition(".")[2]

    def record(self, world, name: str | None = None):
        """The world's record ``name`` (by default team one's, which sw may see)."""
        return world.records[self.label][name or self.team_record]

    def detail_url(self, record) -> str:
        return reverse(self.detail, args=[record.pk])

    def edit_url(self, record) -> str:
        return reverse(self.edit, args=[record.pk])

    def chronology_url(self, record, **query) -> str:
        """The detail page with the chronology's filters and page, e.g. ``page=2,
        type="concern"`` (in that order in the address)."""
        url = self.detail_url(record)
        return f"{url}?{urlencode(query)}" if query else url

    def chronology(self, client, record, **query) -> Page:
        """The page of the record's chronology ``client`` is shown (newest first)."""
        response = client.get(self.chronology_url(record, **query))
        assert response.status_code == 200, (self.chronology_url(record, **query), response)
        return response.context["chronology"]

    def concern_about(self, record) -> dict:
        """The arguments of ``cases.services.concern_log`` (or ``ConcernFactory``) that make a
        concern about ``record``."""
        return {
            "cases.youngperson": {"young_people": [(record, "harmed")]},
            "contexts.context": {"location": record},
            "peers.peergroup": {"peer_group": record},
        }[self.label]


YOUNG_PERSON = SubjectPages(
    "cases.youngperson", "cases:young-person", "cases:young-person-edit", "own"
)
PLACE = SubjectPages("contexts.context", "contexts:context", "contexts:context-edit", "team")
PEER_GROUP = SubjectPages("peers.peergroup", "peers:peer-group", "peers:peer-group-edit", "team")
SUBJECT_PAGES = (YOUNG_PERSON, PLACE, PEER_GROUP)


def queries(client, url) -> int:
    """How many database queries a GET of ``url`` makes (which must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured.captured_queries)
