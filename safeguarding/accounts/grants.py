"""Object-level grants (django-guardian rows) that the visibility rule reads.

What a grant means is written here once, for each kind of subject record (young person, place,
peer group):

* a **team's grant** (:func:`team_grant`): the team's guardian group may view the record (its
  caseload, a place or group it works with);
* **naming** a person (:func:`named_grant`): the user may view and change the record,
  restricted or not.

Each is one row per permission in the record's direct foreign-key table for groups or for users
(``cases.YoungPersonGroupObjectPermission``, ``contexts.ContextUserObjectPermission``, ...: the
table guardian itself picks for the model). A :class:`Grant` holds that table, its holder column
and the permissions, and gives the rows for many grants at once (:meth:`Grant.rows`).

Two writers use it:

* the single-record helpers below (:func:`grant_team`, :func:`revoke_team`, :func:`name_user`,
  :func:`unname_user`) add or remove a grant's rows one record at a time through guardian, so
  the rows' signals (``cases/audience.py``) and audit run. Only services call them, inside the
  transaction of the change that causes the grant (an allocation, a transfer, a concern logged
  at a place), so grants never drift from the work; outside a transaction they raise
  ``RuntimeError``.
* bulk writers that bypass the ORM take the same rows as tuples from :meth:`Grant.rows`: the
  demo borough (``safeguarding/demo/casework.py``) writes them with ``COPY`` and rebuilds what
  the signals would have kept.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

TEAM_ACTIONS = ("view",)  # what a team's grant allows
NAMED_ACTIONS = ("view", "change")  # what naming a person allows


@dataclass(frozen=True)
class Grant:
    """One kind of grant on one kind of record, as the rows guardian keeps for it.

    ``table`` is guardian's direct foreign-key table for the holder (a group or a user),
    ``holder`` its column for who holds the grant (``"group_id"`` or ``"user_id"``), and
    ``permissions`` the permissions (``"cases.view_youngperson"``, ...) each grant is one row of.
    """

    model: type[Model]
    table: type[Model]
    holder: str
    permissions: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, str, str]:
        """The columns of :meth:`rows`, in order (attnames of ``table``)."""
        return ("content_object_id", self.holder, "permission_id")

    def permission_ids(self) -> list[int]:
        """The primary keys of ``permissions``, in order (one query)."""
        codenames = [perm.split(".", 1)[1] for perm in self.permissions]
        ids = dict(
            Permission.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model), codename__in=codenames
            ).values_list("codename", "pk")
        )
        return [ids[codename] for codename in codenames]

    def rows(self, grants: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
        """The table's rows, in :attr:`fields` order, for many grants of this kind.

        ``grants``: (record primary key, holder primary key) pairs, the holder being a team's
        guardian group (``Team.group_id``) or a user as ``holder`` says. The rows come in the
        order of the pairs, one per permission in ``permissions`` order. Nothing is written and
        nothing is checked against what the table holds: a pair given twice, or one already
        granted, gives rows that break the table's unique constraint when written.
        """
        ids = self.permission_ids()
        return [(record, holder, permission) for record, holder in grants for permission in ids]


def _permissions(model: type[Model], actions: tuple[str, ...]) -> tuple[str, ...]:
    opts = model._meta
    return tuple(f"{opts.app_label}.{action}_{opts.model_name}" for action in actions)


def team_grant(model: type[Model]) -> Grant:
    """A team's grant on a record of ``model``: its guardian group may view it."""
    return Grant(
        model, get_group_obj_perms_model(model), "group_id", _permissions(model, TEAM_ACTIONS)
    )


def named_grant(model: type[Model]) -> Grant:
    """Naming a person on a record of ``model``: they may view and change it."""
    return Grant(
        model, get_user_obj_perms_model(model), "user_id", _permissions(model, NAMED_ACTIONS)
    )


def _require_transaction():
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Grants change only inside the transaction of the work that causes them")


def grant_team(record, team) -> None:
    """Give a team read access to a subject record (its caseload, a place or group it works
    with)."""
    _require_transaction()
    for perm in team_grant(type(record)).permissions:
        assign_perm(perm, team.group, record)


def revoke_team(record, team) -> None:
    _require_transaction()
    for perm in team_grant(type(record)).permissions:
        remove_perm(perm, team.group, record)


def name_user(record, user) -> None:
    """Name a person on a record: they may read and change it, restricted or not."""
    _require_transaction()
    for perm in named_grant(type(record)).permissions:
        assign_perm(perm, user, record)


def unname_user(record, user) -> None:
    _require_transaction()
    for perm in named_grant(type(record)).permissions:
        remove_perm(perm, user, record)
