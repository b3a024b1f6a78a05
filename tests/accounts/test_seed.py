"""``manage.py seed_borough``: the fictional demo borough, its counts, its grants and its limits."""

import importlib
import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import (
    Action,
    Allocation,
    Case,
    Concern,
    ConcernSubject,
    HarmCategory,
    Referral,
    ReferralSubject,
    YoungPerson,
    YoungPersonGroupObjectPermission,
    YoungPersonUserObjectPermission,
)
from contexts.models import (
    Context,
    ContextGroupObjectPermission,
    ContextGuardian,
    ContextUserObjectPermission,
)
from peers.models import (
    PeerGroup,
    PeerGroupGroupObjectPermission,
    PeerGroupMembership,
    PeerGroupUserObjectPermission,
    Relationship,
)
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.demo import data
from safeguarding.demo.builder import BoroughBuilder, borough_counts
from safeguarding.demo.core import SUBJECT_FIELDS
from safeguarding.demo.writer import TableWriter
from safeguarding.subjects.models import Subject, new_references

SCALE = 0.1
pytestmark = pytest.mark.django_db


@pytest.fixture
def harm_categories(db):
    # A transactional test elsewhere may have flushed the data migration's categories.
    migration = importlib.import_module("cases.migrations.0003_harm_categories")
    for order, (slug, name) in enumerate(migration.HARM_CATEGORIES, start=1):
        HarmCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "display_order": order}
        )


@pytest.fixture(autouse=True)
def _documents_in_a_temporary_directory(documents_storage):
    """The demo's documents are kept through the documents storage: here, a temporary one."""


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_borough", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def borough(harm_categories):
    # Without the demo's assessments (they have a test of their own, below): drafting their
    # evidence packs through the services is most of a small borough's seeding time.
    output = seed(scale=SCALE, assessments=False)
    return Organisation.objects.get(name=data.AUTHORITY_NAME), output


def test_counts_follow_the_scale(borough):
    la, _ = borough
    counts = borough_counts(la)
    assert counts["young people"] == round(300 * SCALE) == 30
    assert counts["contexts"] == 40  # never fewer than 40 places
    assert counts["peer groups"] == round(20 * SCALE) == 2
    assert counts["concerns"] == round(2000 * SCALE) == 200
    assert counts["referrals"] == round(400 * SCALE) == 40
    assert counts["actions"] > 0  # My work and the partners' actions have something to show
    assert counts["teams"] == len(data.TEAMS)
    assert counts["partner organisations"] == len(data.PARTNERS)
    assert counts["restricted"] >= 2
    assert 0 < counts["unallocated"] < counts["open cases"]


def test_the_borough_is_consistent(borough):
    from tests.subject_access.demo_checks import check_demo_subject_access

    la, _ = borough
    check_demo_subject_access()
    assert la.kind == Organisation.Kind.LOCAL_AUTHORITY
    assert set(Organisation.objects.exclude(pk=la.pk).values_list("authority", flat=True)) == {
        la.pk
    }
    partner_kinds = set(la.partners.values_list("kind", flat=True))
    assert {"police", "school", "transport", "business", "housing", "health"} <= partner_kinds
    # Every concern is about at least one young person, with a harm category.
    concerns = Concern.objects.filter(authority=la)
    assert not concerns.exclude(involvements__subject__kind=Subject.Kind.YOUNG_PERSON).exists()
    assert not concerns.filter(harm_categories=None).exists()
    assert concerns.filter(involvements__part=ConcernSubject.Part.LOCATION).exists()
    assert concerns.filter(involvements__part=ConcernSubject.Part.PEER_GROUP).exists()
    # Parts fit the kind of subject.
    for row in ConcernSubject.objects.select_related("subject")[:500]:
        assert row.part in ConcernSubject.PARTS_BY_KIND[row.subject.kind]
    # Episodes on places and groups, not only on young people.
    kinds = set(Case.objects.values_list("subject__kind", flat=True))
    assert kinds == {Subject.Kind.YOUNG_PERSON, Subject.Kind.PEER_GROUP, Subject.Kind.CONTEXT}
    assert not PeerGroup.objects.filter(name__icontains="gang").exists()
    assert not YoungPerson.objects.filter(restricted=True, restricted_reason="").exists()


