"""Separation of duties (issue 11): no administrator widens their own access, by any path.

Each case below is something an administrator could do alone on main (change their own role to
senior manager and read case content; set a social worker's password and sign in as them; add
a grant naming themselves on a restricted young person, and a 404 became a 200). Each is now
refused, in the admin and, for the paths that bypass it, on the models
(``safeguarding/accounts/separation.py``).
"""

import pytest
from auditlog.context import set_actor
from django.contrib import admin
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.models import YoungPerson, YoungPersonUserObjectPermission
from contexts.models import ContextUserObjectPermission
from peers.models import PeerGroupUserObjectPermission
from safeguarding.accounts import grants
from safeguarding.accounts.models import User
from safeguarding.accounts.separation import SelfAccessChange
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def password_signs_in(username, password) -> bool:
    """Whether the password page would accept this password (through every backend, django-axes'
    lockout included, which needs the request)."""
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request=request, username=username, password=password) is not None


NEW_PASSWORD = "a-chosen-password-4567"


def _restricted(world) -> YoungPerson:
    return world.records["cases.youngperson"]["restricted"]


def _user_form(user: User, **changes) -> dict:
    """What the admin's user page posts: every field as it is, with ``changes``."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "organisation": user.organisation_id or "",
        "team": user.team_id or "",
        "role": user.role,
        "job_title": user.job_title,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def _sees_restricted(world) -> bool:
    """Whether the administrator, signed in anew, can open the restricted young person's page."""
    client = Client()
    client.force_login(User.objects.get(pk=world.users["admin"].pk))
    url = reverse("cases:young-person", args=[_restricted(world).pk])
    return client.get(url).status_code == 200


def _sees_case_content(world) -> bool:
    client = Client()
    client.force_login(User.objects.get(pk=world.users["admin"].pk))
    url = reverse("cases:young-person", args=[world.records["cases.youngperson"]["own"].pk])
    return client.get(url).status_code == 200


def _own_change(client, world, **changes):
    me = world.users["admin"]
    return client.post(
        reverse("admin:accounts_user_change", args=[me.pk]), _user_form(me, **changes)
    )


def _grant_add(model_name, record_key):
    def attempt(client, world):
        record = world.records[record_key[0]][record_key[1]]
        codename = f"view_{record._meta.model_name}"
        return client.post(
            reverse(f"admin:{record._meta.app_label}_{model_name}_add"),
            {
                "content_object": str(record.pk),
                "user": str(world.users["admin"].pk),
                "permission": str(Permission.objects.get(codename=codename).pk),
            },
        )

    return attempt


def _grant_edit(client, world):
    grant = YoungPersonUserObjectPermission.objects.get(
        content_object=_restricted(world),
        user=world.users["sw2"],
        permission__codename="view_youngperson",
    )
    return client.post(
        reverse("admin:cases_youngpersonuserobjectpermission_change", args=[grant.pk]),
        {
            "content_object": str(grant.content_object_id),
            "user": str(world.users["admin"].pk),
            "permission": str(grant.permission_id),
        },
    )


def _set_password(client, world):
    # Django's own user admin form for setting a password (on main: it set it).
    sw = world.users["sw"]
    return client.post(
        f"/admin/accounts/user/{sw.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )


def _add_user_with_password(client, world):
    la = world.records["accounts.organisation"]["la"]
    t1 = world.records["accounts.team"]["t1"]
    return client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "puppet",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            "first_name": "Pup",
            "last_name": "Pet",
            "email": "puppet@example.invalid",
            "organisation": str(la.pk),
            "team": str(t1.pk),
            "role": User.Role.TEAM_MANAGER,
        },
    )


def _team_group_permissions(client, world):
    group = world.records["accounts.team"]["t1"].group
    return client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {
            "name": group.name,
            "permissions": [str(Permission.objects.get(codename="change_youngperson").pk)],
        },
    )


def _grant_delete(client, world):
    grant = YoungPersonUserObjectPermission.objects.filter(
        content_object=_restricted(world)
    ).first()
    return client.post(
        reverse("admin:cases_youngpersonuserobjectpermission_changelist"),
        {"action": "delete_selected", "_selected_action": [str(grant.pk)], "post": "yes"},
    )


