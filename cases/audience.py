"""Keeping ``ConcernAudience`` true to the concern rule.

``ConcernAudience`` lists, for each place or peer group a concern is about, who may see the
concern (see its docstring). This module rewrites a concern's rows from what the rule reads,
in one set-based statement, whenever any of that changes:

* an involvement of the concern is added, removed or moved, or the concern itself changes;
* a view grant (a team's or a person's) on a young person, place or peer group is added,
  removed or edited in place — every concern about that record is rewritten (for a place or a
  group, only the concerns about no young person, the only ones its grants decide; a grant
  edited to point elsewhere rewrites both records' concerns);
* a young person is restricted or unrestricted.

The receivers below are connected in ``CasesConfig.ready`` and run in the transaction of the
change, so readers never see a concern without its audience. On PostgreSQL every rewrite takes
one advisory lock until its transaction ends, so two transactions changing what a concern's
audience depends on (a concern logged while its young person is transferred) never leave it
stale: the second reads what the first committed. Bulk writes that send no signals (the demo
borough's seeding, migrations, fixtures) call :func:`rebuild` afterwards;
``manage.py rebuild_concern_audience`` does the same by hand.

The SQL restates ``visibility.concern_rule`` for SOCIAL_WORKER, TEAM_MANAGER and
SENIOR_MANAGER (VIEW): ``tests/accounts/test_concern_audience.py`` checks that reading through
this table gives exactly what the rule gives, for every user and subject, after each kind of
change above, on PostgreSQL and on SQLite.
"""

from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from contexts.models import Context, ContextGroupObjectPermission, ContextUserObjectPermission
from peers.models import PeerGroup, PeerGroupGroupObjectPermission, PeerGroupUserObjectPermission
from safeguarding.subjects.models import Subject

from .models import (
    Concern,
    ConcernAudience,
    ConcernSubject,
    YoungPerson,
    YoungPersonGroupObjectPermission,
    YoungPersonUserObjectPermission,
)


def _tables() -> dict[str, str]:
    models = {
        "audience": ConcernAudience,
        "concern": Concern,
        "involvement": ConcernSubject,
        "subject": Subject,
        "young_person": YoungPerson,
        "context": Context,
        "peer_group": PeerGroup,
        "yp_team": YoungPersonGroupObjectPermission,
        "yp_user": YoungPersonUserObjectPermission,
        "ctx_team": ContextGroupObjectPermission,
        "ctx_user": ContextUserObjectPermission,
        "pg_team": PeerGroupGroupObjectPermission,
        "pg_user": PeerGroupUserObjectPermission,
    }
    return {name: connection.ops.quote_name(m._meta.db_table) for name, m in models.items()}