def test_the_borough_has_case_notes_and_documents(borough, documents_storage):
    from cases.casework.documents import sniff
    from cases.models import CaseNote, Document

    la, _ = borough
    notes = CaseNote.objects.filter(subject__authority=la)
    assert notes.filter(kind=CaseNote.Kind.VISIT).exists()
    assert notes.filter(struck_at__isnull=False).exclude(strike_reason="").exists()
    oversight = notes.filter(kind=CaseNote.Kind.OVERSIGHT).select_related("written_by")
    assert oversight and {n.written_by.role for n in oversight} == {User.Role.TEAM_MANAGER}
    # Only a young person is seen; seen alone only if seen (the table's constraint too).
    assert not notes.exclude(subject__kind="young_person").filter(seen__isnull=False).exists()
    documents = Document.objects.filter(subject__authority=la)
    assert {d.content_type for d in documents} == {"application/pdf", "image/png"}
    for document in documents:
        with document.file.open("rb") as stored:
            assert sniff(stored) == document.content_type
            assert stored.size == document.size


def test_closed_cases_have_their_closure_and_some_their_risk_history(borough):
    from cases.models import CaseRiskChange, CaseStatusChange

    closed = Case.objects.filter(status=Case.Status.CLOSED)
    assert closed.exists() and not closed.filter(closure_reason="").exists()
    # Every closed case was asked for and signed off, on the day it closed.
    signed = CaseStatusChange.objects.filter(kind="signed_off")
    assert signed.count() == closed.count()
    assert not signed.exclude(at=F("case__closed_at")).exists()
    assert CaseStatusChange.objects.filter(kind="returned").exists()
    # One of the Contextual Safeguarding Team's cases waits for its manager's sign-off.
    closing = Case.objects.filter(status=Case.Status.CLOSING, team__name=data.TEAMS[data.CS])
    assert closing.exists() and not closing.filter(closure_reason="").exists()
    assert not closing.exclude(status_changes__kind="close_requested").exists()
    assert CaseRiskChange.objects.exists()
    assert not CaseRiskChange.objects.filter(reason="").exists()


def test_the_borough_follows_the_rules_of_what_is_typed(borough):
    """Issue 13's rules hold in the demo too: decisions that start work are about a subject of
    their kinds, dates of birth are in the past and before every concern, names are clean."""
    from django.db.models import F
    from django.utils import timezone

    from cases.front_door.services import WORK_STARTED_ON
    from safeguarding import text

    la, _ = borough
    for referral in Referral.objects.filter(authority=la, decision__in=list(WORK_STARTED_ON)):
        kinds = set(referral.about.values_list("kind", flat=True))
        assert kinds & set(WORK_STARTED_ON[referral.decision]), referral.decision
    people = YoungPerson.objects.filter(subject__authority=la)
    assert not people.filter(date_of_birth__gte=timezone.localdate()).exists()
    assert not ConcernSubject.objects.filter(
        subject__youngperson__date_of_birth__gt=F("concern__occurred_at__date")
    ).exists()
    for person in people:
        for name in (person.given_name, person.family_name, person.preferred_name):
            assert name == text.name(name) and name != "(not given)"


def test_every_role_has_a_user_and_demo_logins_work(borough):
    _, output = borough
    for role in User.Role.values:
        assert User.objects.filter(role=role).exists(), role
    admin = User.objects.get(username="admin.grace")
    assert admin.is_staff and not admin.is_superuser
    for username, *_ in data.DEMO_USERS:
        user = User.objects.get(username=username)
        user.full_clean(exclude=["password"])  # the model's own role and team rules
        assert user.check_password(data.DEMO_PASSWORD)
        assert user.mfa_exempt_demo  # honoured in development mode only
        assert username in output
    assert data.DEMO_PASSWORD in output
    assert "demo users without a second factor" in output
    # The caseworkers without a usable password are not demo logins: no exemption.
    demo_names = {username for username, *_ in data.DEMO_USERS}
    assert not User.objects.filter(mfa_exempt_demo=True).exclude(username__in=demo_names).exists()
    assert "Counts: " in output


