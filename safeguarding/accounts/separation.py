"""Separation of duties: nobody widens their own access.

The rule (issue 11): an administrator manages users, teams, organisations and reference data,
but never

* changes their own role, team, organisation, staff or superuser flag, out-of-hours
  manager's break-glass flag (``may_break_glass``), groups or user permissions;
* names themselves on a record (a grant row naming them, or a team group they belong to);
* adds permissions to a group they belong to;
* sets another user's password (they send a reset link, :mod:`safeguarding.accounts.passwords`,
  or deactivate the account);
* makes an account they control: an account an administrator adds starts inactive, and another
  administrator activates it (four eyes: the activator checks who it is for and its email
  address, and only then is the link to choose a password sent); and when anyone changes
  someone else's email address, password reset links for that account are held for
  ``PASSWORD_RESET_HOLD_AFTER_EMAIL_CHANGE`` hours and the old address is told, so changing an
  address and sending a link is not a way into someone's account.

It is enforced twice:

* **in the admin** (``accounts/admin.py``, ``accounts/admin_base.py``): those fields are
  read-only on one's own user, the raw grant tables and ``auth.Group`` are read-only, and the
  user admin has no password form;
* **here, on the models**, so that no other path (an admin action, a bulk edit, an inline, a
  view that forgot) can do it: signal receivers refuse, with :class:`SelfAccessChange` (a
  ``PermissionDenied``, so a request gets a 403 and its transaction is rolled back), any save
  that would change the acting user's own protected fields, group memberships or
  permissions, any grant row naming an acting *administrator*, and an administrator setting
  someone else's password.

The acting user is the one django-auditlog's context holds: the signed-in user of the request
(``AuditlogMiddleware``), or whoever a task or the API set with ``auditlog.context.set_actor``.
With no actor (migrations, ``seed_borough``, ``createsuperuser`` in a shell) nothing is refused:
those are run by whoever runs the server.

Staff who are not administrators may be named by the services that do casework (a team manager
allocating a case to themselves is named on it, in the allocation's transaction), so grants are
refused only to administrators, who do no casework.
"""

from auditlog.context import auditlog_value
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, pre_save
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from . import visibility

#: A user's own fields that decide what they may see and do.
PROTECTED_USER_FIELDS = (
    "role",
    "team_id",
    "organisation_id",
    "is_staff",
    "is_superuser",
    # Break-glass on restricted records (cases/restrictions/breakglass.py).
    "may_break_glass",
)


class SelfAccessChange(PermissionDenied):
    """The change would widen the acting user's own access: refused, whoever asks."""


