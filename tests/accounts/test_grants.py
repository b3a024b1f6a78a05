"""``safeguarding.accounts.grants``: what a grant means is written once, and both writers use it.

The single-record helpers (the services') write a grant's rows through guardian; a bulk writer
(the demo borough's COPY) takes them from ``Grant.rows``. Both give the same rows.
"""

import pytest
from django.db import transaction

from cases.models import (
    YoungPerson,
    YoungPersonGroupObjectPermission,
    YoungPersonUserObjectPermission,
)
from contexts.models import Context, ContextGroupObjectPermission, ContextUserObjectPermission
from peers.models import PeerGroup, PeerGroupGroupObjectPermission, PeerGroupUserObjectPermission
from safeguarding.accounts import grants
from safeguarding.accounts.grants import named_grant, team_grant

RECORDS = ["cases.youngperson", "contexts.context", "peers.peergroup"]


def test_each_kind_of_record_has_its_own_tables_and_permissions(db):
    tables = {
        YoungPerson: (YoungPersonGroupObjectPermission, YoungPersonUserObjectPermission),
        Context: (ContextGroupObjectPermission, ContextUserObjectPermission),
        PeerGroup: (PeerGroupGroupObjectPermission, PeerGroupUserObjectPermission),
    }
    for model, (group_table, user_table) in tables.items():
        name = f"{model._meta.app_label}.%s_{model._meta.model_name}"
        team, named = team_grant(model), named_grant(model)
        assert (team.table, team.holder, team.permissions) == (
            group_table,
            "group_id",
            (name % "view",),
        )
        assert (named.table, named.holder) == (user_table, "user_id")
        assert named.permissions == (name % "view", name % "change")
        assert team.fields == ("content_object_id", "group_id", "permission_id")
        assert named.fields == ("content_object_id", "user_id", "permission_id")


def test_rows_come_in_the_order_given_one_per_permission(db):
    grant = named_grant(YoungPerson)
    view, change = grant.permission_ids()
    assert view != change
    assert grant.rows([(7, 3), (5, 9)]) == [
        (7, 3, view),
        (7, 3, change),
        (5, 9, view),
        (5, 9, change),
    ]
    assert grant.rows([]) == []


def held(grant, record) -> list[tuple]:
    """Every row of the grant's table on ``record``, in ``Grant.fields`` order."""
    return sorted(
        grant.table.objects.filter(content_object_id=record.pk).values_list(*grant.fields)
    )


@pytest.mark.parametrize("label", RECORDS)
def test_the_helpers_write_and_remove_exactly_the_rows_a_grant_means(world, label):
    record = world.records[label]["other"]  # Team Two's
    team, user = world.records["accounts.team"]["t1"], world.users["sw"]
    team_kind, named_kind = team_grant(type(record)), named_grant(type(record))
    before = held(team_kind, record), held(named_kind, record)
    team_rows = team_kind.rows([(record.pk, team.group_id)])
    named_rows = named_kind.rows([(record.pk, user.pk)])
    assert len(team_rows) == 1 and len(named_rows) == 2
    assert not set(team_rows) & set(before[0]) and not set(named_rows) & set(before[1])

    with transaction.atomic():
        grants.grant_team(record, team)
        grants.name_user(record, user)
    assert held(team_kind, record) == sorted(before[0] + team_rows)
    assert held(named_kind, record) == sorted(before[1] + named_rows)

    with transaction.atomic():
        grants.revoke_team(record, team)
        grants.unname_user(record, user)
    assert (held(team_kind, record), held(named_kind, record)) == before


@pytest.mark.django_db(transaction=True)
def test_every_helper_refuses_outside_a_transaction(world):
    record = world.records["contexts.context"]["other"]
    team, user = world.records["accounts.team"]["t1"], world.users["sw"]
    before = held(team_grant(Context), record), held(named_grant(Context), record)
    for helper, holder in (
        (grants.grant_team, team),
        (grants.revoke_team, team),
        (grants.name_user, user),
        (grants.unname_user, user),
    ):
        with pytest.raises(RuntimeError, match="transaction"):
            helper(record, holder)
    assert (held(team_grant(Context), record), held(named_grant(Context), record)) == before
