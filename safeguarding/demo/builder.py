"""The demo borough's builder: :class:`BoroughBuilder`, :func:`build_borough` and
:func:`borough_counts` (what ``manage.py seed_borough`` calls).

The builder runs its steps in one transaction, in order: the organisations and the staff
(here), then the subject records (``records.py``), then the casework (``casework.py``: cases,
concerns, and after the referrals of ``referrals.py`` the actions, the case notes of
``notes.py``, the warning notes and the grants), then the assessments (``assessments.py``:
through the services, which read the grants), then the safety plans (``plans.py``: started
from the approved assessments), and last the subject access requests (``subject_access.py``).
``core.py`` holds what the steps share, and ``writer.py`` how the rows go in. The package's
docstring says how it is written and how fast.
"""

from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Q

from cases.models import (
    Action,
    Allocation,
    Assessment,
    Case,
    Concern,
    ConcernSubject,
    Meeting,
    Plan,
    Referral,
    ReferralSubject,
    YoungPerson,
)
from contexts.models import Context, ContextGuardian
from peers.models import PeerGroup, PeerGroupMembership, Relationship
from safeguarding.accounts.grants import named_grant, team_grant
from safeguarding.accounts.models import Organisation, Team, User
from safeguarding.notifications.models import Channel
from safeguarding.notifications.services import EVENT_TYPES

from .assessments import AssessmentSteps
from .casework import CaseworkSteps
from .core import DemoLogin, Result
from .data import (
    AUTHORITY_NAME,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DEMO_USERS,
    EMAIL_DOMAIN,
    HERITAGES,
    PARTNERS,
    TEAMS,
    K,
    R,
)
from .meetings import MeetingSteps
from .notes import NoteSteps
from .plans import PlanSteps
from .records import RecordSteps
from .referrals import ReferralSteps
from .restrictions import RestrictionSteps
from .subject_access import SubjectAccessSteps
from .writer import bulk


class BoroughBuilder(
    RecordSteps,
    CaseworkSteps,
    ReferralSteps,
    NoteSteps,
    AssessmentSteps,
    MeetingSteps,
    PlanSteps,
    SubjectAccessSteps,
    RestrictionSteps,
):
    """Builds the borough in one transaction: organisations, teams, users, places, guardians
    and peer groups through the ORM (about one row in 300), everything else as tuples through
    a ``TableWriter`` (COPY on PostgreSQL), chunk by chunk so memory stays flat.

    Arguments: ``scale`` multiplies every count (``core.Plan``); ``seed`` fixes every random
    draw (the same scale and seed give the same borough, references apart);
    ``concerns_per_young_person`` sets the number of concerns instead of 2,000 per 300 young
    people; ``use_copy``: None picks COPY on PostgreSQL and INSERTs elsewhere, False forces the
    INSERT path (the tests compare the two on PostgreSQL). :meth:`build` makes it, once.
    ``with_assessments``: False leaves out the demo's assessments (tests that need none), and
    with them the plans (which start from them); ``with_plans``: False leaves out the plans.
    """

    with_assessments = True
    with_plans = True

    @transaction.atomic
    def build(self) -> Result:
        postgresql = connection.vendor == "postgresql"
        try:
            if postgresql:
                # Check each foreign key as its rows arrive, not all at COMMIT: the checks then
                # run while the next chunk is being made, and the queue of pending checks (ten
                # million at scale 333) does not pile up in the server's memory. Parents are
                # always written before their children.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            steps = (
                self.organisations,
                self.teams_and_users,
                self.contexts,
                self.young_people,
                self.peer_groups,
                self.relationships,
                self.cases,
                self.concerns,
                self.referrals,
                self.actions,
                self.case_notes,
                self.warnings,
                self.grants,
                self.restrictions,
            ) + ((self.assessments, self.meetings) if self.with_assessments else ())
            if self.with_assessments and self.with_plans:
                steps += (self.plans,)
            # Last: the bundles gather every record of the young people they are about.
            steps += (self.subject_access_requests,)
            for step in steps:
                # Steps read and write with the ORM too: nothing may be streaming meanwhile.
                self.writer.wait()
                step()
            self.writer.wait()
            if postgresql:
                # Back to how Django creates them (every deferrable constraint here is
                # INITIALLY DEFERRED), for whatever else the caller's transaction does.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except BaseException:
            failed = self.writer.close()
            if failed is not None:
                # A COPY failed in the writer thread: its error is the one to see (what the
                # builder met afterwards, in the aborted transaction, only follows from it).
                raise failed  # noqa: B904 (chained to the later error by the interpreter)
            raise
        self.writer.close()
        return self.result

    def organisations(self):
        self.la = Organisation.objects.create(
            name=AUTHORITY_NAME,
            kind=K.LOCAL_AUTHORITY,
            safeguarding_email=f"mash@{EMAIL_DOMAIN}",
        )
        self.result = Result(authority=self.la)
        self.partners = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=name,
                    kind=kind,
                    authority=self.la,
                    safeguarding_email=f"safeguarding@{domain}",
                )
                for name, kind, domain in PARTNERS
            ]
        )
        # Each partner is told of every kind of event at its safeguarding mailbox (in `make run`
        # the emails are printed on the console).
        Channel.objects.bulk_create(
            [
                Channel(
                    organisation=o,
                    kind=Channel.Kind.EMAIL,
                    email=o.safeguarding_email,
                    event_types=list(EVENT_TYPES),
                    description="Safeguarding mailbox",
                )
                for o in self.partners
            ]
        )
        self.org_by_name = {o.name: o for o in self.partners}
        self.org_by_name[self.la.name] = self.la
        self.orgs_by_kind = defaultdict(list)
        for org in [self.la, *self.partners]:
            self.orgs_by_kind[org.kind].append(org)

    def teams_and_users(self):
        rng = self.rng
        # Team.save() creates each team's guardian group: a handful of rows, saved one by one.
        self.teams = [Team.objects.create(organisation=self.la, name=name) for name in TEAMS]
        # Hashing is deliberately slow; every demo login shares one password, so hash it once.
        demo_hash = make_password(DEMO_PASSWORD)
        users = []
        for username, first, last, role, team, org_name, title in DEMO_USERS:
            org = self.org_by_name[org_name] if org_name else self.la
            users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    role=role,
                    organisation=org,
                    team=self.teams[team] if team is not None else None,
                    job_title=title,
                    email=f"{username}@{EMAIL_DOMAIN}",
                    password=demo_hash,
                    is_staff=role == R.ADMINISTRATOR,
                    # Demo logins sign in without a second factor: honoured in development
                    # mode only (safeguarding/accounts/middleware.py), never in production.
                    mfa_exempt_demo=True,
                )
            )
            label = self.teams[team].name if team is not None else org.name
            self.result.logins.append(DemoLogin(username, R(role).label, label))
        # More caseworkers as the scale grows, so caseloads stay plausible: real accounts, but
        # with no usable password (they are not demo logins).
        for t, team in enumerate(self.teams):
            have = sum(1 for u in users if u.team is team and u.role == R.SOCIAL_WORKER)
            wanted = max(have, round(have * self.plan.scale))
            for n in range(wanted - have):
                heritage = rng.choice(HERITAGES)
                first = rng.choice(heritage[2] + heritage[3])
                username = f"sw.t{t + 1}.{n + 1:05d}"
                user = User(
                    username=username,
                    first_name=first,
                    last_name=rng.choice(heritage[4]),
                    role=R.SOCIAL_WORKER,
                    organisation=self.la,
                    team=team,
                    job_title="Social worker",
                    email=f"{username}@{EMAIL_DOMAIN}",
                )
                user.set_unusable_password()
                users.append(user)
        self.users = bulk(User, users)
        self.by_username = {u.username: u for u in self.users}
        self.workers = [[] for _ in self.teams]
        self.managers = [None] * len(self.teams)
        for u in self.users:
            if u.team is None:
                continue
            t = self.teams.index(u.team)
            if u.role == R.SOCIAL_WORKER:
                self.workers[t].append(u)
            else:
                self.managers[t] = u
        # Who logs a team's concerns: its workers and its manager (one list per team, made
        # once: at scale 333 a team has a thousand workers).
        self.loggers = [
            [u.pk for u in self.workers[t]] + [self.managers[t].pk] for t in range(len(self.teams))
        ]
        self.staff = [u for u in self.users if u.role in User.STAFF_ROLES]