def test_every_referral_status_and_decision_appears(borough):
    la, _ = borough
    referrals = Referral.objects.filter(authority=la)
    assert set(referrals.values_list("status", flat=True)) == set(Referral.Status.values)
    decided = referrals.filter(status__in=[Referral.Status.DECIDED, Referral.Status.CLOSED])
    assert set(decided.values_list("decision", flat=True)) == set(Referral.Decision.values)
    assert referrals.filter(source_organisation=la).exists()  # from staff
    assert referrals.exclude(source_organisation=la).exists()  # from partners
    assert not referrals.filter(about=None).exists()


def test_running_twice_creates_nothing_more(borough):
    la, _ = borough
    before = borough_counts(la)
    totals = (User.objects.count(), Subject.objects.count(), Organisation.objects.count())
    output = seed(scale=SCALE, assessments=False)
    assert "already exists" in output
    assert borough_counts(la) == before
    assert (User.objects.count(), Subject.objects.count(), Organisation.objects.count()) == totals


def test_same_seed_same_borough_at_any_hour(harm_categories, monkeypatch):
    def snapshot():
        people = YoungPerson.objects.order_by("pk").values_list(
            "given_name", "family_name", "date_of_birth", "postcode", "school__name"
        )
        concerns = Concern.objects.order_by("pk").values_list("occurred_at", "narrative")
        return list(people), list(concerns)

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 10, 8, 5, tzinfo=UTC))
    with transaction.atomic():
        seed(scale=SCALE, assessments=False)
        morning = snapshot()
        transaction.set_rollback(True)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 10, 20, 55, tzinfo=UTC))
    seed(scale=SCALE, assessments=False)
    assert snapshot() == morning


def test_refused_in_production(settings, harm_categories):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        seed(scale=SCALE, assessments=False)
    assert not User.objects.exists()
    assert not Organisation.objects.filter(name=data.AUTHORITY_NAME).exists()


def test_grants_match_the_cases(borough):
    """What cases.services would have granted: team view, allocated worker named."""
    live = Case.objects.exclude(status=Case.Status.CLOSED).filter(
        subject__kind=Subject.Kind.YOUNG_PERSON
    )
    assert live.exists()
    for case in live.select_related("team", "subject__youngperson"):
        yp = case.subject.youngperson
        assert YoungPersonGroupObjectPermission.objects.filter(
            content_object=yp, group=case.team.group, permission__codename="view_youngperson"
        ).exists()
        if case.allocated_worker_id:
            named = YoungPersonUserObjectPermission.objects.filter(
                content_object=yp, user_id=case.allocated_worker_id
            )
            assert set(named.values_list("permission__codename", flat=True)) == {
                "view_youngperson",
                "change_youngperson",
            }
    # Closed cases: the worker is no longer named, the team keeps the record as history.
    closed_only = Case.objects.filter(status=Case.Status.CLOSED, subject__kind="young_person")
    closed_only = closed_only.exclude(subject__in=live.values("subject"))
    assert closed_only.exists()
    for case in closed_only.select_related("team", "subject__youngperson"):
        yp = case.subject.youngperson
        assert YoungPersonGroupObjectPermission.objects.filter(
            content_object=yp, group=case.team.group
        ).exists()
        assert not YoungPersonUserObjectPermission.objects.filter(content_object=yp).exists()
    # Young people with no case at all are in no team's caseload.
    without = YoungPerson.objects.exclude(subject__cases__isnull=False)
    assert without.exists()
    assert not YoungPersonGroupObjectPermission.objects.filter(content_object__in=without).exists()
    # Teams see the places and groups where their young people come up in concerns.
    assert ContextGroupObjectPermission.objects.exists()
    assert PeerGroupGroupObjectPermission.objects.exists()


