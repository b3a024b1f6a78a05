"""Object-level grants (django-guardian rows) that the visibility rule reads.

Only services call these, inside the transaction of the change that causes the grant
(an allocation, a transfer, a concern logged at a place), so grants never drift from the work.
"""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

NAMED_PERMISSIONS = ("view", "change")


def _perm(record, action: str) -> str:
    return f"{record._meta.app_label}.{action}_{record._meta.model_name}"


def _require_transaction():
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Grants change only inside the transaction of the work that causes them")


def grant_team(record, team) -> None:
    """Give a team read access to a subject record (its caseload, a place or group it works
    with)."""
    _require_transaction()
    assign_perm(_perm(record, "view"), team.group, record)


def revoke_team(record, team) -> None:
    _require_transaction()
    remove_perm(_perm(record, "view"), team.group, record)


def name_user(record, user) -> None:
    """Name a person on a record: they may read and change it, restricted or not."""
    _require_transaction()
    for action in NAMED_PERMISSIONS:
        assign_perm(_perm(record, action), user, record)


def unname_user(record, user) -> None:
    _require_transaction()
    for action in NAMED_PERMISSIONS:
        remove_perm(_perm(record, action), user, record)