def _admin_state(world) -> dict:
    me = User.objects.get(pk=world.users["admin"].pk)
    return {
        "role": me.role,
        "team": me.team_id,
        "organisation": me.organisation_id,
        "is_staff": me.is_staff,
        "is_superuser": me.is_superuser,
        "groups": set(me.groups.values_list("pk", flat=True)),
        "permissions": set(me.user_permissions.values_list("pk", flat=True)),
        "grants": {
            model._meta.label: model.objects.filter(user=me).count()
            for model in (
                YoungPersonUserObjectPermission,
                ContextUserObjectPermission,
                PeerGroupUserObjectPermission,
            )
        },
        "all_grants": sorted(
            YoungPersonUserObjectPermission.objects.values_list(
                "pk", "user_id", "content_object_id"
            )
        ),
        "t1_permissions": set(
            world.records["accounts.team"]["t1"].group.permissions.values_list("pk", flat=True)
        ),
        "sw_password_is_theirs": User.objects.get(pk=world.users["sw"].pk).check_password(PASSWORD),
        "puppet_signs_in": password_signs_in("puppet", NEW_PASSWORD),
    }


#: (case, the attempt, what a refusal looks like beyond "nothing changed").
ADMIN_ATTEMPTS = {
    "own role to senior manager": lambda c, w: _own_change(c, w, role=User.Role.SENIOR_MANAGER),
    "own team": lambda c, w: _own_change(c, w, team=w.records["accounts.team"]["t1"].pk),
    "own organisation": lambda c, w: _own_change(
        c, w, organisation=w.records["accounts.organisation"]["p1"].pk
    ),
    "own superuser flag": lambda c, w: _own_change(c, w, is_superuser="on"),
    "own groups": lambda c, w: _own_change(
        c, w, groups=[w.records["accounts.team"]["t1"].group_id]
    ),
    "own permissions": lambda c, w: _own_change(
        c, w, user_permissions=[Permission.objects.get(codename="view_youngperson").pk]
    ),
    "grant naming themselves on a restricted young person": _grant_add(
        "youngpersonuserobjectpermission", ("cases.youngperson", "restricted")
    ),
    "grant naming themselves on a place": _grant_add(
        "contextuserobjectpermission", ("contexts.context", "other")
    ),
    "grant naming themselves on a peer group": _grant_add(
        "peergroupuserobjectpermission", ("peers.peergroup", "other")
    ),
    "edit a grant row to name themselves": _grant_edit,
    "delete a grant row (bulk action)": _grant_delete,
    "set a social worker's password": _set_password,
    "add a user with a password they know": _add_user_with_password,
    "give their team group permissions": _team_group_permissions,
}


@pytest.mark.parametrize("case", sorted(ADMIN_ATTEMPTS))
def test_administrator_cannot_widen_their_own_access_in_the_admin(world, client, case):
    before = _admin_state(world)
    assert before["sw_password_is_theirs"] and not before["puppet_signs_in"]
    assert not _sees_restricted(world) and not _sees_case_content(world)
    client.force_login(world.users["admin"])
    response = ADMIN_ATTEMPTS[case](client, world)
    # Refused outright (403/404), or the page ignored the protected fields: either way nothing
    # about the administrator's access, nor any grant or password, changed.
    assert response.status_code in (200, 302, 403, 404), response.status_code
    after = _admin_state(world)
    assert after == before, case
    assert not _sees_restricted(world), case
    assert not _sees_case_content(world), case


def test_own_user_page_shows_access_fields_read_only_and_no_password_form(world, client):
    me = world.users["admin"]
    client.force_login(me)
    form = client.get(reverse("admin:accounts_user_change", args=[me.pk])).context["adminform"]
    for name in ("role", "team", "organisation", "is_staff"):
        assert name not in form.form.fields, name
    other = client.get(reverse("admin:accounts_user_change", args=[world.users["sw"].pk]))
    page = other.content.decode()
    assert "role" in other.context["adminform"].form.fields  # others' roles are theirs to manage
    assert "password1" not in page and "/password/" not in page
    assert "Send password reset link" in page
    assert client.get(f"/admin/accounts/user/{world.users['sw'].pk}/password/").status_code in (
        302,
        404,
    )