# ``{where}`` picks the concerns to work out (on ``c``, the concern table); the %s parameters
# after it are, in order: the view permissions of young people, places and peer groups for
# team grants, then for people's grants, then False twice (unrestricted).
_AUDIENCE = """
WITH target AS (
    SELECT c.id, c.occurred_at, c.authority_id, c.logged_by_id FROM {concern} c WHERE {where}
),
people AS (
    SELECT cs.concern_id, yp.id AS record_id, yp.restricted, s.authority_id
      FROM target t
      JOIN {involvement} cs ON cs.concern_id = t.id
      JOIN {young_person} yp ON yp.subject_id = cs.subject_id
      JOIN {subject} s ON s.id = cs.subject_id
),
places AS (
    SELECT cs.concern_id, cs.subject_id, s.authority_id, x.id AS context_id, g.id AS group_id
      FROM target t
      JOIN {involvement} cs ON cs.concern_id = t.id
      JOIN {subject} s ON s.id = cs.subject_id
      LEFT JOIN {context} x ON x.subject_id = cs.subject_id
      LEFT JOIN {peer_group} g ON g.subject_id = cs.subject_id
     WHERE x.id IS NOT NULL OR g.id IS NOT NULL
),
unpeopled AS (
    SELECT t.id FROM target t WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.concern_id = t.id)
),
decided_by AS (
    -- Records whose grants decide who sees each concern: its young people if it has any
    -- (restricted ones only for people named on them), otherwise its places and groups.
    SELECT p.concern_id, p.record_id, p.restricted, 'yp' AS kind FROM people p
    UNION ALL
    SELECT pl.concern_id, pl.context_id, %s, 'ctx' FROM places pl
      JOIN unpeopled u ON u.id = pl.concern_id WHERE pl.context_id IS NOT NULL
    UNION ALL
    SELECT pl.concern_id, pl.group_id, %s, 'pg' FROM places pl
      JOIN unpeopled u ON u.id = pl.concern_id WHERE pl.group_id IS NOT NULL
),
audience AS (
    SELECT d.concern_id, gr.group_id AS team_group_id, CAST(NULL AS BIGINT) AS user_id
      FROM decided_by d JOIN {yp_team} gr ON gr.content_object_id = d.record_id
     WHERE d.kind = 'yp' AND gr.permission_id = %s AND d.restricted = %s
    UNION
    SELECT d.concern_id, gr.group_id, NULL
      FROM decided_by d JOIN {ctx_team} gr ON gr.content_object_id = d.record_id
     WHERE d.kind = 'ctx' AND gr.permission_id = %s
    UNION
    SELECT d.concern_id, gr.group_id, NULL
      FROM decided_by d JOIN {pg_team} gr ON gr.content_object_id = d.record_id
     WHERE d.kind = 'pg' AND gr.permission_id = %s
    UNION
    SELECT d.concern_id, NULL, gr.user_id
      FROM decided_by d JOIN {yp_user} gr ON gr.content_object_id = d.record_id
     WHERE d.kind = 'yp' AND gr.permission_id = %s
    UNION
    SELECT d.concern_id, NULL, gr.user_id
      FROM decided_by d JOIN {ctx_user} gr ON gr.content_object_id = d.record_id
     WHERE d.kind = 'ctx' AND gr.permission_id = %s
    UNION
    SELECT d.concern_id, NULL, gr.user_id
      FROM decided_by d JOIN {pg_user} gr ON gr.content_object_id = d.record_id
     WHERE d.kind = 'pg' AND gr.permission_id = %s
    UNION
    SELECT t.id, NULL, t.logged_by_id FROM target t WHERE t.logged_by_id IS NOT NULL
    UNION
    -- The authority's senior managers: an unrestricted young person of the authority, or, for
    -- a concern about nobody, a place or group of the authority. (Two branches, not an OR:
    -- each is a join the database does in one pass.)
    SELECT t.id, NULL, NULL FROM target t
      JOIN people p ON p.concern_id = t.id
     WHERE p.restricted = %s AND p.authority_id = t.authority_id
    UNION
    SELECT t.id, NULL, NULL FROM target t
      JOIN unpeopled u ON u.id = t.id
      JOIN places pl ON pl.concern_id = t.id
     WHERE pl.authority_id = t.authority_id
)
SELECT a.concern_id, pl.subject_id, t.occurred_at, t.authority_id, a.team_group_id, a.user_id
  FROM audience a
  JOIN target t ON t.id = a.concern_id
  JOIN places pl ON pl.concern_id = a.concern_id
"""


#: The advisory lock every rewrite takes (a constant of this table's own).
_LOCK = 7_318_020_501


def _view_permissions() -> dict[str, int]:
    wanted = {"youngperson", "context", "peergroup"}
    rows = Permission.objects.filter(
        codename__in=[f"view_{m}" for m in wanted],
        content_type__app_label__in=["cases", "contexts", "peers"],
    ).values_list("codename", "pk")
    found = {codename.removeprefix("view_"): pk for codename, pk in rows}
    if set(found) != wanted:
        raise LookupError("The view permissions of subjects are missing: run migrate")
    return found


def _rewrite(where: str, params: list) -> None:
    """Delete and work out again the rows of the concerns ``where`` picks."""
    tables = _tables()
    perm = _view_permissions()
    select = _AUDIENCE.format(where=where, **tables)
    select_params = [
        *params,
        False,  # places decide only through grants: "restricted" never applies to them
        False,
        perm["youngperson"],
        False,
        perm["context"],
        perm["peergroup"],
        perm["youngperson"],
        perm["context"],
        perm["peergroup"],
        False,
    ]
    columns = "concern_id, subject_id, occurred_at, authority_id, team_group_id, user_id"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One rewrite at a time, to the end of the transaction: a rewrite reads grants and
            # involvements that another transaction may be changing (a concern logged while its
            # young person is transferred). Whichever waits reads the other's committed change
            # (each statement sees what has committed), so neither leaves the table stale, and
            # no two transactions insert the same concern's rows. SQLite has one writer anyway.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        cursor.execute(
            f"DELETE FROM {tables['audience']} WHERE concern_id IN "  # noqa: S608 (our tables)
            f"(SELECT c.id FROM {tables['concern']} c WHERE {where})",
            params,
        )
        cursor.execute(
            f"INSERT INTO {tables['audience']} ({columns}) {select}",
            select_params,
        )


def refresh_concern(concern_id: int) -> None:
    """Work out again who may see one concern."""
    _rewrite("c.id = %s", [concern_id])


