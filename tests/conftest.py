"""Shared fixtures. Tests hit the real PostgreSQL database (and Redis, where code does)."""

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from cases import services as case_services
from cases.models import (
    Action,
    Alias,
    CaseNote,
    CaseRiskChange,
    CaseStatusChange,
    Concern,
    ConcernSubject,
    Document,
    HarmCategory,
    HarmFlag,
    Referral,
    ReferralSubject,
    TransferRequest,
    YoungPerson,
)
from contexts.models import Context, ContextGuardian
from peers.models import PeerGroup, PeerGroupMembership, Relationship
from safeguarding.accounts import grants
from safeguarding.accounts.models import Organisation, Team, User
from tests.factories import PASSWORD, confirmed_authenticator


@dataclass
class World:
    """One authority with two teams, partners, another authority, and a record of every kind
    in each relation to the users: own, same team, other team, other agency, restricted."""

    users: dict[str, User] = field(default_factory=dict)
    records: dict[str, dict[str, object]] = field(default_factory=dict)

    def add(self, label: str, name: str, obj):
        self.records.setdefault(label, {})[name] = obj
        return obj


def make_user(username, role, organisation, team=None, **extra) -> User:
    user = User(
        username=username,
        first_name=username.replace("_", " ").title(),
        last_name="Test",
        role=role,
        organisation=organisation,
        team=team,
        **({"email": f"{username}@example.invalid"} | extra),
    )
    user.set_password(PASSWORD)
    user.full_clean()
    user.save()
    return user


#: Django's own Client.force_login: signs in a session that has NOT passed its second factor.
_FORCE_LOGIN_WITHOUT_SECOND_FACTOR = Client.force_login


def force_login_without_second_factor(client: Client, user) -> None:
    """Sign ``user`` in on ``client`` with their password step only: the session has not
    passed its second factor (what SecondFactorRequiredMiddleware stops)."""
    _FORCE_LOGIN_WITHOUT_SECOND_FACTOR(client, user)


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """Every ``client.force_login(user)`` (Django's Client, DRF's APIClient, and so
    tests/browser/conftest.py ``sign_in()``) gives a session that has passed its second factor,
    as the real sign-in does: after Django's force_login, the user gets a confirmed TOTP device
    if they have none, and the session stores it under ``django_otp.DEVICE_ID_SESSION_KEY``
    (its ``persistent_id``), exactly what ``django_otp.login`` stores. So tests written before
    multi-factor sign-in keep working unchanged. For a session that has not passed it, use
    :func:`force_login_without_second_factor`."""

    def force_login(self, user, backend=None):
        _FORCE_LOGIN_WITHOUT_SECOND_FACTOR(self, user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_authenticator(user).persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture
def documents_storage(settings, tmp_path):
    """Documents kept in a temporary directory for the test (the ``documents`` storage of
    ``settings.STORAGES``); the directory is given."""
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": "/no-direct-access/"},
        },
    }
    return location


WORLD_PER_MODULE = "world_per_module"


def pytest_collection_modifyitems(config, items):
    """A module whose world is built once holds it in a transaction open for the whole module:
    a transactional test (or one with a live server) would run inside it, unseen by other
    connections, and its flush would empty it. Refuse such a module outright."""
    for item in items:
        if item.get_closest_marker(WORLD_PER_MODULE) is None:
            continue
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction"))
        if transactional or {"transactional_db", "live_server"} & set(item.fixturenames):
            raise pytest.UsageError(
                f"{item.nodeid} is transactional: move it out of a module marked "
                f"{WORLD_PER_MODULE}, whose world lives in a transaction of the module"
            )


