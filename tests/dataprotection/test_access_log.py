"""Who looked, and why: the audit rows' origin and subjects, the data protection officer's access
logs of a young person (place, group) and of a person, and who may open them."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding.audit.registry import record_read, record_shown
from safeguarding.dataprotection import access

pytestmark = pytest.mark.world_per_module


def _user(world, name):
    return world.records["accounts.user"][name]


def _yp(world, name="own"):
    return world.records["cases.youngperson"][name]


def _newest(**lookup):
    return LogEntry.objects.filter(**lookup).order_by("-id").first()


def test_a_read_on_a_page_says_which_page_it_was_and_whom_it_is_about(world, client):
    yp = _yp(world)
    client.force_login(world.users["sw"])
    assert client.get(yp.get_absolute_url()).status_code == 200
    row = _newest(actor=world.users["sw"], object_pk=str(yp.pk), action=LogEntry.Action.ACCESS)
    assert row.additional_data["via"] == "web"
    assert row.additional_data["view"] == "cases:young-person"
    assert row.additional_data["subjects"] == [str(yp.subject_id)]


def test_a_row_without_a_request_is_a_tasks_and_a_change_of_what_hangs_off_is_tagged(world):
    yp = _yp(world)
    alias = world.records["cases.alias"]["own"]
    with set_actor(world.users["sw"]):
        alias.name = "Another alias"
        alias.save()
    row = _newest(object_pk=str(alias.pk), action=LogEntry.Action.UPDATE)
    assert row.additional_data["via"] == "task" and "view" not in row.additional_data
    assert row.additional_data["subjects"] == [str(yp.subject_id)]
    # A concern involves several: its read is about each of them.
    concern = world.records["cases.concern"]["restricted"]
    with set_actor(world.users["sw2"]):
        record_read(concern)
    row = _newest(object_pk=str(concern.pk), action=LogEntry.Action.ACCESS)
    subjects = {str(s) for s in concern.involvements.values_list("subject_id", flat=True)}
    assert set(row.additional_data["subjects"]) == subjects and subjects
    # A list of concerns and young people: the subjects of both, in one query.
    with set_actor(world.users["sw2"]), CaptureQueriesContext(connection) as queries:
        record_shown("cases:concerns", {type(concern): [concern], type(yp): [yp]})
    row = _newest(object_pk="shown")
    assert set(row.additional_data["subjects"]) == subjects | {str(yp.subject_id)}
    assert sum("UNION ALL" in q["sql"] for q in queries.captured_queries) == 1
    # A list names every subject it showed, and keeps its own view name.
    with set_actor(world.users["sm"]):
        record_shown("cases:list", {type(yp): [yp, _yp(world, "other")]})
    row = _newest(object_pk="shown")
    assert row.additional_data["view"] == "cases:list"
    assert set(row.additional_data["subjects"]) == {
        str(yp.subject_id),
        str(_yp(world, "other").subject_id),
    }


def _reason_row(world, yp, **data):
    with set_actor(world.users["tm"]):
        return LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(type(yp)),
            object_pk=str(yp.pk),
            object_id=yp.pk,
            object_repr=str(yp),
            action=LogEntry.Action.ACCESS,
            actor=world.users["tm"],
            additional_data=data,
        )


def test_the_officer_sees_every_read_change_list_and_reason_about_a_young_person(world, client):
    yp = _yp(world, "restricted")
    sw2, dpo = world.users["sw2"], _user(world, "dpo")
    client.force_login(sw2)
    client.get(yp.get_absolute_url())
    flag = world.records["cases.harmflag"]["restricted"]
    with set_actor(sw2):
        flag.review_by = flag.review_by + timedelta(days=1)
        flag.save()
        record_shown("cases:list", {type(yp): [yp]})
    _reason_row(world, yp, reason="Covering leave", break_glass={"reason": "Out of hours call"})
    # Someone else's record is not in this one's log.
    with set_actor(sw2):
        record_read(_yp(world, "team"))

    client.force_login(dpo)
    url = reverse("dataprotection:subject-log", args=[yp.subject.reference])
    response = client.get(url)
    assert response.status_code == 200
    entries = response.context["page"].entries
    whats = [(e.row.actor_id, e.what, e.record) for e in entries]
    assert (sw2.pk, access.READ, f"young person {yp.pk}") in whats
    assert any(e.what == access.CHANGED and e.fields for e in entries)
    assert any(e.what == access.SHOWN for e in entries)
    glass = next(e for e in entries if e.break_glass)
    assert glass.reason == "Covering leave" and glass.break_glass == "Out of hours call"
    read = next(e for e in entries if e.what == access.READ and e.row.actor_id == sw2.pk)
    assert (read.via, read.view, read.role) == ("web", "cases:young-person", "Social worker")
    team = _yp(world, "team")
    assert not any(e.record == f"young person {team.pk}" for e in entries)
    page = response.content.decode()
    assert "Out of hours call" in page and "Covering leave" in page
    # The officer's looking is on record, about the young person.
    own = _newest(actor=dpo)
    assert own.object_pk == "shown"
    assert own.additional_data["view"] == "dataprotection:subject-log"
    assert own.additional_data["subjects"] == [str(yp.subject_id)]

    # Filters: by who, and by days.
    response = client.get(url, {"user": sw2.pk})
    assert {e.row.actor_id for e in response.context["page"].entries} == {sw2.pk}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.get(url, {"since": tomorrow})
    assert not response.context["page"].entries
    response = client.get(url, {"since": tomorrow, "until": timezone.localdate().isoformat()})
    assert response.context["form"].errors["until"]

    # The CSV: the same rows, and the export is itself audited.
    response = client.get(
        reverse("dataprotection:subject-log-export", args=[yp.subject.reference]),
        {"user": sw2.pk},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == access.CSV_HEADER
    assert rows[1:] and {row[1] for row in rows[1:]} == {sw2.get_full_name()}
    export = _newest(actor=dpo, object_pk="export")
    assert export.additional_data["export"] == "access-log"
    assert export.additional_data["rows"] == len(rows) - 1


def test_the_officer_finds_records_by_reference_or_name_of_their_authority_only(world, client):
    yp = _yp(world, "restricted")
    client.force_login(_user(world, "dpo"))
    response = client.post(reverse("dataprotection:access"), {"q": yp.subject.reference})
    assert list(response.context["matches"]) == [yp]
    # What is typed is not in the address: searched by POST only.
    assert (
        client.get(reverse("dataprotection:access") + "?q=" + yp.given_name).context["matches"]
        == []
    )
    response = client.post(reverse("dataprotection:access"), {"q": "Testperson"})
    assert {r.pk for r in response.context["matches"]} >= {_yp(world, n).pk for n in ("own",)}
    response = client.post(reverse("dataprotection:access"), {"person": "sw"})
    assert {u.username for u in response.context["people"]} >= {"sw", "sw2", "sw3"}
    assert "la2_sw" not in {u.username for u in response.context["people"]}
    client.force_login(_user(world, "la2_dpo"))
    response = client.post(reverse("dataprotection:access"), {"q": yp.subject.reference})
    assert list(response.context["matches"]) == []


def test_a_persons_log_is_what_they_opened_and_the_officers_look_is_recorded(world, client):
    sw, dpo = world.users["sw"], _user(world, "dpo")
    with set_actor(sw):
        record_read(_yp(world))
    client.force_login(dpo)
    url = reverse("dataprotection:user-log", args=[sw.pk])
    response = client.get(url)
    assert response.status_code == 200
    entries = response.context["page"].entries
    assert entries and {e.row.actor_id for e in entries} == {sw.pk}
    looked = _newest(actor=dpo)
    assert looked.object_pk == str(sw.pk) and looked.additional_data["access_log_of"] == sw.pk
    assert looked.additional_data["view"] == "dataprotection:user-log"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.get(url, {"since": yesterday, "until": yesterday})
    assert not response.context["page"].entries
    response = client.get(reverse("dataprotection:user-log-export", args=[sw.pk]))
    assert response.status_code == 200 and _newest(actor=dpo, object_pk="export")
    # A partner agency's user is the authority's to review too.
    assert (
        client.get(reverse("dataprotection:user-log", args=[world.users["partner"].pk])).status_code
        == 200
    )


def _pages(world):
    yp = _yp(world)
    sw = world.users["sw"]
    return [
        reverse("dataprotection:access"),
        reverse("dataprotection:unusual-access"),
        reverse("dataprotection:subject-log", args=[yp.subject.reference]),
        reverse("dataprotection:subject-log-export", args=[yp.subject.reference]),
        reverse("dataprotection:user-log", args=[sw.pk]),
        reverse("dataprotection:user-log-export", args=[sw.pk]),
    ]


def test_only_the_authoritys_officer_opens_its_logs(world, client):
    pages = _pages(world)
    for name, user in world.records["accounts.user"].items():
        if name in ("dpo", "la2_dpo"):
            continue
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 404, (name, url)
        assert (
            client.post(pages[1], {"user": 1, "day": "2026-01-01", "note": "x"}).status_code == 404
        )
    client.force_login(_user(world, "la2_dpo"))
    for url in pages[:2]:
        assert client.get(url).status_code == 200
    for url in pages[2:]:
        assert client.get(url).status_code == 404, url
    response = client.post(
        pages[1],
        {"user": world.users["sw"].pk, "day": timezone.localdate().isoformat(), "note": "x"},
    )
    assert response.status_code == 404
    client.force_login(_user(world, "dpo"))
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_a_log_pages_queries_do_not_grow_with_its_rows(world, client):
    yp, sw = _yp(world, "other"), world.users["sw3"]
    client.force_login(_user(world, "dpo"))
    urls = [
        reverse("dataprotection:subject-log", args=[yp.subject.reference]),
        reverse("dataprotection:user-log", args=[sw.pk]),
    ]

    def count(url):
        client.get(url)  # the caches of the first request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    with set_actor(sw):
        record_read(yp)
    few = [count(url) for url in urls]
    with set_actor(sw):
        for _ in range(30):
            record_read(yp)
            record_read(world.records["cases.case"]["other"])
    assert [count(url) for url in urls] == few
    assert len(client.get(urls[0]).context["page"].entries) > 30


def test_the_logs_queries_use_the_indexes(world):
    """The two logs' own conditions are answered by their indexes: a subject's rows by the GIN
    index on ``additional_data -> 'subjects'``, a person's by ``(actor_id, timestamp, id)``.
    (On tables this small the planner may rather start from the seal's authority, so the
    conditions are explained on the audit table alone, with scans and plain index walks off:
    only an index whose expression matches the condition can answer.)"""
    dpo, yp = _user(world, "dpo"), _yp(world)
    subject = access.subject_log(dpo, yp).query.where
    person = access.user_log(dpo, world.users["sw"]).query.where
    assert subject and person
    plans = []
    for rows, off in (
        (
            LogEntry.objects.filter(
                additional_data__subjects__contains=[str(yp.subject_id)]
            ).order_by(),
            ("enable_seqscan", "enable_indexscan"),
        ),
        (
            LogEntry.objects.filter(actor=world.users["sw"]).order_by("-timestamp", "-id"),
            ("enable_seqscan", "enable_sort"),
        ),
    ):
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            for setting in off:
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(line for (line,) in cursor.fetchall()))
            for setting in off:
                cursor.execute(f"SET LOCAL {setting} = on")
    assert "audit_entry_subjects" in plans[0], plans[0]
    assert "audit_entry_actor_time" in plans[1], plans[1]


def test_unusual_access_lists_people_and_days_to_review(world, client, settings):
    sm, sw, dpo = world.users["sm"], world.users["sw"], _user(world, "dpo")
    now = timezone.localtime()
    night = (now.hour + 12) % 24
    settings.UNUSUAL_ACCESS_RECORDS_PER_DAY = 2
    settings.UNUSUAL_ACCESS_NIGHT_HOURS = (night, (night + 1) % 24)
    settings.UNUSUAL_ACCESS_EXPORT_ROWS = 100
    with set_actor(sm):
        for name in ("own", "team", "other", "restricted"):
            record_read(_yp(world, name))
    with set_actor(sw):  # sw's own team's caseload: not unusual
        for name in ("own", "team"):
            record_read(_yp(world, name))
            record_read(_yp(world, name))
    partner = world.users["partner"]
    yesterday = timezone.localdate() - timedelta(days=1)
    with set_actor(partner):
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(type(_yp(world))),
            object_pk="export",
            object_repr="Export: figures",
            action=LogEntry.Action.ACCESS,
            actor=partner,
            timestamp=datetime.combine(yesterday, time(night, 30), tzinfo=now.tzinfo),
            additional_data={"export": "figures", "rows": 150, "filters": {}},
        )
    _reason_row(world, _yp(world, "own"), reason="Emergency", break_glass=True)

    findings = {
        (f.user.username, f.day): f
        for f in access.unusual_access(dpo, since=yesterday, until=now.date())
    }
    mine = findings[("sm", now.date())]
    assert mine.outside_caseload == 4 and mine.restricted == 1
    assert ("sw", now.date()) not in findings
    assert findings[("partner", yesterday)].largest_export == 150
    assert findings[("partner", yesterday)].at_night == 1
    assert findings[("tm", now.date())].break_glass == 1
    assert access.unusual_access(_user(world, "la2_dpo"), since=yesterday, until=now.date()) == []

    client.force_login(dpo)
    url = reverse("dataprotection:unusual-access")
    response = client.get(url, {"since": yesterday.isoformat()})
    page = response.content.decode()
    day = now.date().isoformat()
    assert f"{reverse('dataprotection:user-log', args=[sm.pk])}?since={day}&amp;until={day}" in page
    response = client.post(url, {"user": sm.pk, "day": day, "note": " "})
    assert response.status_code == 200 and response.context["review_form"].errors["note"]
    response = client.post(url, {"user": sm.pk, "day": day, "note": "Covering the duty desk"})
    assert response.status_code == 302
    found = {(f.user.username, f.day): f for f, _ in client.get(url).context["findings"]}
    assert found[("sm", now.date())].review.note == "Covering the duty desk"
    response = client.post(url, {"user": sm.pk, "day": day, "note": "Again"})
    assert response.context["review_form"].errors["note"]
    # Another authority's user cannot be marked.
    client.force_login(_user(world, "la2_dpo"))
    assert client.post(url, {"user": sm.pk, "day": day, "note": "x"}).status_code == 404


def test_the_landing_page_leads_to_the_access_log(world, client):
    client.force_login(_user(world, "dpo"))
    page = client.get(reverse("dataprotection:home")).content.decode()
    assert reverse("dataprotection:access") in page
    assert reverse("dataprotection:unusual-access") in page
