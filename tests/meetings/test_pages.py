"""The meeting pages as browsed (Django's test client): arranging each kind, every step's
form, the partner's view and report, the list, My work, and query counts that do not grow with
the rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.meetings import services
from cases.models import Action, AgendaItem, Meeting
from tests.factories import SocialWorkerFactory, YoungPersonFactory

from .test_services import FRIDAY, _past, _place, _schedule, _yp

pytestmark = pytest.mark.world_per_module


def _day(prefix: str, day: date) -> dict:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _follow(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, _ok(response)
    return response["Location"]


def test_a_strategy_discussion_through_the_pages(world, client):
    sw, partner = world.users["sw"], world.users["partner"]
    yp = _yp(world)
    client.force_login(sw)
    # The young person's page offers it.
    page = _ok(client.get(yp.get_absolute_url()))
    start = reverse("meetings:schedule", args=["strategy"]) + f"?subject={yp.reference}"
    assert start.replace("&", "&amp;") in page or start in page
    soon = timezone.localdate() + timedelta(days=3)
    # A bad time keeps what was typed and says what is wrong.
    bad = _ok(
        client.post(
            start,
            {
                **_day("day", soon),
                "starts": "25:00",
                "ends": "11:00",
                "location": "Room 4",
                "chair": sw.pk,
            },
        )
    )
    assert "Enter a time like 14:30" in bad and "Room 4" in bad
    invite = _follow(
        client,
        start,
        {
            **_day("day", soon),
            "starts": "10:00",
            "ends": "11:00",
            "location": "Room 4",
            "chair": sw.pk,
        },
    )
    meeting = Meeting.objects.get(subject=yp, location="Room 4")
    assert invite == reverse("meetings:invite", args=[meeting.pk])
    _follow(client, invite, {"user": partner.pk})
    _follow(
        client,
        invite,
        {
            "organisation": world.records["accounts.organisation"]["p2"].pk,
            "name": "Sam Head",
            "role": "Head teacher",
            "email": "head@academy.example",
        },
    )
    assert meeting.invitees.count() == 2
    _past(meeting, FRIDAY)
    hold = reverse("meetings:hold", args=[meeting.pk])
    data = {**_day("held_on", FRIDAY)}
    for invitee in meeting.invitees.all():
        data[f"attendance_{invitee.pk}"] = "attended"
    _follow(client, hold, data)
    _follow(
        client,
        reverse("meetings:decision-add", args=[meeting.pk]),
        {
            "text": "Section 47 enquiry.",
            "reason": "Harm suspected.",
            "outcome": "section_47",
            "icpc": "on",
            "shareable": "on",
        },
    )
    _follow(
        client,
        reverse("meetings:action-add", args=[meeting.pk]),
        {
            "description": "Police check.",
            **_day("due_on", timezone.localdate() + timedelta(days=4)),
            "owner_organisation": partner.organisation_id,
        },
    )
    _follow(
        client,
        reverse("meetings:minutes", args=[meeting.pk]),
        {
            "summary": "Council summary.",
            "heading_1": "Outcome",
            "text_1": "Shared text.",
            "shareable_1": "on",
            "heading_2": "Private",
            "text_2": "Council text.",
        },
    )
    _follow(client, reverse("meetings:minutes-approve", args=[meeting.pk]), {})
    _follow(client, reverse("meetings:minutes-circulate", args=[meeting.pk]), {})
    meeting.refresh_from_db()
    assert meeting.status == "circulated" and meeting.icpc_due_on == date(2026, 9, 21)
    page = _ok(client.get(meeting.get_absolute_url()))
    for text in (
        "Council summary.",
        "Council text.",
        "Initial child protection conference",
        "Record circulated",
        "Section 47 enquiry",
    ):
        assert text in page
    # The partner reads the shareable parts only.
    client.force_login(partner)
    page = _ok(client.get(meeting.get_absolute_url()))
    assert "Shared text." in page and "Section 47 enquiry." in page
    for text in ("Council summary.", "Council text.", yp.concrete.given_name):
        assert text not in page
    assert meeting.name in _ok(client.get(reverse("home")))


def test_a_context_conference_from_an_approved_assessment_and_a_mace_panel(world, client):
    tm = world.users["tm"]
    client.force_login(tm)
    place = _place(world)
    assessment = world.records["cases.assessment"]["place_approved"]
    url = (
        reverse("meetings:schedule", args=["context_conference"])
        + f"?subject={place.reference}&assessment={assessment.pk}"
    )
    assert "Held from the approved" in _ok(client.get(url))
    soon = timezone.localdate() + timedelta(days=10)
    _follow(
        client,
        url,
        {**_day("day", soon), "starts": "14:00", "ends": "15:30", "online": "on", "chair": tm.pk},
    )
    meeting = Meeting.objects.get(source_assessment=assessment, kind="context_conference")
    assert meeting.stage == "initial"
    _follow(
        client,
        reverse("meetings:agenda-add", args=[meeting.pk]),
        {"theme": "Safety at the station", "minutes_allowed": 20, "shareable": "on"},
    )
    assert "Safety at the station" in _ok(client.get(meeting.get_absolute_url()))
    # A MACE panel from the list.
    mace = reverse("meetings:schedule", args=["mace"])
    assert mace in _ok(client.get(reverse("meetings:list")))
    _follow(
        client,
        mace,
        {
            "title": "South MACE panel",
            **_day("day", soon),
            "starts": "09:00",
            "ends": "12:00",
            "location": "Police station",
            "chair": tm.pk,
        },
    )
    panel = Meeting.objects.get(title="South MACE panel")
    _follow(
        client,
        reverse("meetings:agenda-add", args=[panel.pk]),
        {"young_person": world.records["cases.youngperson"]["own"].pk, "minutes_allowed": 10},
    )
    _follow(
        client,
        reverse("meetings:agenda-add", args=[panel.pk]),
        {"reference": "NOM-2231", "minutes_allowed": 5},
    )
    page = _ok(client.get(panel.get_absolute_url()))
    assert "Standing agenda" in page and "Person of concern NOM-2231" in page
    assert "Latest level" in page


def test_a_partner_sends_a_report_and_cannot_open_the_councils_steps(world, client):
    sw, partner = world.users["sw"], world.users["partner"]
    meeting = _schedule(world, "professionals")
    services.meeting_invite(by=sw, meeting=meeting, organisation=partner.organisation)
    client.force_login(partner)
    page = _ok(client.get(meeting.get_absolute_url()))
    assert reverse("meetings:report", args=[meeting.pk]) in page
    assert reverse("meetings:invite", args=[meeting.pk]) not in page
    report = reverse("meetings:report", args=[meeting.pk])
    assert "Enter your report" in _ok(client.post(report, {"text": ""}))
    _follow(client, report, {"text": "Known to the police since March."})
    assert meeting.reports.get().text == "Known to the police since March."
    for name in ("invite", "hold", "minutes", "change", "cancel"):
        assert client.get(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 404
    other = _schedule(world, "professionals")
    assert client.get(other.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("meetings:report", args=[other.pk]), {"text": "x"}).status_code == 404
    )


def _many_meetings(world, n):
    sw, tm = world.users["sw"], world.users["tm"]
    police = world.records["accounts.organisation"]["p1"]
    for i in range(n):
        m = _past(_schedule(world, "strategy"), FRIDAY - timedelta(days=i + 1))
        services.meeting_invite(by=sw, meeting=m, organisation=police)
        services.meeting_hold(
            by=sw, meeting=m, held_on=FRIDAY - timedelta(days=i + 1), attendance={}
        )
        services.decision_record(by=sw, meeting=m, text="d", reason="r", outcome="nfa")
        services.meeting_action_add(
            by=sw,
            meeting=m,
            description="a",
            due_on=timezone.localdate() + timedelta(days=2),
            owner_organisation=police,
        )
    panel = _schedule(world, "mace", by="tm", title=f"Panel {n}", location="Room")
    for i in range(n):
        services.agenda_item_add(by=tm, meeting=panel, subject=_yp(world), minutes_allowed=5)
        services.agenda_item_add(by=tm, meeting=panel, reference=f"NOM-{n}-{i}")
    return panel


def test_query_counts_do_not_grow_with_the_rows(world, client, django_assert_max_num_queries):
    tm = world.users["tm"]
    client.force_login(tm)
    pages = {}
    for n in (1, 6):
        panel = _many_meetings(world, n)
        counts = {}
        for name, url in {
            "list": reverse("meetings:list"),
            "home": reverse("home"),
            "panel": panel.get_absolute_url(),
            "young person": _yp(world).get_absolute_url(),
        }.items():
            with CaptureQueriesContext(connection) as queries:
                _ok(client.get(url))
            counts[name] = len(queries)
        pages[n] = counts
    assert pages[1] == pages[6], pages
    meeting = Meeting.objects.filter(kind="strategy").first()
    with django_assert_max_num_queries(40):
        _ok(client.get(meeting.get_absolute_url()))


def _held(world):
    """A strategy discussion held last Friday, by sw: open for its actions."""
    meeting = _past(_schedule(world, "strategy"), FRIDAY)
    services.meeting_hold(by=world.users["sw"], meeting=meeting, held_on=FRIDAY, attendance={})
    return meeting


def test_the_agenda_and_action_subjects_and_workers_are_picked_not_listed(world, client):
    sw, tm = world.users["sw"], world.users["tm"]
    yp = world.records["cases.youngperson"]["own"]
    place, group = (
        world.records["contexts.context"]["team"],
        world.records["peers.peergroup"]["team"],
    )
    client.force_login(tm)
    panel = _schedule(world, "mace", by="tm", title="Picking panel", location="Room")
    url = reverse("meetings:agenda-add", args=[panel.pk])
    page = _ok(client.get(url))
    # Search boxes, and nobody listed: the borough is not in the page.
    assert 'name="young_person_find"' in page and 'name="place_find"' in page
    assert 'name="peer_group_find"' in page and yp.full_name not in page
    # Without JavaScript: Find lists the matches, keeps what was typed and saves nothing.
    found = _ok(
        client.post(
            url,
            {
                "young_person_find": yp.given_name,
                "find": "young_person",
                "theme": "Typed theme",
                "minutes_allowed": 7,
            },
        )
    )
    assert yp.full_name in found and "Typed theme" in found
    assert "There is a problem" not in found and not panel.agenda.exists()
    # Two picked: said, nothing saved.
    two = _ok(client.post(url, {"young_person": yp.pk, "place": place.pk, "minutes_allowed": 5}))
    assert "Choose one young person, place or peer group, not two" in two
    assert not panel.agenda.exists()
    # None of the five: the service's sentence, on the first picker.
    assert "or a theme: one." in _ok(client.post(url, {"minutes_allowed": 5}))
    _follow(client, url, {"place": place.pk, "minutes_allowed": 5})
    _follow(client, url, {"peer_group": group.pk, "minutes_allowed": 5})
    assert list(panel.agenda.values_list("subject_id", flat=True)) == [
        place.subject_id,
        group.subject_id,
    ]
    assert AgendaItem.objects.filter(meeting=panel).count() == 2
    # An action: about the meeting's subject (picked or not), owned by a picked worker.
    client.force_login(sw)
    meeting = _held(world)
    action_url = reverse("meetings:action-add", args=[meeting.pk])
    page = _ok(client.get(action_url))
    assert 'name="owner_user_find"' in page and 'name="young_person_find"' in page
    due = _day("due_on", timezone.localdate() + timedelta(days=4))
    found = _ok(
        client.post(
            action_url,
            {
                "description": "Typed",
                **due,
                "owner_user_find": sw.get_full_name(),
                "find": "owner_user",
            },
        )
    )
    assert sw.get_full_name() in found and not meeting.actions.exists()
    off_agenda = {"description": "Visit.", **due, "owner_user": sw.pk, "peer_group": group.pk}
    assert "Choose a subject on this meeting&#x27;s agenda." in _ok(
        client.post(action_url, off_agenda)
    )
    _follow(client, action_url, {**off_agenda, "peer_group": "", "young_person": yp.pk})
    _follow(client, action_url, {"description": "Call.", **due, "owner_user": sw.pk})
    assert [(a.subject_id, a.owner_user_id) for a in Action.objects.filter(meeting=meeting)] == [
        (yp.subject_id, sw.pk),
        (yp.subject_id, sw.pk),
    ]


def _measure(client, world, requests) -> list[tuple[int, int, int]]:
    """Status, size in bytes and number of queries of each (user, url, data or None for a
    GET)."""
    results = []
    for user, url, data in requests:
        client.force_login(world.users[user])
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, data) if data is not None else client.get(url)
        results.append((response.status_code, len(response.content), len(ctx.captured_queries)))
    return results


def _more_of_the_borough(world, start, n):
    """``n`` more young people (team one's, allocated to sw: both may see them) and workers."""
    la = world.records["accounts.organisation"]["la"]
    t1, t2 = world.records["accounts.team"]["t1"], world.records["accounts.team"]["t2"]
    for i in range(start, start + n):
        YoungPersonFactory(
            authority=la, given_name=f"Meetextra{i}", case__team=t1, case__worker=world.users["sw"]
        )
        SocialWorkerFactory(username=f"meet_extra_{i}", team=t2)


def test_the_agenda_and_action_pages_do_not_grow_with_the_borough(world, client):
    """The same bytes and queries with 2 or 32 more young people and workers: the forms hold
    the current choice and a search's matches, never a directory."""
    panel = _schedule(world, "mace", by="tm", title="Growing panel", location="Room")
    services.agenda_item_add(
        by=world.users["tm"], meeting=panel, subject=_yp(world), minutes_allowed=5
    )
    meeting = _held(world)
    agenda = reverse("meetings:agenda-add", args=[panel.pk])
    action = reverse("meetings:action-add", args=[meeting.pk])
    requests = [
        ("tm", agenda, None),
        ("tm", agenda, {"young_person_find": "GivenOwn", "find": "young_person"}),
        ("tm", agenda, {"young_person": world.records["cases.youngperson"]["own"].pk}),
        ("sw", action, None),
        (
            "sw",
            action,
            {"owner_user_find": world.users["sw"].get_full_name(), "find": "owner_user"},
        ),
    ]
    _more_of_the_borough(world, 0, 2)
    small = _measure(client, world, requests)
    assert all(status == 200 for status, _, _ in small), small
    _more_of_the_borough(world, 2, 30)
    assert _measure(client, world, requests) == small


def test_a_meetings_page_decides_only_its_own_subjects_not_the_boroughs(world, client):
    """Which of a meeting's subjects (its own, its agenda's) the reader may see is the rule on
    those subjects by id: the rule joined to "its subject or its agenda's" by OR was read by
    scanning every subject of the borough (60 ms a page at scale 100, BENCHMARKS.md)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    panel = _many_meetings(world, 2)
    conference = Meeting.objects.filter(kind="strategy").first()
    client.force_login(world.users["tm"])
    for meeting in (panel, conference):
        with CaptureQueriesContext(connection) as queries:
            _ok(client.get(meeting.get_absolute_url()))
        subject_rule = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].startswith('SELECT "subjects_subject"."id" AS "pk" FROM "subjects_subject"')
        ]
        assert len(subject_rule) == 1, subject_rule
        assert re.search(r'"subjects_subject"\."id" IN \(\d', subject_rule[0]), subject_rule[0]
        assert "IS NULL" not in subject_rule[0]


def test_the_chair_co_chair_and_invited_person_are_picked_not_listed(world, client):
    sw, partner = world.users["sw"], world.users["partner"]
    yp = _yp(world)
    client.force_login(sw)
    start = reverse("meetings:schedule", args=["strategy"]) + f"?subject={yp.reference}"
    page = _ok(client.get(start))
    assert 'name="chair_find"' in page and 'name="co_chair_find"' in page
    # The chair starts as the user; nobody else is listed.
    assert sw.get_full_name() in page and world.users["sw2"].get_full_name() not in page
    assert partner.get_full_name() not in page
    soon = timezone.localdate() + timedelta(days=3)
    typed = {**_day("day", soon), "starts": "10:00", "ends": "11:00", "location": "Room 9"}
    # Find (no JavaScript): a partner agency's user for the co-chair; what was typed is kept.
    found = _ok(
        client.post(
            start, {**typed, "chair": sw.pk, "co_chair_find": "Partner", "find": "co_chair"}
        )
    )
    assert partner.get_full_name() in found and "Test Police" in found and "Room 9" in found
    assert "There is a problem" not in found and not Meeting.objects.filter(location="Room 9")
    # Another authority's worker is not found; a partner cannot chair (the staff picker).
    other = _ok(client.post(start, {**typed, "co_chair_find": "La2", "find": "co_chair"}))
    assert world.records["accounts.user"]["la2_sw"].get_full_name() not in other
    bad = _ok(client.post(start, {**typed, "chair": partner.pk}))
    assert "Choose a member of staff from the matches" in bad and "Room 9" in bad
    foreign = _ok(
        client.post(
            start,
            {**typed, "chair": sw.pk, "co_chair": world.records["accounts.user"]["la2_sw"].pk},
        )
    )
    assert "Choose a person from the matches" in foreign and "Room 9" in foreign
    invite = _follow(client, start, {**typed, "chair": sw.pk, "co_chair": partner.pk})
    meeting = Meeting.objects.get(location="Room 9")
    assert (meeting.chair, meeting.co_chair) == (sw, partner)
    # The invite page: the person is picked from the authority's staff and partners.
    page = _ok(client.get(invite))
    assert (
        'name="user_find"' in page
        and world.records["accounts.user"]["partner2"].get_full_name() not in page
    )
    found = _ok(client.post(invite, {"user_find": "Partner2", "find": "user", "role": "Kept"}))
    assert (
        world.records["accounts.user"]["partner2"].get_full_name() in found
        and "Test Academy" in found
    )
    assert 'value="Kept"' in found and not meeting.invitees.exists()
    refused = _ok(client.post(invite, {"user": world.records["accounts.user"]["la2_sw"].pk}))
    assert "Choose a person from the matches" in refused and not meeting.invitees.exists()
    _follow(client, invite, {"user": world.records["accounts.user"]["partner2"].pk})
    _follow(client, invite, {"user": world.users["sw3"].pk})
    assert {i.user for i in meeting.invitees.all()} == {
        world.records["accounts.user"]["partner2"],
        world.users["sw3"],
    }
    # Changing the time and place keeps the chair and co-chair.
    change = reverse("meetings:change", args=[meeting.pk])
    _follow(client, change, {**typed, "location": "Room 10"})
    meeting.refresh_from_db()
    assert (meeting.location, meeting.chair, meeting.co_chair) == ("Room 10", sw, partner)


def test_the_schedule_and_invite_pages_do_not_grow_with_staff_and_partners(world, client):
    """The same bytes and queries with 2 or 32 more staff and partner agencies' users."""
    from safeguarding.accounts.models import User
    from tests.conftest import make_user

    meeting = _schedule(world, "strategy")
    start = reverse("meetings:schedule", args=["strategy"]) + f"?subject={_yp(world).reference}"
    invite = reverse("meetings:invite", args=[meeting.pk])
    p1 = world.records["accounts.organisation"]["p1"]

    def more(begin, n):
        for i in range(begin, begin + n):
            SocialWorkerFactory(
                username=f"chair_extra_{i}", team=world.records["accounts.team"]["t2"]
            )
            make_user(f"agency_extra_{i}", User.Role.PARTNER, p1)

    requests = [
        ("sw", start, None),
        (
            "sw",
            start,
            {"chair": world.users["sw"].pk, "co_chair_find": "Partner", "find": "co_chair"},
        ),
        ("sw", invite, None),
        ("sw", invite, {"user_find": "Partner", "find": "user"}),
    ]
    more(0, 2)
    small = _measure(client, world, requests)
    assert all(status == 200 for status, _, _ in small), small
    more(2, 30)
    assert _measure(client, world, requests) == small