@pytest.fixture(scope="module")
def _world_of_the_module(request, django_db_setup, django_db_blocker):
    """For a module marked ``pytestmark = pytest.mark.world_per_module``: the world, built once
    inside a transaction that stays open for the module and is rolled back after its last test
    (pytest-django's module-scoped set-up with ``django_db_blocker``). Each test runs in a
    savepoint inside it (pytest-django's ``db``, Django's TestCase), rolled back when the test
    ends, so what one test writes no other test sees; ``world`` hands each test its own copy
    of the Python objects. Nothing for other modules."""
    if request.node.get_closest_marker(WORLD_PER_MODULE) is None:
        yield None
        return
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        try:
            # Function-scoped fixtures (settings) are not there yet: the same fast hasher as
            # _fast_password_hashing, so the world's passwords check under it.
            with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
                built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


@pytest.fixture
def world(_world_of_the_module, db) -> World:
    """The test world (:func:`build_world`), made for the test; in a module marked
    ``world_per_module``, a copy of the module's (``_world_of_the_module``), the same rows."""
    if _world_of_the_module is not None:
        # Model instances are copied as Django's TestCase copies setUpTestData's: a test that
        # changes an object in memory (user.is_active = False) changes its own copy only.
        return copy.deepcopy(_world_of_the_module)
    return build_world()