def build_borough(
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    concerns_per_young_person: float | None = None,
    assessments: bool = True,
    plans: bool = True,
) -> Result:
    """Create the demo borough (the caller checks it does not exist yet); ``assessments``:
    with the demo's assessments (``assessments.py``), the slowest step of a small borough;
    ``plans``: with the demo's safety plans (``plans.py``; only with the assessments)."""
    built = BoroughBuilder(
        scale=scale, seed=seed, concerns_per_young_person=concerns_per_young_person
    )
    built.with_assessments = assessments
    built.with_plans = plans
    return built.build()


def borough_counts(authority: Organisation) -> dict[str, int]:
    """What the borough holds, counted from the database (for the summary line and tests)."""
    cases = Case.objects.filter(subject__authority=authority)
    referrals = Referral.objects.filter(authority=authority)
    concerns = Concern.objects.filter(authority=authority)
    grants = 0
    for model in (YoungPerson, Context, PeerGroup):
        for grant in (team_grant(model), named_grant(model)):
            rows = grant.table.objects.filter(content_object__subject__authority=authority)
            grants += rows.count()
    in_authority = {"subject__authority": authority}
    return {
        "partner organisations": authority.partners.count(),
        "teams": authority.teams.count(),
        "users": User.objects.filter(
            Q(organisation=authority) | Q(organisation__authority=authority)
        ).count(),
        "young people": YoungPerson.objects.filter(**in_authority).count(),
        "restricted": YoungPerson.objects.filter(**in_authority, restricted=True).count(),
        "contexts": Context.objects.filter(**in_authority).count(),
        "guardians": ContextGuardian.objects.filter(context__subject__authority=authority).count(),
        "peer groups": PeerGroup.objects.filter(**in_authority).count(),
        "memberships": PeerGroupMembership.objects.filter(
            peer_group__subject__authority=authority
        ).count(),
        "relationships": Relationship.objects.filter(
            from_person__subject__authority=authority
        ).count(),
        "cases": cases.count(),
        "open cases": cases.exclude(status=Case.Status.CLOSED).count(),
        "unallocated": cases.exclude(status=Case.Status.CLOSED)
        .filter(allocated_worker=None)
        .count(),
        "allocations": Allocation.objects.filter(case__subject__authority=authority).count(),
        "concerns": concerns.count(),
        "concern subjects": ConcernSubject.objects.filter(concern__authority=authority).count(),
        "referrals": referrals.count(),
        "referral subjects": ReferralSubject.objects.filter(referral__authority=authority).count(),
        "actions": Action.objects.filter(**in_authority).count(),
        "grants": grants,
        "assessments": Assessment.objects.filter(**in_authority).count(),
        "meetings": Meeting.objects.filter(authority=authority).count(),
        "plans": Plan.objects.filter(**in_authority).count(),
    }
