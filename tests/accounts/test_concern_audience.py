"""Reading concerns subject first gives exactly what the concern rule gives.

Pages read a subject's concerns through ``visibility.concerns_about`` and
``visibility.latest_concern_at`` (behind them, for places and peer groups, ``ConcernAudience``:
the rule worked out ahead, kept in step by ``cases.audience``). Here, for every user of the
world and every subject, those reads are compared with the rule itself
(``restrict(user, Concern).filter(involvements__subject=...)``), first as the world is, then
after each kind of change the precomputed rows depend on; on PostgreSQL and on the embedded
SQLite database, whose SQL ``cases.audience`` also writes.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases import audience, services
from cases.models import Concern, ConcernAudience, ConcernSubject, HarmCategory, YoungPerson
from contexts.models import Context, ContextGroupObjectPermission
from peers.models import PeerGroup
from safeguarding.accounts import grants, visibility
from safeguarding.accounts.models import User
from safeguarding.subjects.models import Subject

pytestmark = [pytest.mark.both_databases, pytest.mark.world_per_module]


def _differences(world) -> list[str]:
    problems = []
    users = list(User.objects.filter(username__in=world.records["accounts.user"]))
    subjects = list(Subject.objects.all())
    for user in users:
        latest = dict(
            visibility.restrict(user, Subject)
            .annotate(latest=visibility.latest_concern_at(user, subject_key="pk"))
            .values_list("pk", "latest")
        )
        for subject in subjects:
            rule = visibility.restrict(user, Concern).filter(involvements__subject=subject)
            want = set(rule.values_list("pk", flat=True))
            about = visibility.concerns_about(user, subject)
            got = about.concern_ids()
            if about.count() != len(got):  # the parts never share a concern
                problems.append(f"{user.username} at {subject.pk}: a concern counted twice")
            if got != want:
                problems.append(
                    f"{user.username} at {subject.kind} {subject.pk}: read {sorted(got)}, "
                    f"rule {sorted(want)}"
                )
            want_latest = rule.aggregate(at=Max("occurred_at"))["at"]
            if subject.pk in latest and latest[subject.pk] != want_latest:
                problems.append(
                    f"{user.username} latest at {subject.kind} {subject.pk}: "
                    f"{latest[subject.pk]}, rule {want_latest}"
                )
    return problems


def _rows():
    rows = ConcernAudience.objects.values_list(
        "concern_id", "subject_id", "occurred_at", "authority_id", "team_group_id", "user_id"
    )
    return sorted(rows, key=repr)


def _assert_same(world):
    problems = _differences(world)
    assert not problems, "\n".join(problems)
    # What the receivers kept in step is what working it all out again gives.
    kept = _rows()
    with transaction.atomic():
        audience.rebuild()
    assert _rows() == kept


def _concern(world, *involved, logged_by="sw3", days_ago=1):
    concern = Concern.objects.create(
        authority=world.records["accounts.organisation"]["la"],
        occurred_at=timezone.now() - timedelta(days=days_ago),
        narrative="Seen with older males",
        source="police",
        reliability="reliable",
        logged_by=world.users[logged_by],
    )
    concern.harm_categories.add(HarmCategory.objects.get(slug="cse"))
    for record, part in involved:
        ConcernSubject.objects.create(concern=concern, subject=record.subject, part=part)
    return concern


@pytest.fixture
def busy(world):
    """More concerns at the world's places and groups, in every mix the rule distinguishes."""
    r = world.records
    ctx, ctx_other = r["contexts.context"]["team"], r["contexts.context"]["other"]
    pg, pg_other = r["peers.peergroup"]["team"], r["peers.peergroup"]["other"]
    yp = r["cases.youngperson"]
    _concern(world, (yp["restricted"], "harmed"), (ctx, "location"), logged_by="sw2")
    _concern(world, (yp["other"], "harmed"), (ctx, "location"), (pg, "peer_group"))
    _concern(world, (yp["team"], "at_risk"), (yp["other"], "witness"), (ctx_other, "location"))
    _concern(world, (pg_other, "peer_group"), (ctx, "location"), days_ago=3)
    _concern(world, (pg, "peer_group"), logged_by="tm", days_ago=5)
    _concern(world, (yp["own"], "harmed"), (pg_other, "peer_group"), days_ago=8)
    return world


def test_the_world_as_it_is(busy):
    _assert_same(busy)


def test_after_a_case_moves_to_another_team(busy):
    case = busy.records["cases.case"]["own"]
    services.case_transfer(
        case=case, to_team=busy.records["accounts.team"]["t2"], transferred_by=None, reason="x"
    )
    _assert_same(busy)


def test_after_a_young_person_is_restricted_and_unrestricted(busy):
    yp = YoungPerson.objects.get(pk=busy.records["cases.youngperson"]["team"].pk)
    yp.restricted, yp.restricted_reason = True, "Risk from a family member"
    yp.save()
    _assert_same(busy)
    yp.restricted = False
    yp.save()
    _assert_same(busy)


