"""Every read and every change of a young person's record writes an audit row that the app
cannot later edit."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.urls import reverse

from cases.models import YoungPerson

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _entries(yp):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(YoungPerson), object_pk=str(yp.pk)
    )


def test_reading_a_young_person_writes_an_audit_row(world, client):
    yp = world.records["cases.youngperson"]["own"]
    sw = world.users["sw"]
    client.force_login(sw)
    before = _entries(yp).filter(action=LogEntry.Action.ACCESS).count()
    assert client.get(reverse("cases:young-person", args=[yp.pk])).status_code == 200
    reads = _entries(yp).filter(action=LogEntry.Action.ACCESS)
    assert reads.count() == before + 1
    assert reads.latest("timestamp").actor == sw


def test_an_administrator_opening_a_record_in_the_admin_is_audited(world, client):
    from safeguarding.accounts import grants

    yp = world.records["cases.youngperson"]["own"]
    admin_user = world.users["admin"]
    with transaction.atomic():
        grants.name_user(yp, admin_user)  # only a named administrator may open it at all
    client.force_login(admin_user)
    url = reverse("admin:cases_youngperson_change", args=[yp.pk])
    assert client.get(url).status_code == 200
    reads = _entries(yp).filter(action=LogEntry.Action.ACCESS)
    assert reads.count() == 1 and reads.get().actor == admin_user


def test_a_refused_admin_page_writes_no_access_row(world, client):
    tm = world.users["tm"]
    tm.is_staff = True  # ticked by mistake: the admin still refuses anyone but administrators
    tm.save()
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(tm)
    url = reverse("admin:cases_youngperson_change", args=[yp.pk])
    assert client.get(url).status_code in (302, 403)
    assert not _entries(yp).filter(action=LogEntry.Action.ACCESS).exists()


def test_a_denied_read_writes_no_access_row(world, client):
    yp = world.records["cases.youngperson"]["other"]
    client.force_login(world.users["sw"])
    assert client.get(reverse("cases:young-person", args=[yp.pk])).status_code == 404
    assert not _entries(yp).filter(action=LogEntry.Action.ACCESS).exists()


def test_changing_a_young_person_writes_an_audit_row_with_who_and_what(world, client):
    yp = world.records["cases.youngperson"]["own"]
    sw = world.users["sw"]
    client.force_login(sw)
    response = client.post(
        reverse("cases:young-person-edit", args=[yp.pk]),
        {
            "given_name": yp.given_name,
            "family_name": yp.family_name,
            "gender": "not_known",
            "postcode": "EB1 1AA",
        },
    )
    assert response.status_code == 302, response.content
    change = _entries(yp).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert change.actor == sw
    assert "postcode" in change.changes_dict


def test_audit_rows_cannot_be_changed_or_deleted(world):
    from safeguarding.audit.registry import record_read

    record_read(world.records["cases.youngperson"]["own"])
    entry = LogEntry.objects.latest("timestamp")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.object_repr != "tampered"


def test_audit_rows_never_carry_the_childs_name(world):
    yp = world.records["cases.youngperson"]["own"]
    from safeguarding.audit.registry import record_read

    record_read(yp)
    entry = _entries(yp).latest("timestamp")
    assert yp.given_name not in entry.object_repr
    assert entry.object_repr == yp.reference