def build_world() -> World:
    """One authority with two teams, partners, another authority, and a record of every kind
    in each relation to the users (see :class:`World`), in the current transaction."""
    w = World()
    R = User.Role
    la = w.add(
        "accounts.organisation",
        "la",
        Organisation.objects.create(
            name="Test Borough Council", kind=Organisation.Kind.LOCAL_AUTHORITY
        ),
    )
    p1 = w.add(
        "accounts.organisation",
        "p1",
        Organisation.objects.create(
            name="Test Police", kind=Organisation.Kind.POLICE, authority=la
        ),
    )
    p2 = w.add(
        "accounts.organisation",
        "p2",
        Organisation.objects.create(
            name="Test Academy", kind=Organisation.Kind.SCHOOL, authority=la
        ),
    )
    la2 = w.add(
        "accounts.organisation",
        "la2",
        Organisation.objects.create(name="Other Council", kind=Organisation.Kind.LOCAL_AUTHORITY),
    )
    w.add(
        "accounts.organisation",
        "p3",
        Organisation.objects.create(
            name="Other Housing", kind=Organisation.Kind.HOUSING, authority=la2
        ),
    )
    t1 = w.add("accounts.team", "t1", Team.objects.create(organisation=la, name="Team One"))
    t2 = w.add("accounts.team", "t2", Team.objects.create(organisation=la, name="Team Two"))
    t3 = w.add("accounts.team", "t_la2", Team.objects.create(organisation=la2, name="Team Else"))

    u = w.users
    u["sw"] = make_user("sw", R.SOCIAL_WORKER, la, t1)
    u["sw2"] = make_user("sw2", R.SOCIAL_WORKER, la, t1)
    u["sw3"] = make_user("sw3", R.SOCIAL_WORKER, la, t2)
    u["tm"] = make_user("tm", R.TEAM_MANAGER, la, t1)
    u["sm"] = make_user("sm", R.SENIOR_MANAGER, la)
    u["partner"] = make_user("partner", R.PARTNER, p1)
    u["admin"] = make_user("admin", R.ADMINISTRATOR, la, is_staff=True)
    others = {
        "partner2": make_user("partner2", R.PARTNER, p2),
        "la2_sw": make_user("la2_sw", R.SOCIAL_WORKER, la2, t3),
        # Each authority's data protection officer: ACCOUNT on its own records only
        # (tests/dataprotection/).
        "dpo": make_user("dpo", R.DATA_PROTECTION_OFFICER, la),
        "la2_dpo": make_user("la2_dpo", R.DATA_PROTECTION_OFFICER, la2),
    }
    for name, user in {**u, **others}.items():
        w.add("accounts.user", name, user)

    # get_or_create: a transactional test before this one may have flushed migration data.
    cse, _ = HarmCategory.objects.get_or_create(
        slug="cse", defaults={"name": "Child sexual exploitation"}
    )
    with transaction.atomic():

        def case_history(name, case):
            """A risk change and a closure step on each case (their rows of the rule's table)."""
            w.add(
                "cases.caseriskchange",
                name,
                CaseRiskChange.objects.create(
                    case=case,
                    risk_before="not_assessed",
                    risk_after="not_assessed",
                    next_review_due_after=date.today() + timedelta(days=30),
                    reason="First review set",
                ),
            )
            w.add(
                "cases.casestatuschange",
                name,
                CaseStatusChange.objects.create(
                    case=case,
                    kind="returned",
                    status_before="closing",
                    status_after="open",
                    reason="Not yet: the plan's actions are open",
                ),
            )

        def young_person(name, team, worker, restricted=False):
            yp = YoungPerson(
                authority=la,
                given_name=f"Given{name.title()}",
                family_name="Testperson",
                date_of_birth=date(2010, 1, 1),
                restricted=restricted,
                restricted_reason="Test restriction" if restricted else "",
            )
            yp.save()
            case = case_services.case_open(
                subject=yp.subject, team=team, opened_by=None, worker=worker
            )
            w.add("cases.youngperson", name, yp)
            w.add("cases.case", name, case)
            w.add("cases.allocation", name, case.allocations.get())
            case_history(name, case)
            w.add("subjects.subject", f"yp_{name}", yp.subject)
            w.add("cases.alias", name, Alias.objects.create(young_person=yp, name=f"Alias {name}"))
            w.add(
                "cases.harmflag",
                name,
                HarmFlag.objects.create(
                    young_person=yp, harm_category=cse, review_by=date.today() + timedelta(days=90)
                ),
            )
            return yp

        yp_own = young_person("own", t1, u["sw"])
        yp_team = young_person("team", t1, u["sw2"])
        yp_other = young_person("other", t2, u["sw3"])
        yp_restricted = young_person("restricted", t1, u["sw2"], restricted=True)

        from safeguarding.notifications.models import Channel, Notification

        for name in ("own", "team", "other", "restricted"):
            reference = w.records["cases.youngperson"][name].reference
            w.add("notifications.notification", name, Notification.objects.get(reference=reference))
        # Where organisations are told: a mailbox of the authority's own, a webhook of each of its
        # partners, and a partner of another authority's mailbox; a webhook notification to p1
        # and an email of the other authority.
        for name, org in (
            ("la", la),
            ("p1", p1),
            ("p2", p2),
            ("p3", w.records["accounts.organisation"]["p3"]),
        ):
            kind = (
                {"url": f"https://{name}.example.org/hooks"}
                if name in ("p1", "p2")
                else {"email": f"mash@{name}.example.org"}
            )
            w.add(
                "notifications.channel",
                name,
                Channel.objects.create(
                    organisation=org,
                    kind="webhook" if "url" in kind else "email",
                    event_types=["referral.decided"],
                    **kind,
                ),
            )
        w.add(
            "notifications.notification",
            "agency",
            Notification.objects.create(
                event_type="referral.decided",
                authority=la,
                recipient_organisation=p1,
                kind="webhook",
                channel=w.records["notifications.channel"]["p1"],
                reference="R-TEST",
                link="/",
            ),
        )
        w.add(
            "notifications.notification",
            "elsewhere",
            Notification.objects.create(
                event_type="work.allocated",
                authority=la2,
                recipient_user=others["la2_sw"],
                kind="email",
                email="la2_sw@example.invalid",
                reference="Y-ELSE",
                link="/",
            ),
        )

        def context(name, team, guardian_org, guardian_name):
            ctx = Context(authority=la, name=f"Test {name} place", kind=Context.Kind.PARK)
            ctx.save()
            grants.grant_team(ctx, team)
            w.add("contexts.context", name, ctx)
            w.add("subjects.subject", f"ctx_{name}", ctx.subject)
            w.add(
                "contexts.contextguardian",
                guardian_name,
                ContextGuardian.objects.create(context=ctx, organisation=guardian_org),
            )
            return ctx

        ctx_team = context("team", t1, p1, "agency")
        ctx_other = context("other", t2, p2, "other_agency")

        def peer_group(name, team):
            pg = PeerGroup(authority=la, name=f"Test {name} group")
            pg.save()
            grants.grant_team(pg, team)
            w.add("peers.peergroup", name, pg)
            w.add("subjects.subject", f"pg_{name}", pg.subject)
            return pg

        pg_team = peer_group("team", t1)
        pg_other = peer_group("other", t2)
        # Work open on a place, waiting in team one's queue.
        ctx_case = case_services.case_open(subject=ctx_team.subject, team=t1, opened_by=None)
        w.add("cases.case", "ctx", ctx_case)
        w.add("cases.allocation", "ctx", ctx_case.allocations.get())
        case_history("ctx", ctx_case)
        # A named grant on a place and a group, to someone whose access it does not widen.
        grants.name_user(ctx_team, u["sm"])
        grants.name_user(pg_team, u["sm"])

    def membership(name, pg, yp):
        w.add(
            "peers.peergroupmembership",
            name,
            PeerGroupMembership.objects.create(peer_group=pg, young_person=yp, source="police"),
        )

    membership("own", pg_team, yp_own)
    membership("other", pg_other, yp_other)
    membership("restricted", pg_team, yp_restricted)

    def relationship(name, a, b):
        w.add(
            "peers.relationship",
            name,
            Relationship.objects.create(
                from_person=a, to_person=b, kind="friend", source="police", reliability="reliable"
            ),
        )

    relationship("team", yp_own, yp_team)
    relationship("cross", yp_own, yp_other)
    relationship("restricted", yp_team, yp_restricted)

    def concern(name, logged_by, *involved):
        c = Concern.objects.create(
            authority=la,
            occurred_at=timezone.now(),
            narrative=f"Test concern {name}",
            source="police",
            reliability="reliable",
            logged_by=logged_by,
        )
        c.harm_categories.add(cse)
        w.add("cases.concern", name, c)
        for part_name, subject, part in involved:
            w.add(
                "cases.concernsubject",
                f"{name}:{part_name}",
                ConcernSubject.objects.create(concern=c, subject=subject, part=part),
            )
        return c

    P = ConcernSubject.Part
    concern("own", u["sw"], ("yp", yp_own.subject, P.HARMED), ("ctx", ctx_team.subject, P.LOCATION))
    concern("team", u["sw2"], ("yp", yp_team.subject, P.AT_RISK))
    concern(
        "other",
        u["sw3"],
        ("yp", yp_other.subject, P.HARMED),
        ("ctx", ctx_other.subject, P.LOCATION),
    )
    concern("restricted", u["sw2"], ("yp", yp_restricted.subject, P.HARMED))
    concern("place_only", u["sw3"], ("ctx", ctx_team.subject, P.LOCATION))

    def referral(name, source, referred_by, about_name, subject=None, described=""):
        r = Referral.objects.create(
            authority=la,
            source_organisation=source,
            referred_by=referred_by,
            referrer_name="Test Referrer",
            narrative=f"Test referral {name}",
            consent=Referral.Consent.NOT_SOUGHT,
            lawful_basis=Referral.LawfulBasis.PUBLIC_TASK,
        )
        r.harm_categories.add(cse)
        w.add("cases.referral", name, r)
        w.add(
            "cases.referralsubject",
            f"{name}:{about_name}",
            ReferralSubject.objects.create(
                referral=r, kind="young_person", subject=subject, described_name=described
            ),
        )

    def action(name, subject, owner_user=None, owner_organisation=None):
        w.add(
            "cases.action",
            name,
            Action.objects.create(
                subject=subject,
                description=f"Test action {name}",
                owner_user=owner_user,
                owner_organisation=owner_organisation,
                due_on=date.today() + timedelta(days=7),
            ),
        )

    action("own", yp_own.subject, owner_user=u["sw"])
    action("team", yp_team.subject, owner_user=u["sw2"])
    action("other", yp_other.subject, owner_user=u["sw3"])
    action("restricted", yp_restricted.subject, owner_user=u["sw2"])
    action("agency", ctx_team.subject, owner_organisation=p1)

    def note_and_document(name, subject, written_by):
        """A case note on the subject, and a document attached to it (its row only: no bytes
        are stored, so the world needs no storage)."""
        young_person = subject.kind == "young_person"
        note = w.add(
            "cases.casenote",
            name,
            CaseNote.objects.create(
                subject=subject,
                kind=CaseNote.Kind.VISIT if young_person else CaseNote.Kind.OBSERVATION,
                occurred_at=timezone.now() - timedelta(hours=1),
                seen=True if young_person else None,
                text=f"Test note {name}",
                source="professional",
                reliability="confirmed",
                written_by=written_by,
            ),
        )
        w.add(
            "cases.document",
            name,
            Document.objects.create(
                subject=subject,
                case_note=note,
                title=f"Test document {name}",
                file=f"{la.pk}/test-{name}",
                filename=f"test-{name}.txt",
                content_type="text/plain",
                size=12,
                uploaded_by=written_by,
            ),
        )

    note_and_document("own", yp_own.subject, u["sw"])
    note_and_document("team", yp_team.subject, u["sw2"])
    note_and_document("other", yp_other.subject, u["sw3"])
    note_and_document("restricted", yp_restricted.subject, u["sw2"])
    note_and_document("ctx_team", ctx_team.subject, u["sw"])
    note_and_document("ctx_other", ctx_other.subject, u["sw3"])
    note_and_document("pg_team", pg_team.subject, u["sw"])
    note_and_document("pg_other", pg_other.subject, u["sw3"])

    def warning_note(name, subject):
        from cases.models import WarningNote, WarningNoteEvent

        note = WarningNote.objects.create(
            subject=subject,
            category=WarningNote.Category.LONE_WORKING,
            summary=f"Test warning {name}",
            review_on=date.today() + timedelta(days=30),
            proposed_by=u["sw"],
        )
        w.add("cases.warningnote", name, note)
        w.add(
            "cases.warningnoteevent",
            name,
            WarningNoteEvent.objects.create(warning=note, kind="proposed", by=u["sw"]),
        )

    warning_note("own", yp_own.subject)
    warning_note("team", yp_team.subject)
    warning_note("other", yp_other.subject)
    warning_note("restricted", yp_restricted.subject)
    warning_note("ctx", ctx_team.subject)
    warning_note("pg", pg_team.subject)

    def assessment(name, subject, kind, *, status="draft", organisation=None, mention=None):
        from cases.models import Assessment, AssessmentEvent, AssessmentMention, EvidenceItem

        record = Assessment.objects.create(
            subject=subject,
            kind=kind,
            version=1,
            status=status,
            due_on=date.today() + timedelta(days=60),
            completed_on=date.today() if status == "approved" else None,
            started_by=u["sw"],
            organisation=organisation,
        )
        w.add("cases.assessment", name, record)
        w.add(
            "cases.evidenceitem",
            name,
            EvidenceItem.objects.create(
                assessment=record,
                kind="concerns",
                text=f"Test evidence {name}",
                source="police",
                reliability="reliable",
            ),
        )
        w.add(
            "cases.assessmentevent",
            name,
            AssessmentEvent.objects.create(assessment=record, kind="started", by=u["sw"]),
        )
        if mention is not None:
            w.add(
                "cases.assessmentmention",
                name,
                AssessmentMention.objects.create(assessment=record, subject=mention),
            )

    # Assessments: a draft and an approved place assessment of team one's place (its guardian,
    # the police partner, reads the approved one's summary), a screening of team one's and of
    # the restricted young person, a group assessment, and the school's own assessment of the
    # place team two works with (Test Academy's, filled in by its safeguarding lead).
    assessment("place_team", ctx_team.subject, "place", mention=yp_own.subject)
    assessment("place_approved", ctx_team.subject, "place", status="approved")
    assessment("yp_own", yp_own.subject, "screening")
    assessment("restricted", yp_restricted.subject, "screening")
    assessment("pg_team", pg_team.subject, "peer_group")
    assessment("school_other", ctx_other.subject, "school", organisation=p2)

    def plan(name, subject, kind, measures=()):
        """An active plan with a goal, its review and history, and measures each with a value:
        ``measures`` are ``(name, recorder_user, recorder_organisation)``."""
        from cases.models import Goal, Measure, MeasureValue, Plan, PlanEvent, PlanReview

        record = w.add(
            "cases.plan",
            name,
            Plan.objects.create(
                subject=subject,
                kind=kind,
                status="active",
                next_review_on=date.today() + timedelta(days=90),
                started_by=u["sw"],
            ),
        )
        goal = w.add(
            "cases.goal", name, Goal.objects.create(plan=record, statement=f"Test goal {name}")
        )
        w.add(
            "cases.planreview",
            name,
            PlanReview.objects.create(
                plan=record, held_on=date.today(), next_review_on=date.today() + timedelta(days=90)
            ),
        )
        w.add("cases.planevent", name, PlanEvent.objects.create(plan=record, kind="started"))
        for measure_name, recorder_user, recorder_organisation in measures:
            measure = w.add(
                "cases.measure",
                measure_name,
                Measure.objects.create(
                    goal=goal,
                    name=f"Test measure {measure_name}",
                    kind="count",
                    direction="lower",
                    baseline_value=5,
                    baseline_on=date.today() - timedelta(days=30),
                    target_value=1,
                    recorder_user=recorder_user,
                    recorder_organisation=recorder_organisation,
                ),
            )
            w.add(
                "cases.measurevalue",
                measure_name,
                MeasureValue.objects.create(measure=measure, value=3, recorded_on=date.today()),
            )
        return record

    # Plans: team one's place (a measure the police partner records, and one a worker of team
    # two is named to record; the police's action on the place is one of its responses), team
    # one's young person, team two's and the restricted young person.
    ctx_plan = plan(
        "ctx", ctx_team.subject, "context", [("ctx", None, p1), ("ctx_sw3", u["sw3"], None)]
    )
    Action.objects.filter(pk=w.records["cases.action"]["agency"].pk).update(plan=ctx_plan)
    plan("own", yp_own.subject, "young_person", [("own", u["sw"], None)])
    plan("other", yp_other.subject, "young_person", [("other", u["sw3"], None)])
    plan("restricted", yp_restricted.subject, "young_person")

    def approval(name, subject, target, requested_by):
        """A request for sign-off, waiting, of a case note or document (a target of any model:
        the world needs no target registered, as it writes the row itself)."""
        from django.contrib.contenttypes.models import ContentType

        from safeguarding.approvals.models import Approval

        w.add(
            "approvals.approval",
            name,
            Approval.objects.create(
                subject=subject,
                target_type=ContentType.objects.get_for_model(target),
                target_id=target.pk,
                what="Test sign-off",
                reference=f"TEST-{name.upper()}",
                link="/",
                requested_by=requested_by,
                requested_at=timezone.now(),
                note=f"Test request {name}",
            ),
        )

    notes, documents = w.records["cases.casenote"], w.records["cases.document"]
    approval("own", yp_own.subject, notes["own"], u["sw"])
    approval("team", yp_team.subject, notes["team"], u["sw2"])
    approval("other", yp_other.subject, notes["other"], u["sw3"])
    approval("restricted", yp_restricted.subject, notes["restricted"], u["sw2"])
    approval("ctx", ctx_team.subject, notes["ctx_team"], u["sw"])
    approval("pg", pg_team.subject, notes["pg_team"], u["sw"])
    # A partner (a guardian of team one's place) asked for sign-off of something of theirs.
    approval("agency", ctx_team.subject, documents["ctx_team"], u["partner"])

    def transfer(name, case_name, from_team, to_team):
        w.add(
            "cases.transferrequest",
            name,
            TransferRequest.objects.create(
                case=w.records["cases.case"][case_name],
                from_team=from_team,
                to_team=to_team,
                reason=f"Test transfer {name}",
            ),
        )

    transfer("out", "own", t1, t2)
    transfer("in", "other", t2, t1)

    def meetings():
        """Meetings (cases/meetings): a strategy discussion about team one's young person
        (chaired by sw, the police partner invited by name), a context conference about team
        one's place (chaired by tm, the police organisation invited, minutes circulated), a
        MACE panel (arranged by tm) and a professionals' meeting about team two's young person
        (chaired by sw3). Each has one part of each kind (agenda item, decision, minutes
        section) named after it; the conference has a shareable one too ("cc_shared")."""
        from cases.models import (
            AgendaItem,
            Decision,
            Invitee,
            Meeting,
            MeetingReport,
            MinutesSection,
        )

        # Long ago: the chronology tests' newest entries stay their own.
        start = timezone.now() - timedelta(days=400)
        common = {"authority": la, "starts_at": start, "ends_at": start + timedelta(hours=1)}

        def meeting(name, kind, subject, chair, **extra):
            row = Meeting.objects.create(
                kind=kind, subject=subject, chair=chair, created_by=chair, **common, **extra
            )
            return w.add("cases.meeting", name, row)

        m = {
            "strategy_own": meeting("strategy_own", "strategy", yp_own.subject, u["sw"]),
            "cc_team": meeting(
                "cc_team",
                "context_conference",
                ctx_team.subject,
                u["tm"],
                stage="initial",
                status="circulated",
                held_on=date.today() - timedelta(days=400),
                circulated_at=timezone.now(),
                minutes_summary="Test summary",
            ),
            "mace": meeting("mace", "mace", None, u["tm"], title="Test MACE panel"),
            "other": meeting("other", "professionals", yp_other.subject, u["sw3"]),
        }
        invitees = {
            "strategy_own": {"user": u["partner"], "organisation": p1},
            "cc_team": {"organisation": p1, "name": "Test Officer", "email": "o@p1.example"},
            "mace": {"user": u["tm"]},
            "other": {"user": u["sw3"]},
        }
        for name, fields in invitees.items():
            w.add("cases.invitee", name, Invitee.objects.create(meeting=m[name], **fields))
        w.add(
            "cases.meetingreport",
            "strategy_partner",
            MeetingReport.objects.create(
                meeting=m["strategy_own"], organisation=p1, sent_by=u["partner"], text="Test report"
            ),
        )
        w.add(
            "cases.meetingreport",
            "cc_staff",
            MeetingReport.objects.create(
                meeting=m["cc_team"], organisation=la, sent_by=u["sw"], text="Test staff report"
            ),
        )
        parts = {**{name: (meeting_, False) for name, meeting_ in m.items()}}
        parts["cc_shared"] = (m["cc_team"], True)
        for name, (meeting_, shareable) in parts.items():
            w.add(
                "cases.agendaitem",
                name,
                AgendaItem.objects.create(
                    meeting=meeting_, theme=f"Test theme {name}", shareable=shareable
                ),
            )
            w.add(
                "cases.decision",
                name,
                Decision.objects.create(
                    meeting=meeting_,
                    text=f"Test decision {name}",
                    shareable=shareable,
                    made_at=start,
                ),
            )
            w.add(
                "cases.minutessection",
                name,
                MinutesSection.objects.create(
                    meeting=meeting_, heading="Test", text=f"Test {name}", shareable=shareable
                ),
            )

    meetings()

    referral("agency", p1, u["partner"], "yp", subject=yp_own.subject)
    referral("other_agency", p2, others["partner2"], "described", described="Described Child")
    referral("staff", la, u["sw"], "described", described="Described Place")

    # A subject access request about team one's young person, received today: the data
    # protection officer's (tests/subject_access/).
    from safeguarding.subject_access.models import SubjectAccessRequest

    w.add(
        "subject_access.subjectaccessrequest",
        "team",
        SubjectAccessRequest.objects.create(
            authority=la,
            young_person=yp_team,
            requester_name="Test Requester",
            requester_relationship="young_person",
            requester_contact="requester@example.invalid",
            received_on=date.today(),
            due_on=date.today() + timedelta(days=30),
            created_by=others["dpo"],
        ),
    )
    return w
