"""Actions on subjects, and who is told: assigning one (service and page), overdue actions of
partner organisations, concerns at a place told to its guardians."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Action, HarmCategory
from contexts.models import ContextGuardian
from safeguarding.errors import ApplicationError, RecordNotFound
from safeguarding.notifications.models import Channel, Notification

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _org(world, name):
    return world.records["accounts.organisation"][name]


def _channel(world, name) -> Channel:
    return world.records["notifications.channel"][name]


def _subscribe(world, name, *event_types):
    channel = _channel(world, name)
    channel.event_types = [*channel.event_types, *event_types]
    channel.save(update_fields=["event_types"])
    return channel


def _assign(world, *, by="sw", subject=None, **kwargs):
    subject = subject or world.records["cases.youngperson"]["own"].subject
    values = {
        "description": "Speak to the station manager about staff on the late shift.",
        "due_on": timezone.localdate() + timedelta(days=14),
    } | kwargs
    return services.action_assign(subject=subject, assigned_by=world.users[by], **values)


def _errors(world, **kwargs) -> dict:
    with pytest.raises(ApplicationError) as raised:
        _assign(world, **kwargs)
    return raised.value.message_dict


def _new_notifications(event_type):
    return Notification.objects.filter(event_type=event_type)


# --- action_assign ---------------------------------------------------------------------------


def test_assign_refuses_what_is_missing_or_wrong_and_writes_nothing(world):
    p1, p3 = _org(world, "p1"), _org(world, "p3")
    sw2, la2_sw = world.users["sw2"], world.records["accounts.user"]["la2_sw"]
    before = Action.objects.count()

    assert "description" in _errors(world, description="   ", owner_user=sw2)
    yesterday = timezone.localdate() - timedelta(days=1)
    assert "due_on" in _errors(world, due_on=yesterday, owner_user=sw2)
    assert "owner" in _errors(world)  # nobody
    assert "owner" in _errors(world, owner_user=sw2, owner_organisation=p1)  # both
    assert _errors(world, owner_organisation=p3) == {
        "owner": ["Choose an organisation that works with this authority."]
    }
    assert _errors(world, owner_user=la2_sw) == {"owner": ["Choose a worker of this authority."]}
    sw2.is_active = False
    sw2.save(update_fields=["is_active"])
    assert "owner" in _errors(world, owner_user=sw2)
    # Every problem at once, so the form shows them together.
    assert set(_errors(world, description="", due_on=yesterday)) == {
        "description",
        "due_on",
        "owner",
    }
    assert Action.objects.count() == before
    assert not _new_notifications("action.assigned").exists()


def test_due_today_is_allowed(world):
    action = _assign(world, due_on=timezone.localdate(), owner_user=world.users["sw2"])
    assert action.due_on == timezone.localdate()


@pytest.mark.parametrize(
    ("user_name", "record"),
    [
        ("sw3", ("cases.youngperson", "own")),  # another team's young person
        ("sw2", ("cases.youngperson", "own")),  # same team: reads it, does not change it
        ("sm", ("cases.youngperson", "own")),  # senior managers read, change nothing
        ("partner", ("contexts.context", "team")),  # a guardian of the place, not its worker
        ("sw3", ("contexts.context", "team")),  # a place another team works with
        ("sw", ("cases.youngperson", "restricted")),
    ],
)
def test_someone_who_cannot_change_the_subject_gets_404(world, user_name, record):
    subject = world.records[record[0]][record[1]].subject
    with pytest.raises(RecordNotFound):
        _assign(world, by=user_name, subject=subject, owner_organisation=_org(world, "p1"))
    assert not Action.objects.filter(subject=subject, created_by=world.users[user_name]).exists()


def test_assigning_to_an_organisation_tells_each_channel_that_asked(world):
    p1 = _org(world, "p1")
    _subscribe(world, "p1", "action.assigned")
    mailbox = Channel.objects.create(
        organisation=p1,
        kind="email",
        email="safeguarding@p1.example.org",
        event_types=["action.assigned"],
    )
    Channel.objects.create(  # switched off
        organisation=p1,
        kind="email",
        email="old@p1.example.org",
        event_types=["action.assigned"],
        is_active=False,
    )
    Channel.objects.create(  # not asked for this event
        organisation=p1, kind="email", email="other@p1.example.org", event_types=["action.overdue"]
    )
    ctx = world.records["contexts.context"]["team"]
    action = _assign(world, subject=ctx.subject, owner_organisation=p1)

    action.refresh_from_db()
    assert action.owner_organisation == p1 and action.owner_user is None
    assert action.status == Action.Status.OPEN and action.created_by == world.users["sw"]
    rows = _new_notifications("action.assigned")
    assert {(r.kind, r.channel_id) for r in rows} == {
        ("webhook", _channel(world, "p1").pk),
        ("email", mailbox.pk),
    }
    for row in rows:
        assert row.recipient_organisation == p1 and row.recipient_user is None
        assert row.reference == ctx.reference
        assert row.link == reverse("api:action-detail", args=[action.pk])
        assert row.authority == _org(world, "la")
        assert "station manager" not in f"{row.reference} {row.link} {row.email}"


def test_an_organisation_that_did_not_ask_is_not_told(world):
    action = _assign(world, owner_organisation=_org(world, "p2"))
    assert action.pk
    assert not _new_notifications("action.assigned").exists()


def test_assigning_to_a_worker_emails_them_but_not_when_they_assign_themselves(world):
    sw, sw2 = world.users["sw"], world.users["sw2"]
    yp = world.records["cases.youngperson"]["own"]
    _assign(world, owner_user=sw2)
    row = _new_notifications("action.assigned").get()
    assert (row.kind, row.recipient_user, row.email) == ("email", sw2, sw2.email)
    assert row.recipient_organisation is None
    assert (row.reference, row.link) == (yp.reference, yp.get_absolute_url())

    _assign(world, owner_user=sw)
    assert _new_notifications("action.assigned").count() == 1
    assert Action.objects.filter(subject=yp.subject, owner_user=sw, created_by=sw).exists()


def test_a_team_manager_assigns_on_a_peer_group_of_their_team(world):
    group = world.records["peers.peergroup"]["team"]
    action = _assign(world, by="tm", subject=group.subject, owner_user=world.users["sw"])
    assert action.subject == group.subject


# --- actions_notify_overdue ------------------------------------------------------------------


def _make_action(world, name, *, days_overdue=2, status=Action.Status.OPEN, **owner):
    return Action.objects.create(
        subject=world.records["contexts.context"]["team"].subject,
        description=f"Secret detail {name}",
        due_on=timezone.localdate() - timedelta(days=days_overdue),
        status=status,
        **owner,
    )


def test_an_overdue_action_of_a_partner_is_notified_once(world):
    p1 = _org(world, "p1")
    _subscribe(world, "p1", "action.overdue")
    overdue = world.records["cases.action"]["agency"]
    Action.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    in_progress = _make_action(
        world, "in progress", status=Action.Status.IN_PROGRESS, owner_organisation=p1
    )
    not_yet = _make_action(world, "due today", days_overdue=0, owner_organisation=p1)
    done = _make_action(world, "done", status=Action.Status.DONE, owner_organisation=p1)
    cancelled = _make_action(
        world, "cancelled", status=Action.Status.CANCELLED, owner_organisation=p1
    )
    workers = _make_action(world, "worker", owner_user=world.users["sw"])

    assert services.actions_notify_overdue() == 2
    rows = _new_notifications("action.overdue")
    assert rows.count() == 2
    ctx = world.records["contexts.context"]["team"]
    assert {r.link for r in rows} == {
        reverse("api:action-detail", args=[a.pk]) for a in (overdue, in_progress)
    }
    for row in rows:
        assert (row.kind, row.recipient_organisation, row.channel) == (
            "webhook",
            p1,
            _channel(world, "p1"),
        )
        assert row.reference == ctx.reference
        text = " ".join(
            str(v) for v in Notification.objects.filter(pk=row.pk).values().get().values()
        )
        assert "Secret detail" not in text and "Test action" not in text
    for action in (overdue, in_progress):
        action.refresh_from_db()
        assert action.overdue_notified_at is not None
    for action in (not_yet, done, cancelled, workers):
        action.refresh_from_db()
        assert action.overdue_notified_at is None

    # The next run finds nothing new.
    assert services.actions_notify_overdue() == 0
    assert _new_notifications("action.overdue").count() == 2


def test_the_beat_task_runs_the_service(world):
    from cases.tasks import notify_overdue_actions

    _make_action(world, "late", owner_organisation=_org(world, "p2"))
    assert notify_overdue_actions() == 1
    assert notify_overdue_actions() == 0


# --- concerns at a place ---------------------------------------------------------------------


def _log_concern_at(world, place, by="sw"):
    return services.concern_log(
        logged_by=world.users[by],
        occurred_at=timezone.now() - timedelta(hours=1),
        narrative="Older males seen handing parcels to children by the gates.",
        harm_categories=[HarmCategory.objects.get(slug="cse")],
        source="professional",
        reliability="reliable",
        location=place,
    )


def test_a_guardian_that_asked_is_told_of_a_concern_at_its_place(world):
    p1, place = _org(world, "p1"), world.records["contexts.context"]["team"]
    ContextGuardian.objects.filter(
        pk=world.records["contexts.contextguardian"]["agency"].pk
    ).update(told_of_concerns=True)
    _subscribe(world, "p1", "context.concern_logged")
    _log_concern_at(world, place)

    row = _new_notifications("context.concern_logged").get()
    assert (row.recipient_organisation, row.kind, row.channel) == (
        p1,
        "webhook",
        _channel(world, "p1"),
    )
    assert row.reference == place.reference and row.link == place.get_absolute_url()
    assert "parcels" not in f"{row.reference} {row.link}"


def test_a_guardian_that_did_not_ask_is_not_told(world):
    # p2 guards the other place and listens for the event, but did not ask to be told.
    _subscribe(world, "p2", "context.concern_logged")
    _log_concern_at(world, world.records["contexts.context"]["other"])
    assert not _new_notifications("context.concern_logged").exists()


def test_a_guardian_that_asked_but_has_no_channel_for_it_gets_nothing(world):
    ContextGuardian.objects.filter(
        pk=world.records["contexts.contextguardian"]["agency"].pk
    ).update(told_of_concerns=True)
    _log_concern_at(world, world.records["contexts.context"]["team"])
    assert not _new_notifications("context.concern_logged").exists()


# --- the page --------------------------------------------------------------------------------


def _url(record):
    return reverse("cases:action-add", args=[record.reference])


def _form_data(**overrides):
    due = timezone.localdate() + timedelta(days=10)
    data = {
        "description": "Ask the school to walk her to the bus stop after clubs.",
        "due_on_day": str(due.day),
        "due_on_month": str(due.month),
        "due_on_year": str(due.year),
        "owner_kind": "organisation",
        "owner_user": "",
        "owner_organisation": "",
    }
    return data | overrides


def test_the_page_opens_for_the_worker_and_lists_whom_to_choose(world, client):
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw"])
    response = client.get(_url(yp))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Add an action" in page and yp.reference in page
    form = response.context["form"]
    assert set(form.fields["owner_organisation"].queryset) == {_org(world, "p1"), _org(world, "p2")}
    # Workers may be picked from the whole authority; thousands of them: searched for, not listed.
    workers = set(form.fields["owner_user"].queryset)
    assert {world.users[n] for n in ("sw", "sw2", "sw3", "tm")} == workers
    assert 'data-picker-url="/pick/workers/"' in page
    assert "Sw2 Test" not in page and "Sw3 Test" not in page
    assert 'data-aria-controls="conditional-id_owner_kind_0"' in page
    assert 'id="conditional-id_owner_kind_1"' in page


def test_the_radios_are_govuk_frontends_conditional_reveal_and_work_without_javascript(
    world, client
):
    """GOV.UK Frontend 6's radios template (templates/govuk/forms/radios.html): the input says
    which block it reveals in data-aria-controls (GOV.UK Frontend's JavaScript sets aria-controls
    and aria-expanded: the page never does), the block follows its item inside the radios,
    hidden unless chosen; each revealed field is rendered once. A plain POST adds the action."""
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw"])
    page = client.get(_url(yp)).content.decode()
    form = page[page.index('<form method="post" novalidate>') :]
    form = form[: form.index("</form>")]
    assert "aria-expanded" not in form and " aria-controls=" not in form
    radios = page[page.index('<div class="govuk-radios" data-module="govuk-radios">') :]
    for n, field in enumerate(["owner_user", "owner_organisation"]):
        item = radios.index(f'id="id_owner_kind_{n}"')
        tag = radios[radios.rindex("<input", 0, item) : radios.index(">", item)]
        assert f'data-aria-controls="conditional-id_owner_kind_{n}"' in tag
        block = radios.index(
            '<div class="govuk-radios__conditional govuk-radios__conditional--hidden" '
            f'id="conditional-id_owner_kind_{n}">'
        )
        assert item < block < radios.index(f'id="id_{field}"')
        assert page.count(f'id="id_{field}"') == 1
    assert radios.index('id="id_owner_user"') < radios.index('id="id_owner_kind_1"')

    p2 = _org(world, "p2")
    data = _form_data(owner_organisation=str(p2.pk), owner_user=str(world.users["sw2"].pk))
    response = client.post(_url(yp), data)
    assert response.status_code == 302 and response["Location"] == yp.get_absolute_url()
    action = Action.objects.get(subject=yp.subject, created_by=world.users["sw"])
    assert (action.owner_organisation, action.owner_user) == (p2, None)


def test_without_javascript_a_worker_is_found_then_chosen(world, client):
    yp, sw3 = world.records["cases.youngperson"]["own"], world.users["sw3"]
    client.force_login(world.users["sw"])
    typed = _form_data(owner_kind="worker", owner_user_find="sw3", find="owner_user")
    response = client.post(_url(yp), typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" not in page
    assert "Ask the school to walk her to the bus stop after clubs." in page
    assert f'value="{typed["due_on_day"]}"' in page and 'value="sw3"' in page
    assert f'<option value="{sw3.pk}">Sw3 Test (Team Two)</option>' in page
    assert "1 worker found for “sw3”: choose from the list below." in page
    assert not Action.objects.filter(subject=yp.subject, created_by=world.users["sw"]).exists()

    chosen = {k: v for k, v in typed.items() if k != "find"} | {"owner_user": str(sw3.pk)}
    response = client.post(_url(yp), chosen)
    assert response.status_code == 302
    assert Action.objects.get(subject=yp.subject, created_by=world.users["sw"]).owner_user == sw3


def test_a_worker_of_another_authority_cannot_be_chosen(world, client):
    client.force_login(world.users["sw"])
    la2_sw = world.records["accounts.user"]["la2_sw"]
    response = client.post(
        _url(world.records["cases.youngperson"]["own"]),
        _form_data(owner_kind="worker", owner_user=str(la2_sw.pk)),
    )
    assert response.context["form"].errors["owner_user"] == ["Choose a worker from the matches"]
    assert "La2 Sw" not in response.content.decode()


@pytest.mark.parametrize(
    ("user_name", "record"),
    [
        ("sw3", ("cases.youngperson", "own")),
        ("sw2", ("cases.youngperson", "own")),
        ("sm", ("cases.youngperson", "own")),
        ("partner", ("contexts.context", "team")),
    ],
)
def test_the_page_is_404_for_who_cannot_change_the_record(world, client, user_name, record):
    subject = world.records[record[0]][record[1]]
    client.force_login(world.users[user_name])
    assert client.get(_url(subject)).status_code == 404
    data = _form_data(owner_organisation=str(_org(world, "p1").pk))
    assert client.post(_url(subject), data).status_code == 404
    assert not Action.objects.filter(created_by=world.users[user_name]).exists()


def test_an_unknown_reference_is_404(world, client):
    client.force_login(world.users["sw"])
    assert client.get(reverse("cases:action-add", args=["YP-NOSUCHREF0"])).status_code == 404


def test_the_page_needs_sign_in(world, client):
    response = client.get(_url(world.records["cases.youngperson"]["own"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_errors_keep_everything_typed(world, client):
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw"])
    past = timezone.localdate() - timedelta(days=3)
    response = client.post(
        _url(yp),
        _form_data(
            due_on_day=str(past.day),
            due_on_month=str(past.month),
            due_on_year=str(past.year),
            owner_kind="organisation",
            owner_user=str(world.users["sw2"].pk),
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "<title>Error:" in page.replace("\n", "")
    assert "The due date must be today or in the future" in page
    assert "Choose the organisation that will do it" in page
    assert 'href="#id_due_on_day"' in page and 'href="#id_owner_organisation"' in page
    # What was typed is still there.
    assert "Ask the school to walk her to the bus stop after clubs." in page
    assert f'value="{past.day}"' in page and f'value="{past.year}"' in page
    form = response.context["form"]
    assert form["owner_kind"].value() == "organisation"
    assert f'<option value="{world.users["sw2"].pk}" selected>' in page  # the other list too
    # The chosen radio's list is shown, the other stays hidden.
    assert 'class="govuk-radios__conditional" id="conditional-id_owner_kind_1"' in page
    assert not Action.objects.filter(subject=yp.subject, created_by=world.users["sw"]).exists()


def test_nothing_chosen_says_what_is_missing(world, client):
    client.force_login(world.users["sw"])
    response = client.post(
        _url(world.records["cases.youngperson"]["own"]),
        {"description": "", "due_on_day": "", "due_on_month": "", "due_on_year": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["description"] == ["Say what must be done"]
    assert errors["due_on"] == ["Enter the date it must be done by"]
    assert errors["owner_kind"] == ["Choose who will do it"]


def test_a_worker_chosen_without_a_name_and_an_incomplete_date(world, client):
    client.force_login(world.users["sw"])
    response = client.post(
        _url(world.records["cases.youngperson"]["own"]),
        _form_data(
            due_on_month="", owner_kind="worker", owner_organisation=str(_org(world, "p1").pk)
        ),
    )
    errors = response.context["form"].errors
    assert errors["owner_user"] == ["Choose the worker who will do it"]
    assert errors["due_on"] == ["The date must include a day, month and year"]
    assert "owner_organisation" not in errors


def test_an_organisation_of_another_authority_cannot_be_chosen(world, client):
    client.force_login(world.users["sw"])
    response = client.post(
        _url(world.records["cases.youngperson"]["own"]),
        _form_data(owner_organisation=str(_org(world, "p3").pk)),
    )
    assert response.context["form"].errors["owner_organisation"] == [
        "Choose an organisation from the list"
    ]


def test_a_valid_action_is_added_and_shown_on_the_young_persons_page(world, client):
    yp, p1 = world.records["cases.youngperson"]["own"], _org(world, "p1")
    _subscribe(world, "p1", "action.assigned")
    client.force_login(world.users["sw"])
    response = client.post(
        _url(yp),
        _form_data(owner_organisation=str(p1.pk), owner_user=str(world.users["sw2"].pk)),
    )
    assert response.status_code == 302
    assert response["Location"] == yp.get_absolute_url()
    action = Action.objects.get(subject=yp.subject, created_by=world.users["sw"])
    assert action.owner_organisation == p1 and action.owner_user is None  # the chosen radio's
    assert action.description == "Ask the school to walk her to the bus stop after clubs."
    assert action.due_on == timezone.localdate() + timedelta(days=10)
    assert Notification.objects.filter(
        event_type="action.assigned", recipient_organisation=p1, reference=yp.reference
    ).exists()

    page = client.get(response["Location"]).content.decode()
    assert "Action added for Test Police" in page
    assert "Ask the school to walk her to the bus stop after clubs." in page
    assert "Test action own" in page  # the action the world already had
    assert _url(yp) in page


def test_a_worker_adds_an_action_on_a_place_and_a_group_of_their_team(world, client):
    client.force_login(world.users["sw"])
    sw2 = world.users["sw2"]
    for record in (
        world.records["contexts.context"]["team"],
        world.records["peers.peergroup"]["team"],
    ):
        page = client.get(record.get_absolute_url()).content.decode()
        assert _url(record) in page
        response = client.post(
            _url(record), _form_data(owner_kind="worker", owner_user=str(sw2.pk))
        )
        assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
        assert Action.objects.filter(subject=record.subject, owner_user=sw2).exists()
    # The place page lists its actions, the partner's too.
    page = client.get(world.records["contexts.context"]["team"].get_absolute_url()).content.decode()
    assert "Test action agency" in page and "Test Police" in page


def test_subject_pages_offer_the_link_only_to_who_may_change_the_record(world, client):
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw2"])  # reads the young person, does not change them
    page = client.get(yp.get_absolute_url()).content.decode()
    assert "Test action own" in page
    assert _url(yp) not in page


def test_overdue_is_marked_on_open_actions_only(world, client):
    yp = world.records["cases.youngperson"]["own"]
    Action.objects.filter(pk=world.records["cases.action"]["own"].pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    Action.objects.create(
        subject=yp.subject,
        description="Finished long ago",
        owner_user=world.users["sw"],
        due_on=timezone.localdate() - timedelta(days=30),
        status=Action.Status.DONE,
    )
    client.force_login(world.users["sw"])
    page = client.get(yp.get_absolute_url()).content.decode()
    assert page.count('govuk-tag--red">Overdue') == 1


# --- the admin -------------------------------------------------------------------------------


def test_administrators_set_who_is_told_of_concerns_in_the_admin(world, client):
    guardian = world.records["contexts.contextguardian"]["agency"]
    place = guardian.context
    client.force_login(world.users["admin"])
    page = client.get(reverse("admin:contexts_contextguardian_changelist")).content.decode()
    assert "column-told_of_concerns" in page
    response = client.get(reverse("admin:contexts_contextguardian_change", args=[guardian.pk]))
    assert 'name="told_of_concerns"' in response.content.decode()
    # Organisations of the authority and its partners only.
    choices = set(response.context["adminform"].form.fields["organisation"].queryset)
    assert _org(world, "p1") in choices and _org(world, "p3") not in choices

    # On the place's own page, with its guardians.
    page = client.get(reverse("admin:contexts_context_change", args=[place.pk])).content.decode()
    assert 'name="guardians-0-told_of_concerns"' in page
    response = client.post(
        reverse("admin:contexts_context_change", args=[place.pk]),
        {
            "name": place.name,
            "kind": place.kind,
            "address": "",
            "postcode": "",
            "description": "",
            "guardians-TOTAL_FORMS": "1",
            "guardians-INITIAL_FORMS": "1",
            "guardians-MIN_NUM_FORMS": "0",
            "guardians-MAX_NUM_FORMS": "1000",
            "guardians-0-id": str(guardian.pk),
            "guardians-0-context": str(place.pk),
            "guardians-0-organisation": str(guardian.organisation_id),
            "guardians-0-name": "Station duty manager",
            "guardians-0-role": "",
            "guardians-0-contact": "",
            "guardians-0-notes": "",
            "guardians-0-told_of_concerns": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    guardian.refresh_from_db()
    assert guardian.told_of_concerns and guardian.name == "Station duty manager"
