"""Lost updates (issue 13): two staff open the same edit form; the second save, made from the
copy read before the first, is refused with a clear message, keeps what was typed, says what
changed, and goes through when saved again (safeguarding/versions.py, RecordUpdateView,
safeguarding.subjects.services.record_update)."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from cases.young_people.services import young_person_update
from safeguarding import versions
from safeguarding.views import VERSION_FIELD

pytestmark = pytest.mark.world_per_module


class _FormValues(HTMLParser):
    """What a browser would send back from the page's form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea, self._select, self._first_option = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.data.setdefault(self._select, self._first_option)
            if "selected" in a:
                self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n")


def form_values(response) -> dict:
    parser = _FormValues()
    parser.feed(response.content.decode())
    return parser.data


#: (label, user, the record's key in the world, URL name, the field both people change)
PAGES = [
    ("young person", "sw", ("cases.youngperson", "own"), "cases:young-person-edit", "given_name"),
    ("place", "sw", ("contexts.context", "team"), "contexts:context-edit", "name"),
    ("peer group", "sw", ("peers.peergroup", "team"), "peers:peer-group-edit", "name"),
]


def _clients(world, user):
    first, second = Client(), Client()
    first.force_login(world.users[user])
    second.force_login(world.users[user])
    return first, second


@pytest.mark.parametrize(("label", "user", "key", "url_name", "field"), PAGES)
def test_a_save_from_a_stale_form_is_refused_keeping_what_was_typed(
    world, label, user, key, url_name, field
):
    record = world.records[key[0]][key[1]]
    url = reverse(url_name, args=[record.pk])
    first, second = _clients(world, user)
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    assert mine[VERSION_FIELD].startswith(versions.PREFIX)
    assert mine[VERSION_FIELD] == theirs[VERSION_FIELD]

    assert first.post(url, {**mine, field: "Firstsaved"}).status_code == 302
    response = second.post(url, {**theirs, field: "Secondtyped"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "This record was changed by someone else after you opened it" in page
    # What they changed, at the field (and in the summary), and what was typed, kept.
    assert page.count("was changed by someone else to: Firstsaved. Saving again keeps") == 2
    assert 'value="Secondtyped"' in page
    record.refresh_from_db()
    assert getattr(record, field) == "Firstsaved"

    # Having looked, saving again keeps what was typed: the page carries the version now.
    again = form_values(response)
    assert again[VERSION_FIELD] != theirs[VERSION_FIELD]
    assert second.post(url, again).status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == "Secondtyped"


def test_a_change_to_another_field_is_named_and_an_identical_change_is_not_flagged(world):
    yp = world.records["cases.youngperson"]["own"]
    url = reverse("cases:young-person-edit", args=[yp.pk])
    first, second = _clients(world, "sw")
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    first.post(url, {**mine, "ethnicity": "Not recorded", "family_name": "Samename"})
    response = second.post(url, {**theirs, "family_name": "Samename"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This record was changed by someone else" in page
    # Left alone by the second person: it now shows the first one's change.
    assert "Ethnicity was changed by someone else to: Not recorded. It now shows" in page
    assert "Family name was changed" not in page  # they typed what is now saved
    again = form_values(response)
    assert again["ethnicity"] == "Not recorded"
    assert second.post(url, again).status_code == 302
    yp.refresh_from_db()
    assert (yp.ethnicity, yp.family_name) == ("Not recorded", "Samename")


def test_a_date_left_alone_takes_the_other_change_in_its_three_boxes(world):
    yp = world.records["cases.youngperson"]["own"]
    url = reverse("cases:young-person-edit", args=[yp.pk])
    first, second = _clients(world, "sw")
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    born = {"date_of_birth_day": "3", "date_of_birth_month": "2", "date_of_birth_year": "2011"}
    assert first.post(url, {**mine, **born}).status_code == 302
    response = second.post(url, {**theirs, "address": "1 Example Road"})
    page = response.content.decode()
    assert "Date of birth was changed by someone else to: 3 February 2011. It now shows" in page
    again = form_values(response)
    assert {k: again[k] for k in born} == born and again["address"] == "1 Example Road"
    assert second.post(url, again).status_code == 302
    yp.refresh_from_db()
    assert (yp.date_of_birth.isoformat(), yp.address) == ("2011-02-03", "1 Example Road")


def test_a_form_read_after_the_other_save_saves(world):
    record = world.records["contexts.context"]["team"]
    url = reverse("contexts:context-edit", args=[record.pk])
    first, second = _clients(world, "sw")
    first.post(url, {**form_values(first.get(url)), "description": "First"})
    response = second.post(url, {**form_values(second.get(url)), "name": "Second"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.description, record.name) == ("First", "Second")


def test_a_tampered_version_is_refused_as_stale(world):
    yp = world.records["cases.youngperson"]["own"]
    url = reverse("cases:young-person-edit", args=[yp.pk])
    client, _ = _clients(world, "sw")
    data = {**form_values(client.get(url)), "given_name": "Tampered", VERSION_FIELD: "v1.xyz"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "changed by someone else after you opened it" in response.content.decode()
    yp.refresh_from_db()
    assert yp.given_name != "Tampered"


def test_the_service_checks_the_version_under_the_lock(world):
    yp = world.records["cases.youngperson"]["own"]
    by = world.users["sw"]
    read = versions.version(yp, ["given_name", "family_name"])
    young_person_update(yp, by=by, changes={"given_name": "Changed"})
    with pytest.raises(versions.StaleRecord) as refused:
        young_person_update(
            yp, by=by, changes={"given_name": "Other", "family_name": "X"}, version=read
        )
    assert refused.value.changed == ["given_name"]
    yp.refresh_from_db()
    assert yp.given_name == "Changed"
    # The version now saves.
    young_person_update(
        yp,
        by=by,
        changes={"given_name": "Other", "family_name": "X"},
        version=refused.value.version,
    )
    yp.refresh_from_db()
    assert (yp.given_name, yp.family_name) == ("Other", "X")


def test_every_edit_pages_service_takes_the_version():
    """An edit page built on RecordUpdateView passes ``version=`` to its service, which must
    check it (``record_update(..., version=version)``)."""
    import inspect

    from tests.test_text import _update_views

    views = list(_update_views())
    assert len(views) >= 3
    for view in views:
        assert "version" in inspect.signature(view.service).parameters, view.__name__


def test_a_version_does_not_depend_on_how_a_value_was_set():
    from datetime import UTC, datetime, timedelta, timezone

    from cases.models import Action
    from contexts.models import Context

    fields = ["kind", "name"]
    assert versions.version(Context(kind=Context.Kind.PARK, name="A"), fields) == versions.version(
        Context(kind="park", name="A"), fields
    )
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    there = moment.astimezone(timezone(timedelta(hours=1)))
    assert versions.version(Action(completed_at=moment), ["completed_at"]) == versions.version(
        Action(completed_at=there), ["completed_at"]
    )
    assert versions.version(Context(name="A"), fields) != versions.version(
        Context(name="B"), fields
    )


def _review_date(days=30):
    from datetime import timedelta

    from django.utils import timezone

    due = timezone.localdate() + timedelta(days=days)
    return {
        "next_review_due_day": str(due.day),
        "next_review_due_month": str(due.month),
        "next_review_due_year": str(due.year),
    }


def test_the_risk_form_refuses_a_stale_save_keeping_what_was_typed(world):
    """The risk and review form (not an edit page of the record's own, but it edits two of the
    case's fields) carries its version too: two workers change the risk at once."""
    case = world.records["cases.case"]["own"]
    url = reverse("cases:case-risk", args=[case.pk])
    first, second = _clients(world, "sw")
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    assert mine[VERSION_FIELD].startswith(versions.PREFIX)
    changes_before = case.risk_changes.count()

    saved = {**mine, **_review_date(), "risk": "high", "reason": "Missing twice this week."}
    assert first.post(url, saved).status_code == 302
    typed = {**theirs, **_review_date(), "risk": "medium", "reason": "Calmer since the move."}
    response = second.post(url, typed)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This record was changed by someone else after you opened it" in page
    assert "Calmer since the move." in page  # what was typed is kept
    case.refresh_from_db()
    assert case.risk == "high" and case.risk_changes.count() == changes_before + 1

    again = form_values(response)
    assert again[VERSION_FIELD] != theirs[VERSION_FIELD]
    assert second.post(url, {**again, "risk": "medium"}).status_code == 302
    case.refresh_from_db()
    assert case.risk == "medium" and case.risk_changes.count() == changes_before + 2


def test_the_action_update_form_refuses_a_stale_save(world):
    """A partner's two people update the same action at once: the second is told, not lost."""
    action = world.records["cases.action"]["agency"]
    url = reverse("cases:action-progress", args=[action.pk])
    first, second = _clients(world, "partner")
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))

    done = {**mine, "status": "in_progress", "progress_note": "CCTV requested."}
    assert first.post(url, done).status_code == 302
    response = second.post(url, {**theirs, "status": "done", "progress_note": "All reviewed."})

    assert response.status_code == 200
    page = response.content.decode()
    assert "This record was changed by someone else after you opened it" in page
    assert "All reviewed." in page
    action.refresh_from_db()
    assert (action.status, action.progress_note) == ("in_progress", "CCTV requested.")
    assert second.post(url, form_values(response)).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress_note) == ("done", "All reviewed.")