def refresh_about(subject_id: int, *, unpeopled_only: bool = False) -> None:
    """Work out again who may see the concerns about a subject (``unpeopled_only``: only those
    about no young person — a place's or group's grants decide nothing else)."""
    tables = _tables()
    # Table names are ours (quoted by the backend); values are parameters.
    where = f"c.id IN (SELECT concern_id FROM {tables['involvement']} WHERE subject_id = %s)"  # noqa: S608
    params = [subject_id]
    if unpeopled_only:
        where += (
            f" AND NOT EXISTS (SELECT 1 FROM {tables['involvement']} i"  # noqa: S608
            f" JOIN {tables['young_person']} y ON y.subject_id = i.subject_id"
            " WHERE i.concern_id = c.id)"
        )
    _rewrite(where, params)


def rebuild(*, authority_id: int | None = None) -> None:
    """Work out the whole table again (or one authority's part): after bulk writes."""
    if authority_id is None:
        _rewrite("1 = 1", [])
    else:
        _rewrite("c.authority_id = %s", [authority_id])


# --- receivers (connected in CasesConfig.ready) -----------------------------------------------
# ``raw`` saves (loaddata) are left alone: after loading fixtures, call rebuild().


def _before_involvement_saved(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        rows = ConcernSubject.objects.filter(pk=instance.pk)
        instance._concern_before = rows.values_list("concern_id", flat=True).first()


def _on_involvement(sender, instance, raw=False, **kwargs):
    if raw:
        return
    refresh_concern(instance.concern_id)
    before = getattr(instance, "_concern_before", None)
    if before is not None and before != instance.concern_id:  # moved to another concern
        refresh_concern(before)


def _on_concern(sender, instance, created=False, raw=False, **kwargs):
    if not created and not raw:  # a new concern has no involvements yet
        refresh_concern(instance.pk)


_SUBJECT_OF = {
    YoungPersonGroupObjectPermission: (YoungPerson, False),
    YoungPersonUserObjectPermission: (YoungPerson, False),
    ContextGroupObjectPermission: (Context, True),
    ContextUserObjectPermission: (Context, True),
    PeerGroupGroupObjectPermission: (PeerGroup, True),
    PeerGroupUserObjectPermission: (PeerGroup, True),
}


def _before_grant_saved(sender, instance, raw=False, **kwargs):
    """A grant edited in place (the admin lets an administrator change its record or its
    permission): remember what it was, so the record it left is worked out again too."""
    if instance.pk and not raw:
        instance._grant_before = (
            sender._default_manager.filter(pk=instance.pk)
            .values_list("content_object_id", "permission_id")
            .first()
        )


def _refresh_record(sender, record_id, permission_id) -> None:
    record_model, unpeopled_only = _SUBJECT_OF[sender]
    if permission_id not in _view_permissions().values():
        return  # only the view permissions decide who sees a concern
    subject_id = (
        record_model._default_manager.filter(pk=record_id)
        .values_list("subject_id", flat=True)
        .first()
    )
    if subject_id is not None:
        refresh_about(subject_id, unpeopled_only=unpeopled_only)


def _on_grant(sender, instance, raw=False, **kwargs):
    if raw:
        return
    _refresh_record(sender, instance.content_object_id, instance.permission_id)
    before = getattr(instance, "_grant_before", None)
    if before is not None and before != (instance.content_object_id, instance.permission_id):
        _refresh_record(sender, *before)


def _before_young_person_saved(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._restricted_before = (
            YoungPerson.objects.filter(pk=instance.pk).values_list("restricted", flat=True).first()
        )


def _on_young_person(sender, instance, created=False, raw=False, **kwargs):
    before = getattr(instance, "_restricted_before", None)
    if not created and not raw and before is not None and before != instance.restricted:
        refresh_about(instance.subject_id)


def connect() -> None:
    uid = "cases.audience"
    pre_save.connect(_before_involvement_saved, sender=ConcernSubject, dispatch_uid=f"{uid}.inv0")
    post_save.connect(_on_involvement, sender=ConcernSubject, dispatch_uid=f"{uid}.inv.save")
    post_delete.connect(_on_involvement, sender=ConcernSubject, dispatch_uid=f"{uid}.inv.del")
    post_save.connect(_on_concern, sender=Concern, dispatch_uid=f"{uid}.concern")
    for model in _SUBJECT_OF:
        name = model._meta.model_name
        pre_save.connect(_before_grant_saved, sender=model, dispatch_uid=f"{uid}.{name}.before")
        post_save.connect(_on_grant, sender=model, dispatch_uid=f"{uid}.{name}.save")
        post_delete.connect(_on_grant, sender=model, dispatch_uid=f"{uid}.{name}.del")
    pre_save.connect(_before_young_person_saved, sender=YoungPerson, dispatch_uid=f"{uid}.yp0")
    post_save.connect(_on_young_person, sender=YoungPerson, dispatch_uid=f"{uid}.yp1")