def _add_user(client, world, username="newstarter", email="new.starter@example.invalid"):
    la = world.records["accounts.organisation"]["la"]
    return client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": username,
            "first_name": "New",
            "last_name": "Starter",
            "email": email,
            "organisation": str(la.pk),
            "role": User.Role.SENIOR_MANAGER,
        },
    )


def _resets(user):
    from safeguarding.notifications.models import Notification

    return Notification.objects.filter(recipient_user=user, event_type="account.password_reset")


def _second_admin(world):
    return make_user(
        "admin2",
        User.Role.ADMINISTRATOR,
        world.records["accounts.organisation"]["la"],
        is_staff=True,
    )


def test_a_new_user_waits_for_a_second_administrator_before_any_link(world, client):
    """Four eyes: the administrator who adds an account cannot activate it, so nobody makes an
    account for themselves (a "puppet" senior manager with their own email address)."""
    admin_user, admin2 = world.users["admin"], _second_admin(world)
    client.force_login(admin_user)
    response = _add_user(client, world, email="my.other.mailbox@example.invalid")
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newstarter")
    assert not user.has_usable_password() and not user.is_active
    assert user.added_by == admin_user
    assert not _resets(user).exists()

    # Whoever added it cannot activate it, in the admin or on the model...
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]), _user_form(user, is_active="on")
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert not user.is_active and not _resets(user).exists()
    # ...nor ask for a link through "Forgotten your password?" (the account is inactive).
    client.logout()
    client.post(reverse("password_reset"), {"email": "my.other.mailbox@example.invalid"})
    assert not _resets(user).exists()

    # A second administrator checks it and activates it: only then is the link sent.
    client.force_login(admin2)
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]), _user_form(user, is_active="on")
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and _resets(user).count() == 1


def test_an_account_an_administrator_adds_starts_inactive_on_the_model_too(world):
    from auditlog.context import set_actor

    from safeguarding.accounts.separation import SelfAccessChange

    la = world.records["accounts.organisation"]["la"]
    with set_actor(world.users["admin"]), pytest.raises(SelfAccessChange):
        make_user("puppet2", User.Role.SENIOR_MANAGER, la)
    assert not User.objects.filter(username="puppet2").exists()


def test_changing_someones_email_holds_reset_links_and_tells_the_old_address(
    world, client, settings, django_capture_on_commit_callbacks
):
    """The takeover: change a worker's email to one the administrator reads, delete their
    authenticator, send a reset link. The link is held, and the worker is told."""
    from safeguarding.notifications.models import Notification

    settings.PASSWORD_RESET_HOLD_AFTER_EMAIL_CHANGE = 72
    sw = world.users["sw"]
    old = sw.email
    client.force_login(world.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_change", args=[sw.pk]),
            _user_form(sw, email="attacker@example.invalid"),
        )
    assert response.status_code == 302
    sw.refresh_from_db()
    assert sw.email == "attacker@example.invalid" and sw.email_changed_at is not None
    told = Notification.objects.filter(event_type="account.email_changed", email=old)
    assert told.count() == 1

    # The admin's link is not sent, nor the public form's.
    client.post(reverse("admin:accounts_user_send_password_reset", args=[sw.pk]))
    client.logout()
    client.post(reverse("password_reset"), {"email": "attacker@example.invalid"})
    assert not _resets(sw).exists()

    # After the hold, links go again (the worker has had days to raise the alarm).
    settings.PASSWORD_RESET_HOLD_AFTER_EMAIL_CHANGE = 0
    client.post(reverse("password_reset"), {"email": "attacker@example.invalid"})
    assert _resets(sw).count() == 1


def test_a_person_changing_their_own_email_is_not_held(world):
    from auditlog.context import set_actor

    sw = world.users["sw"]
    with set_actor(sw):
        sw.email = "sw.new@example.invalid"
        sw.save()
    sw.refresh_from_db()
    assert sw.email_changed_at is None


def test_a_users_email_cannot_be_the_administrators_own(world, client):
    admin_user = world.users["admin"]
    admin_user.email = "dpo@example.invalid"
    admin_user.save()
    sw = world.users["sw"]
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_change", args=[sw.pk]),
        _user_form(sw, email="DPO@example.invalid"),
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    sw.refresh_from_db()
    assert sw.email != "DPO@example.invalid"


