"""Break-glass (cases/restrictions/breakglass.py): an out-of-hours manager types a young
person's reference and a reason, and reads the record for BREAK_GLASS_MINUTES; audited, and
the data protection officer and the holding team's managers are told, by reference only."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.models import BreakGlassAccess
from cases.restrictions import breakglass
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError, RecordNotFound
from safeguarding.notifications.delivery import send_email
from safeguarding.notifications.models import Notification

pytestmark = pytest.mark.world_per_module

URL = "/emergency-access/"


@pytest.fixture
def ooh(tm_b) -> User:
    """The out-of-hours manager: team two's manager, not named on team one's record."""
    User.objects.filter(pk=tm_b.pk).update(may_break_glass=True)
    tm_b.refresh_from_db()
    return tm_b


def _page(client, yp):
    return client.get(reverse("cases:young-person", args=[yp.pk])).status_code


def test_the_out_of_hours_manager_opens_the_record_for_a_while(world, client, reviewed, ooh):
    assert reverse("cases:break-glass") == URL
    client.force_login(ooh)
    assert _page(client, reviewed) == 404
    page = client.get(URL)
    assert page.status_code == 200 and reviewed.given_name not in page.content.decode()

    response = client.post(
        URL, {"reference": reviewed.subject.reference, "reason": "Police call at 2am: missing"}
    )
    assert response.status_code == 302
    assert response["Location"] == reviewed.get_absolute_url()
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "Emergency access" in detail.content.decode()
    # Read only; the read is marked in the audit.
    assert not visibility.can(ooh, reviewed, visibility.CHANGE)
    assert LogEntry.objects.filter(
        object_pk=str(reviewed.pk),
        actor=ooh,
        action=LogEntry.Action.ACCESS,
        additional_data__break_glass=True,
    ).exists()

    access = BreakGlassAccess.objects.get(user=ooh, young_person=reviewed)
    assert access.expires_at - access.started_at == timedelta(minutes=60)
    entry = LogEntry.objects.get(
        object_pk=str(reviewed.pk),
        actor=ooh,
        action=LogEntry.Action.ACCESS,
        additional_data__has_key="reason",
    )
    assert entry.additional_data == {
        "break_glass": True,
        "reason": "Police call at 2am: missing",
        "expires_at": access.expires_at.isoformat(),
        "access": access.pk,
        # Where it came from, for the access log (safeguarding/audit/origin.py).
        "via": "web",
        "view": "cases:break-glass",
        "subjects": [str(reviewed.subject_id)],
    }

    # Expired: closed again.
    BreakGlassAccess.objects.filter(pk=access.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert _page(client, reviewed) == 404


def test_the_dpo_and_the_holding_teams_managers_are_told_without_a_name(
    world, reviewed, ooh, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    breakglass.break_glass(user=ooh, reference=reviewed.subject.reference, reason="Urgent")
    told = Notification.objects.filter(event_type="restriction.break_glass")
    assert {n.recipient_user.username for n in told} == {"dpo", "tm"}
    for notification in told:
        assert notification.reference == reviewed.subject.reference
        send_email(notification)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        text = message.subject + message.body
        assert reviewed.subject.reference in text
        for personal in (reviewed.given_name, reviewed.family_name, "Urgent", "2010"):
            assert personal not in text


def test_a_reason_and_a_known_reference_are_required(world, client, reviewed, ooh):
    client.force_login(ooh)
    response = client.post(URL, {"reference": reviewed.subject.reference, "reason": ""})
    assert response.status_code == 200
    assert "Say why you need to open this record now" in response.content.decode()
    response = client.post(URL, {"reference": "YP-0000000000", "reason": "Urgent"})
    assert "No young person of your authority has this reference" in response.content.decode()
    # One of their own team's records needs no emergency access.
    theirs = world.records["cases.youngperson"]["other"]
    with pytest.raises(ApplicationError) as error:
        breakglass.break_glass(user=ooh, reference=theirs.subject.reference, reason="Urgent")
    assert "already open" in error.value.message_dict["reference"][0]
    assert not BreakGlassAccess.objects.exists()


@pytest.mark.parametrize("who", ["sm", "tm", "sw", "dpo", "admin", "partner"])
def test_anyone_without_the_role_is_refused(world, client, reviewed, who):
    user = world.records["accounts.user"][who]
    client.force_login(user)
    assert client.get(URL).status_code == 404
    response = client.post(URL, {"reference": reviewed.subject.reference, "reason": "Urgent"})
    assert response.status_code == 404
    with pytest.raises(RecordNotFound):
        breakglass.break_glass(user=user, reference=reviewed.subject.reference, reason="Urgent")
    assert not BreakGlassAccess.objects.exists()


def test_the_officer_sees_the_access_by_reference(world, client, reviewed, ooh):
    breakglass.break_glass(user=ooh, reference=reviewed.subject.reference, reason="Urgent")
    client.force_login(world.records["accounts.user"]["dpo"])
    text = client.get(reverse("cases:restrictions-account")).content.decode()
    assert reviewed.subject.reference in text and reviewed.given_name not in text
    assert str(ooh) in text


def test_an_administrator_may_not_make_themselves_an_out_of_hours_manager(world):
    from auditlog.context import set_actor

    from safeguarding.accounts.separation import SelfAccessChange

    admin = world.users["admin"]
    admin.may_break_glass = True
    with set_actor(admin), pytest.raises(SelfAccessChange):
        admin.save()
    other = world.users["sm"]
    other.may_break_glass = True
    with set_actor(admin):
        other.save()
    other.refresh_from_db()
    assert other.may_break_glass