def acting_user():
    """The user on whose behalf the code runs (auditlog's actor), or None.

    auditlog leaves its context variable set after its block ends (it only disconnects the
    receiver that stamps audit rows with the actor), so the actor counts only while that
    receiver, keyed by the block's ``signal_duid``, is still connected: a thread that once ran a
    request or ``set_actor`` block does not act for that user afterwards."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return None
    if not isinstance(context, dict):
        return None
    actor, duid = context.get("actor"), context.get("signal_duid")
    if getattr(actor, "pk", None) is None or duid is None:
        return None
    with pre_save.lock:
        active = any(key[0] == duid for key, *_ in pre_save.receivers)
    return actor if active else None


def _user_protected_fields_changed(sender, instance, update_fields=None, **kwargs):
    actor = acting_user()
    if actor is None:
        return
    if instance.pk is None:
        _account_added(instance, actor)
        return
    if instance.pk != actor.pk:
        _password_set_by_administrator(sender, instance, actor, update_fields)
        _activated_by_whoever_added_it(sender, instance, actor)
        _email_changed_by_someone_else(sender, instance, actor)
        return
    fields = PROTECTED_USER_FIELDS
    if update_fields is not None:
        named = set(update_fields)
        fields = tuple(f for f in fields if f in named or f.removesuffix("_id") in named)
        if not fields:
            return
    stored = sender._default_manager.filter(pk=instance.pk).values(*fields).first()
    if stored is None:
        return
    changed = [f.removesuffix("_id") for f in fields if stored[f] != getattr(instance, f)]
    if changed:
        raise SelfAccessChange(
            f"You cannot change your own {', '.join(changed)}: another administrator must."
        )


def _account_added(instance, actor) -> None:
    """An administrator adding an account: it starts inactive, noting who added it."""
    if not visibility.is_administrator(actor):
        return
    # A partner organisation's API service account (accounts for tokens: no email address and
    # no usable password, so nobody can sign in with it) is not a person's account.
    if instance.is_active and not visibility.is_partner_system(instance):
        raise SelfAccessChange(
            "An account you add starts inactive: another administrator activates it."
        )
    instance.added_by_id = actor.pk


def _activated_by_whoever_added_it(sender, instance, actor) -> None:
    if not (instance.is_active and instance.added_by_id == actor.pk):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("is_active", flat=True)
    if stored.first() is False:
        raise SelfAccessChange(
            "You added this account: another administrator must check and activate it."
        )


def _email_changed_by_someone_else(sender, instance, actor) -> None:
    """Stamp ``email_changed_at`` (reset links are held after it, accounts/passwords.py) and
    tell the old address, through the outbox, after the change commits."""
    stored = sender._default_manager.filter(pk=instance.pk).values_list("email", flat=True)
    old = stored.first()
    if old is None or old.casefold() == (instance.email or "").casefold():
        return
    from django.db import transaction
    from django.utils import timezone

    instance.email_changed_at = timezone.now()
    if old:
        from . import passwords

        transaction.on_commit(lambda: passwords.tell_old_address(instance.pk, old))


def _password_set_by_administrator(sender, instance, actor, update_fields) -> None:
    """An administrator giving someone else a password they know (and so their access)."""
    if not visibility.is_administrator(actor) or not instance.has_usable_password():
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    if stored.first() not in (None, instance.password):
        raise SelfAccessChange(
            "Administrators do not set other people's passwords: send a password reset link."
        )


def _own_groups(actor) -> set[int]:
    groups = set(actor.groups.values_list("pk", flat=True))
    team_group = (
        actor.team.group_id if getattr(actor, "team_id", None) and actor.team is not None else None
    )
    if team_group:
        groups.add(team_group)
    return groups


def _user_memberships_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``user.groups`` / ``user.user_permissions`` (or, reversed, ``group.user_set`` /
    ``permission.user_set``) gaining rows for the acting user."""
    if action != "pre_add":
        return
    actor = acting_user()
    if actor is None:
        return
    if (not reverse and instance.pk == actor.pk) or (reverse and actor.pk in (pk_set or ())):
        raise SelfAccessChange("You cannot give yourself groups or permissions.")


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``group.permissions`` (or ``permission.group_set``) gaining rows for a group the acting
    user belongs to."""
    if action != "pre_add":
        return
    actor = acting_user()
    if actor is None:
        return
    own = _own_groups(actor)
    groups = set(pk_set or ()) if reverse else {instance.pk}
    if own & groups:
        raise SelfAccessChange("You cannot give permissions to a group you belong to.")


def _grant_names_actor(sender, instance, **kwargs):
    actor = acting_user()
    if actor is None or not visibility.is_administrator(actor):
        return
    if isinstance(instance, UserObjectPermissionBase) and instance.user_id == actor.pk:
        raise SelfAccessChange("You cannot name yourself on a record.")
    if isinstance(instance, GroupObjectPermissionBase) and instance.group_id in _own_groups(actor):
        raise SelfAccessChange("You cannot name a group you belong to on a record.")


def connect() -> None:
    """Connect the receivers (``AccountsConfig.ready``)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    User = get_user_model()
    uid = "separation"
    pre_save.connect(_user_protected_fields_changed, sender=User, dispatch_uid=f"{uid}.user")
    m2m_changed.connect(
        _user_memberships_changed, sender=User.groups.through, dispatch_uid=f"{uid}.groups"
    )
    m2m_changed.connect(
        _user_memberships_changed,
        sender=User.user_permissions.through,
        dispatch_uid=f"{uid}.user_permissions",
    )
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid=f"{uid}.group_permissions",
    )
    for model in apps.get_models():
        if issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase):
            pre_save.connect(
                _grant_names_actor, sender=model, dispatch_uid=f"{uid}.{model._meta.label}"
            )