def test_a_social_worker_sees_their_caseload_and_not_others(borough):
    amara = User.objects.get(username="sw.amara")
    visible = set(visibility.restrict(amara, YoungPerson).values_list("pk", flat=True))
    live = Case.objects.exclude(status=Case.Status.CLOSED)

    mine = set(
        YoungPerson.objects.filter(
            subject__cases__in=live.filter(allocated_worker=amara)
        ).values_list("pk", flat=True)
    )
    assert mine and mine <= visible

    named_on = YoungPersonUserObjectPermission.objects.filter(user=amara).values("content_object")
    other_team_only = set(
        YoungPerson.objects.filter(subject__cases__in=live.exclude(team=amara.team))
        .exclude(subject__cases__in=live.filter(team=amara.team))
        .exclude(pk__in=named_on)
        .values_list("pk", flat=True)
    )
    assert other_team_only and visible.isdisjoint(other_team_only)

    in_my_team = YoungPerson.objects.filter(subject__cases__in=live.filter(team=amara.team))
    restricted_named = in_my_team.filter(restricted=True, pk__in=named_on)
    restricted_not_named = in_my_team.filter(restricted=True).exclude(pk__in=named_on)
    assert restricted_named.exists() and restricted_not_named.exists()
    assert set(restricted_named.values_list("pk", flat=True)) <= visible
    assert visible.isdisjoint(restricted_not_named.values_list("pk", flat=True))

    # Places and groups: only those her team works with.
    team_contexts = Context.objects.filter(
        Q(contextgroupobjectpermission__group=amara.team.group)
    ).distinct()
    assert set(visibility.restrict(amara, Context)) == set(team_contexts) | set(
        Context.objects.filter(contextuserobjectpermission__user=amara)
    )


def test_concerns_per_young_person_sets_the_concern_count(db):
    seed(scale=0.05, concerns_per_young_person=10, assessments=False)
    counts = borough_counts(Organisation.objects.get(name=data.AUTHORITY_NAME))
    assert counts["young people"] == 15
    assert counts["concerns"] == 150


def ranked(queryset, *fields, **ids):
    """``queryset``'s rows in primary-key order as tuples of ``fields``, then of each id field in
    ``ids`` replaced by its rank in the mapping given for it (see ``rank``)."""
    names = [*fields, *ids]
    return [
        values[: len(fields)]
        + tuple(
            ranks.get(pk) for ranks, pk in zip(ids.values(), values[len(fields) :], strict=True)
        )
        for values in queryset.order_by("pk").values_list(*names)
    ]


def rank(queryset) -> dict[int, int]:
    """Primary key -> position in primary-key order. Two runs of the seed number rows alike
    but not with the same ids (sequences move on even when a run is rolled back)."""
    return {pk: n for n, pk in enumerate(queryset.order_by("pk").values_list("pk", flat=True))}