def test_grant_tables_and_groups_are_read_only_in_every_admin(world, rf):
    """Every admin of a guardian grant model, and of auth groups, refuses add, change and
    delete to administrators (and to a superuser)."""
    request = rf.get("/admin/")
    checked = 0
    for user in (world.users["admin"], User(username="root", is_superuser=True, is_staff=True)):
        request.user = user
        for model, model_admin in admin.site._registry.items():
            if not (
                issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase)
                or model is Group
            ):
                continue
            checked += 1
            assert not model_admin.has_add_permission(request), model
            assert not model_admin.has_change_permission(request), model
            assert not model_admin.has_delete_permission(request), model
    assert checked == 2 * 7  # three kinds of record, a user and a group grant each; groups


# --- on the models: no path around the admin --------------------------------------------------


def _save_own(field, value):
    def attempt(world):
        me = User.objects.get(pk=world.users["admin"].pk)
        setattr(me, field, value)
        me.save()

    return attempt


def _name_self(world):
    with transaction.atomic():
        grants.name_user(_restricted(world), User.objects.get(pk=world.users["admin"].pk))


def _join_group(world):
    me = User.objects.get(pk=world.users["admin"].pk)
    me.groups.add(world.records["accounts.team"]["t1"].group)


def _join_group_reversed(world):
    world.records["accounts.team"]["t1"].group.user_set.add(world.users["admin"])


def _own_permission(world):
    me = User.objects.get(pk=world.users["admin"].pk)
    me.user_permissions.add(Permission.objects.get(codename="change_youngperson"))


def _own_group_permission(world):
    group = Group.objects.create(name="dpo")
    User.objects.get(pk=world.users["admin"].pk).groups.add(group)  # as nobody: allowed
    with set_actor(User.objects.get(pk=world.users["admin"].pk)):
        group.permissions.add(Permission.objects.get(codename="view_youngperson"))


def _set_someone_elses_password(world):
    sw = User.objects.get(pk=world.users["sw"].pk)
    sw.set_password(NEW_PASSWORD)
    sw.save()


MODEL_ATTEMPTS = {
    "another user's password": _set_someone_elses_password,
    "role": _save_own("role", User.Role.SENIOR_MANAGER),
    "team": lambda w: _save_own("team", w.records["accounts.team"]["t1"])(w),
    "organisation": lambda w: _save_own("organisation", w.records["accounts.organisation"]["la2"])(
        w
    ),
    "superuser": _save_own("is_superuser", True),
    "grant on a restricted young person": _name_self,
    "group membership": _join_group,
    "group membership, from the group": _join_group_reversed,
    "user permission": _own_permission,
}


@pytest.mark.parametrize("case", sorted(MODEL_ATTEMPTS))
def test_no_path_around_the_admin_widens_the_acting_administrators_access(world, case):
    before = _admin_state(world)
    actor = User.objects.get(pk=world.users["admin"].pk)
    with set_actor(actor), pytest.raises(SelfAccessChange), transaction.atomic():
        MODEL_ATTEMPTS[case](world)
    assert _admin_state(world) == before
    assert not _sees_restricted(world)


def test_permissions_for_a_group_the_actor_belongs_to_are_refused(world):
    with pytest.raises(SelfAccessChange), transaction.atomic():
        _own_group_permission(world)


def test_the_same_changes_to_someone_else_or_by_nobody_are_allowed(world):
    """Administrators still manage other people, and services still name workers."""
    sw = world.users["sw"]
    with set_actor(User.objects.get(pk=world.users["admin"].pk)):
        sw.role = User.Role.TEAM_MANAGER
        sw.save()
    # A team manager allocated their own team's case is named by the service, as the actor.
    tm = world.users["tm"]
    with set_actor(tm), transaction.atomic():
        grants.name_user(world.records["cases.youngperson"]["team"], tm)
    # Without an actor (migrations, seeding, a shell): no refusal, also in a thread that ran
    # a set_actor block for this administrator before (auditlog leaves its context behind).
    with set_actor(User.objects.get(pk=world.users["admin"].pk)):
        pass
    me = User.objects.get(pk=world.users["admin"].pk)
    me.job_title = "Data protection officer"
    me.role = User.Role.SENIOR_MANAGER
    me.save()
    sw.refresh_from_db()
    assert sw.role == User.Role.TEAM_MANAGER
    assert YoungPersonUserObjectPermission.objects.filter(user=tm).exists()