def test_after_grants_are_added_and_removed_outside_the_services(busy):
    """As the admin does: grant rows written and deleted directly."""
    place = busy.records["contexts.context"]["team"]
    grant = ContextGroupObjectPermission.objects.create(
        content_object=place,
        group=busy.records["accounts.team"]["t2"].group,
        permission=Permission.objects.get(codename="view_context"),
    )
    _assert_same(busy)
    grant.delete()
    _assert_same(busy)


def test_after_people_are_named_and_unnamed(busy):
    place = busy.records["contexts.context"]["other"]
    group = busy.records["peers.peergroup"]["other"]
    yp = busy.records["cases.youngperson"]["restricted"]
    with transaction.atomic():
        grants.name_user(place, busy.users["sw"])
        grants.name_user(group, busy.users["sw"])
        grants.name_user(yp, busy.users["sm"])
    _assert_same(busy)
    with transaction.atomic():
        grants.unname_user(place, busy.users["sw"])
        grants.unname_user(yp, busy.users["sm"])
    _assert_same(busy)


def test_after_involvements_change(busy):
    concern = busy.records["cases.concern"]["place_only"]
    added = ConcernSubject.objects.create(
        concern=concern, subject=busy.records["cases.youngperson"]["other"].subject, part="at_risk"
    )
    _assert_same(busy)
    added.delete()
    _assert_same(busy)
    Concern.objects.filter(pk=concern.pk).update(occurred_at=timezone.now() - timedelta(days=40))
    concern.refresh_from_db()
    concern.save()  # a change to the concern itself
    _assert_same(busy)


def test_after_concerns_are_logged_through_the_service(busy):
    r = busy.records
    services.concern_log(
        logged_by=busy.users["sw3"],
        occurred_at=timezone.now() - timedelta(hours=2),
        narrative="Group seen at the park after dark",
        harm_categories=HarmCategory.objects.filter(slug="cse"),
        source="police",
        reliability="reliable",
        location=Context.objects.get(pk=r["contexts.context"]["team"].pk),
        peer_group=PeerGroup.objects.get(pk=r["peers.peergroup"]["other"].pk),
        new_young_people=[
            services.NewYoungPerson(
                given_name="New", family_name="Person", date_of_birth=None, part="at_risk"
            )
        ],
    )
    _assert_same(busy)


def test_records_read_through_their_subject_are_what_the_rule_gives(busy):
    """``visibility.about``: a subject's aliases, flags, cases, allocations, actions, referrals
    and guardians (every record type declared as read through its subject), with the subject's
    own verdict decided once, are exactly the rule's."""
    from safeguarding.subjects import registry

    through = [r for r in registry.record_types() if r.visibility is not None]
    assert len(through) >= 7
    problems = []
    users = list(User.objects.filter(username__in=busy.records["accounts.user"]))
    for user in users:
        for subject in Subject.objects.all():
            access = visibility.access_to(user, subject.concrete)
            assert access.view == visibility.restrict(user, Subject).filter(pk=subject.pk).exists()
            assert (
                access.change
                == visibility.restrict(user, Subject, visibility.CHANGE)
                .filter(pk=subject.pk)
                .exists()
            )
            for record_type in through:
                label, model = record_type.label, record_type.model
                path = record_type.subject_paths[0]
                for action in (visibility.VIEW, visibility.CHANGE):
                    rule = visibility.restrict(user, model, action).filter(**{path: subject})
                    got = set(visibility.about(user, model, access, action).values_list("pk"))
                    want = set(rule.values_list("pk"))
                    if got != want:
                        problems.append(
                            f"{user.username} {label} {action} at {subject.pk}: "
                            f"{sorted(got)} != {sorted(want)}"
                        )
    assert not problems, "\n".join(problems)


def test_after_a_grant_is_edited_in_place(busy):
    """As the admin allows: a team's grant moved to another young person, then its permission
    changed. The concerns about the person it left must lose the team."""
    from cases.models import YoungPersonGroupObjectPermission

    team_person = busy.records["cases.youngperson"]["team"]
    other_person = busy.records["cases.youngperson"]["other"]
    grant = YoungPersonGroupObjectPermission.objects.get(
        content_object=team_person, group=busy.records["accounts.team"]["t1"].group
    )
    grant.content_object = other_person
    grant.save()
    _assert_same(busy)
    grant.permission = Permission.objects.get(codename="change_youngperson")
    grant.save()
    _assert_same(busy)


def test_after_an_involvement_moves_to_another_concern(busy):
    involvement = busy.records["cases.concernsubject"]["own:yp"]
    involvement.concern = busy.records["cases.concern"]["place_only"]
    involvement.save()
    _assert_same(busy)