def borough_snapshot(la) -> dict[str, list]:
    """Every row the seed writes for ``la``, without references (random by design) and
    insertion times, with ids as ranks: equal snapshots mean the same borough."""
    subject = rank(Subject.objects.filter(authority=la))
    person = rank(YoungPerson.objects.filter(subject__authority=la))
    place = rank(Context.objects.filter(subject__authority=la))
    group = rank(PeerGroup.objects.filter(subject__authority=la))
    concern = rank(Concern.objects.filter(authority=la))
    referral = rank(Referral.objects.filter(authority=la))
    case = rank(Case.objects.filter(subject__authority=la))
    in_la = {"subject__authority": la}
    snapshot = {
        "young people": ranked(
            YoungPerson.objects.filter(**in_la),
            *("given_name", "family_name", "preferred_name", "date_of_birth", "gender"),
            *("ethnicity", "address", "postcode", "school__name", "nhs_number"),
            *("vulnerabilities", "restricted", "restricted_reason"),
            subject_id=subject,
        ),
        "places": ranked(Context.objects.filter(**in_la), "name", "postcode", subject_id=subject),
        "guardians": ranked(
            ContextGuardian.objects.filter(context__subject__authority=la),
            *("organisation__name", "name", "role", "contact"),
            context_id=place,
        ),
        "groups": ranked(PeerGroup.objects.filter(**in_la), "name", subject_id=subject),
        "memberships": ranked(
            PeerGroupMembership.objects.filter(peer_group__subject__authority=la),
            *("joined_on", "left_on", "confidence", "source", "recorded_by__username"),
            peer_group_id=group,
            young_person_id=person,
        ),
        "relationships": ranked(
            Relationship.objects.filter(from_person__subject__authority=la),
            *("kind", "source", "reliability", "notes", "started_on", "recorded_by__username"),
            from_person_id=person,
            to_person_id=person,
        ),
        "cases": ranked(
            Case.objects.filter(**in_la),
            *("status", "team__name", "allocated_worker__username", "risk", "next_review_due"),
            *("opened_at", "opened_by__username", "closed_at", "closure_reason"),
            subject_id=subject,
        ),
        "allocations": ranked(
            Allocation.objects.filter(case__subject__authority=la),
            *("team__name", "worker__username", "started_at", "ended_at"),
            *("allocated_by__username", "reason"),
            case_id=case,
        ),
        "concerns": ranked(
            Concern.objects.filter(authority=la),
            *("occurred_at", "logged_at", "location_description", "narrative", "source"),
            *("source_detail", "reliability", "logged_by__username"),
        ),
        "concern subjects": ranked(
            ConcernSubject.objects.filter(concern__authority=la),
            "part",
            concern_id=concern,
            subject_id=subject,
        ),
        "concern harms": ranked(
            Concern.harm_categories.through.objects.filter(concern__authority=la),
            "harmcategory__slug",
            concern_id=concern,
        ),
        "referrals": ranked(
            Referral.objects.filter(authority=la),
            *("source_organisation__name", "referred_by__username", "referrer_name"),
            *("referrer_role", "referrer_email", "referrer_phone", "received_at"),
            *("decision_due_at", "urgency", "narrative", "consent", "lawful_basis", "status"),
            *("decision", "decision_reason", "decided_by__username", "decided_at"),
        ),
        "referral subjects": ranked(
            ReferralSubject.objects.filter(referral__authority=la),
            *("kind", "described_name", "described_date_of_birth", "described_address"),
            *("described_postcode", "described_place_kind"),
            referral_id=referral,
            subject_id=subject,
        ),
        "referral harms": ranked(
            Referral.harm_categories.through.objects.filter(referral__authority=la),
            "harmcategory__slug",
            referral_id=referral,
        ),
        "actions": ranked(
            Action.objects.filter(**in_la),
            *("description", "owner_user__username", "owner_organisation__name", "due_on"),
            *("status", "progress_note", "created_by__username", "completed_at"),
            "overdue_notified_at",
            subject_id=subject,
        ),
    }
    # A team's group is named after the authority's id: name it after the team instead.
    team = {"group_id": dict(la.teams.values_list("group_id", "name"))}
    user = {"user_id": dict(User.objects.values_list("pk", "username"))}
    grants = [
        (YoungPersonGroupObjectPermission, team, person),
        (YoungPersonUserObjectPermission, user, person),
        (ContextGroupObjectPermission, team, place),
        (ContextUserObjectPermission, user, place),
        (PeerGroupGroupObjectPermission, team, group),
        (PeerGroupUserObjectPermission, user, group),
    ]
    for model, holder, records in grants:
        snapshot[model.__name__] = ranked(
            model.objects.filter(content_object__subject__authority=la),
            "permission__codename",
            content_object_id=records,
            **holder,
        )
    return snapshot


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_and_plain_inserts_write_the_same_borough(harm_categories, monkeypatch):
    """The COPY path (PostgreSQL) and the INSERT path (SQLite in `make run`) give one borough.

    Small chunks and id blocks, so that several of each are written, and both paths cross
    their boundaries (the setting is the builder's own, not a stand-in for it).
    """
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 10, 20, 55, tzinfo=UTC))
    monkeypatch.setattr(BoroughBuilder, "CHUNK", 97)
    monkeypatch.setattr(BoroughBuilder, "BLOCK", 150)
    snapshots = []
    for use_copy in (True, False):
        with transaction.atomic():
            builder = BoroughBuilder(scale=SCALE, concerns_per_young_person=10, use_copy=use_copy)
            builder.with_assessments = False  # written through the services, not the writer
            assert builder.writer.use_copy is use_copy
            la = builder.build().authority
            snapshots.append(borough_snapshot(la))
            transaction.set_rollback(True)
    copied, inserted = snapshots
    assert copied == inserted
    assert len(copied["concerns"]) == 300
    assert len(copied["concern subjects"]) > 300
    assert {name: bool(rows) for name, rows in copied.items()} == dict.fromkeys(copied, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_failed_copy_is_raised_where_the_builder_can_see_it(db):
    la = Organisation.objects.create(name="Test borough", kind=Organisation.Kind.LOCAL_AUTHORITY)
    writer = TableWriter()
    ids = writer.ids(Subject, 2)
    same = "YP-0000000000"
    rows = [(pk, Subject.Kind.YOUNG_PERSON, same, la.pk) for pk in ids]
    with pytest.raises(IntegrityError), transaction.atomic():
        writer.write(Subject, SUBJECT_FIELDS, rows)  # handed to the writer thread
        writer.wait()
    assert isinstance(writer.close(), IntegrityError)  # the thread has stopped
    assert not Subject.objects.filter(pk__in=ids).exists()


def test_references_drawn_in_bulk_look_like_single_ones():
    refs = new_references("CN", 20_000)
    assert len(set(refs)) == len(refs)
    assert all(re.fullmatch(r"CN-[0-9A-HJKMNP-TV-Z]{10}", ref) for ref in refs)
    # Every character of the alphabet turns up in every position.
    for position in range(3, 13):
        assert len({ref[position] for ref in refs}) == 32


def test_the_demo_has_warning_notes_for_the_team_manager_to_act_on(borough):
    """Warning notes in force (one shown on a place too), waiting for authorisation and due
    for review, on the demo social worker's work, reached by her team's manager."""
    from cases import selectors
    from cases.models import WarningNote

    la, _ = borough
    jordan = User.objects.get(username="tm.jordan")
    notes = WarningNote.objects.filter(subject__authority=la)
    assert set(notes.values_list("status", flat=True)) == {"authorised", "proposed", "declined"}
    assert notes.filter(status="authorised", subject__kind="context").exists()
    assert all(n.events.exists() for n in notes)
    assert selectors.warnings_awaiting_authorisation(jordan).exists()
    due = selectors.warnings_due_for_review(jordan, within_days=7)
    assert due.count() >= 2  # one within the week, one overdue
    amara = User.objects.get(username="sw.amara")
    assert visibility.restrict(amara, WarningNote).filter(status="authorised").exists()


def test_the_demo_has_assessments_of_every_kind_in_every_state(harm_categories):
    """Issue 14: every kind (place, peer group, school, screening, weighting) in every state
    (draft with some sections done, waiting for sign-off, returned with comments, approved),
    made through the services by the teams' workers and signed off by another person, some
    overdue, some with answers carried forward from the last approved one.

    At scale 0.3: the borough of scale 0.1 has two peer groups, too few for a group in each
    state (one in progress per kind and subject)."""
    from cases.assessments import definitions
    from cases.assessments import services as assessment_services
    from cases.models import Assessment, AssessmentEvent, EvidenceItem
    from safeguarding.approvals.models import Approval
    from safeguarding.notifications.models import Notification

    seed(scale=0.3, concerns_per_young_person=2)
    la = Organisation.objects.get(name=data.AUTHORITY_NAME)
    assessments = Assessment.objects.filter(subject__authority=la).select_related("subject")
    found = set(assessments.values_list("kind", "status"))
    assert found == {(k, s) for k in Assessment.Kind.values for s in Assessment.Status.values}
    assert borough_counts(la)["assessments"] == assessments.count()
    today = timezone.localdate()
    for assessment in assessments:
        definition = assessment.definition
        assert assessment.version == definition.version
        assert assessment.due_on == assessment_services.due_date(assessment.started_on, definition)
        assert assessment.started_on < today
        sections = [s.key for s in definition.sections]
        if assessment.status == Assessment.Status.DRAFT:
            assert 0 < len(assessment.sections_done) < len(sections), assessment.reference
        else:
            assert assessment.sections_done == sections
            assert assessment.submitted_at is not None
        # Every answer is one the engine accepts (a draft's last section is half written).
        for section in definition.sections:
            if section.key in assessment.sections_done:
                assert not assessment_services.section_problems(
                    definition, section, assessment.answers
                ), (assessment.reference, section.key)
    # Some are overdue; none that is approved.
    overdue = [a for a in assessments if a.is_overdue(today)]
    assert overdue and all(a.status != Assessment.Status.APPROVED for a in overdue)
    # Signed off by a team manager who did not ask; returned ones with the comments.
    # (The assessments' sign-offs: the demo's plans ask for theirs too, tests/plans/.)
    asked = Approval.objects.filter(subject__authority=la, reference__startswith="ASM-")
    decided = asked.exclude(status="requested")
    assert (
        decided.filter(status="approved").count() == assessments.filter(status="approved").count()
    )
    for approval in decided.select_related("decided_by"):
        assert approval.decided_by.role == User.Role.TEAM_MANAGER
        assert approval.decided_by_id != approval.requested_by_id
        assert approval.requested_at < approval.decided_at
    assert not decided.filter(status="returned", comments="").exists()
    assert asked.filter(status="requested").count() == (
        assessments.filter(status="submitted").count()
    )
    returned = AssessmentEvent.objects.filter(kind="returned", assessment__subject__authority=la)
    assert returned.exists() and not returned.filter(note="").exists()
    # The evidence packs were looked at: kept, changed, dropped, some not yet.
    states = set(EvidenceItem.objects.values_list("state", flat=True))
    assert states == set(EvidenceItem.State.values)
    # A new one carries forward what the last approved one of its kind answered.
    assert any(
        answer.get("carried_from")
        for a in assessments.filter(status="draft")
        for answer in a.answers.values()
    )
    # The school's designated safeguarding lead completed one (approved) and sent the next.
    dsl = User.objects.select_related("organisation").get(username="school.dsl")
    assert dsl.organisation.kind == Organisation.Kind.SCHOOL
    school = Context.objects.get(name=dsl.organisation.name)
    assert ContextGuardian.objects.filter(context=school, organisation=dsl.organisation).exists()
    theirs = assessments.filter(kind="school", started_by=dsl, organisation=dsl.organisation)
    assert set(theirs.values_list("status", flat=True)) == {"approved", "submitted"}
    assert set(visibility.restrict(dsl, Assessment).values_list("pk", flat=True)) >= set(
        theirs.values_list("pk", flat=True)
    )
    # A guardian (a partner agency, not the school) reads an approved place assessment.
    guardians = User.objects.filter(role=User.Role.PARTNER).exclude(organisation__kind="school")
    assert any(
        visibility.restrict(partner, Assessment).filter(kind="place", status="approved").exists()
        for partner in guardians
    )
    # sw.amara's young person: three approved screenings over the past year, levels changing.
    amara = User.objects.get(username="sw.amara")
    screenings = visibility.restrict(amara, Assessment).filter(
        kind="screening", status="approved", started_by=amara
    )
    by_person = {}
    for a in screenings.order_by("completed_on"):
        by_person.setdefault(a.subject_id, []).append(a)
    history = [rows for rows in by_person.values() if len(rows) >= 3]
    assert history
    rows = history[0]
    assert all((today - a.completed_on).days <= 365 for a in rows)
    assert len({a.level for a in rows}) >= 2
    assert all(a.next_review_on for a in rows)
    assert {d.kind for d in definitions.current()} == set(Assessment.Kind.values)
    # Those sign-offs' notifications went at the time: none waits to be sent now.
    told = Notification.objects.filter(reference__startswith="ASM-")
    assert told.filter(event_type="approval.requested", status="sent").exists()
    assert not told.exclude(status="sent").exists()
