"""factory_boy factories for the records a test makes for itself.

Where the app keeps an invariant, the factory goes through the code that keeps it:

* young people, places and peer groups are saved by their model, which makes the record's
  ``Subject`` row (``SubjectRecord.save``), exactly as the app does;
* a case is opened by ``cases.services.case_open`` (the team is granted the record, the worker
  named on it, the allocation row and the worker's notification written in one transaction);
* a concern is logged by ``cases.services.concern_log`` (its checks, the logger's team given
  the place and the group, the place's guardians told, new young people queued);
* an assigned action by ``cases.services.action_assign``, a received referral by
  ``cases.services.referral_receive``, an API service account by
  ``safeguarding.api.services.api_service_user_for``;
* users are validated (``User.clean``) like ``tests.conftest.make_user``'s.

Rows with no invariant of their own (organisations, teams, harm categories) are plain rows; so
are :class:`ActionFactory` and :class:`ReferralFactory`, for what the services refuse to make on
purpose (an action already overdue, a referral received a month ago), as the test world does.

Every factory makes what it needs and nothing else::

    la = AuthorityFactory()
    sw = SocialWorkerFactory(team__organisation=la)
    yp = YoungPersonFactory(authority=la, case__team=sw.team, case__worker=sw)
    concern = ConcernFactory(logged_by=sw, young_people=[(yp, "harmed")])

and takes the test world's records as well: ``YoungPersonFactory(authority=world.records[
"accounts.organisation"]["la"], case__team=world.records["accounts.team"]["t1"])``. Users sign
in with ``client.force_login(user)``, which passes the second factor (tests/conftest.py).
"""

from datetime import timedelta

import factory
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from cases import services as case_services
from cases.models import Action, Case, Concern, HarmCategory, Referral, ReferralSubject, YoungPerson
from contexts.models import Context, ContextGuardian
from peers.models import PeerGroup
from safeguarding.accounts import grants
from safeguarding.accounts.models import Organisation, Team, User
from safeguarding.api import services as api_services
from safeguarding.subjects.models import InformationSource, Reliability

#: Every factory-made person's password (the same as tests.conftest.PASSWORD).
PASSWORD = "a-test-password-123"


class _ServiceFactory(factory.Factory):
    """A factory whose records are made by a service (``_make``), never by writing rows."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cls._make(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError(f"{cls.__name__} makes its records through a service: use create()")

    @classmethod
    def _make(cls, **kwargs):
        raise NotImplementedError


# --- organisations, teams, harm categories ---------------------------------------------------


class AuthorityFactory(DjangoModelFactory):
    """A local authority (its ``authority`` is empty: it is its own)."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Factory Borough Council {n}")
    kind = Organisation.Kind.LOCAL_AUTHORITY
    authority = None


class PartnerOrganisationFactory(DjangoModelFactory):
    """A partner agency (the police by default) working with an authority."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Factory Police {n}")
    kind = Organisation.Kind.POLICE
    authority = factory.SubFactory(AuthorityFactory)


class TeamFactory(DjangoModelFactory):
    """A team of an authority (``Team.save`` makes the group its grants are held by)."""

    class Meta:
        model = Team

    organisation = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Factory Team {n}")


class HarmCategoryFactory(DjangoModelFactory):
    """A harm category, found by slug when it exists (migration 0003 makes ``cse``, ``cce`` …)."""

    class Meta:
        model = HarmCategory
        django_get_or_create = ("slug",)

    slug = "cse"
    name = factory.LazyAttribute(lambda o: o.slug)


# --- people ----------------------------------------------------------------------------------


def confirmed_authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator app (TOTP device), made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


class _PersonFactory(DjangoModelFactory):
    """An account of a person, as ``tests.conftest.make_user`` makes one: validated
    (``User.clean``), password :data:`PASSWORD` (``password=None``: none usable), email
    ``<username>@example.invalid``. ``authenticator=True`` gives them a confirmed authenticator
    app (``force_login`` makes one anyway; a real sign-in needs it)."""

    class Meta:
        model = User
        abstract = True
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.replace("_", " ").title())
    last_name = "Test"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        user = model_class(*args, **kwargs)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.full_clean()
        user.save()
        return user

    @factory.post_generation
    def authenticator(user, create, extracted, **kwargs):
        if create and extracted:
            confirmed_authenticator(user)


class SocialWorkerFactory(_PersonFactory):
    """A social worker of a team (``team=``), in the team's authority."""

    role = User.Role.SOCIAL_WORKER
    team = factory.SubFactory(TeamFactory)
    organisation = factory.LazyAttribute(lambda o: o.team.organisation)


class TeamManagerFactory(SocialWorkerFactory):
    role = User.Role.TEAM_MANAGER


class SeniorManagerFactory(_PersonFactory):
    """A senior manager of an authority (no team)."""

    role = User.Role.SENIOR_MANAGER
    organisation = factory.SubFactory(AuthorityFactory)
    team = None


class AdministratorFactory(_PersonFactory):
    """An administrator of an authority, who may use the admin site."""

    role = User.Role.ADMINISTRATOR
    organisation = factory.SubFactory(AuthorityFactory)
    team = None
    is_staff = True


class PartnerUserFactory(_PersonFactory):
    """A partner agency's user (of ``organisation=``, a partner organisation)."""

    role = User.Role.PARTNER
    organisation = factory.SubFactory(PartnerOrganisationFactory)
    team = None


class ApiServiceAccountFactory(_ServiceFactory):
    """A partner organisation's API service account, as issuing its first token makes it
    (``api_service_user_for``: no password, no email; not a person)."""

    class Meta:
        model = User

    organisation = factory.SubFactory(PartnerOrganisationFactory)

    @classmethod
    def _make(cls, *, organisation):
        return api_services.api_service_user_for(organisation)


# --- subjects: young people, places, peer groups ---------------------------------------------


class YoungPersonFactory(DjangoModelFactory):
    """A young person of ``authority``; saving makes their ``Subject`` row.

    The date of birth is not known unless given; ``restricted=True`` gives a reason too.
    ``case__team=t`` (with ``case__worker=``, ``case__risk=``) opens work on them through
    :class:`CaseFactory`, as most young people known to a team have; without it nobody but
    the authority-wide roles sees them."""

    class Meta:
        model = YoungPerson
        skip_postgeneration_save = True

    authority = factory.SubFactory(AuthorityFactory)
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = "Testperson"
    date_of_birth = None
    restricted = False
    restricted_reason = factory.LazyAttribute(lambda o: "Test restriction" if o.restricted else "")

    @factory.post_generation
    def case(young_person, create, extracted, **kwargs):
        if create and kwargs.get("team") is not None:
            CaseFactory(subject=young_person, **kwargs)


class _WorkedWithFactory(DjangoModelFactory):
    """A place or a peer group. ``team=t`` grants a team the record as working with it
    (``grants.grant_team``, the call ``concern_log`` and ``case_open`` make, without their
    concern or case: the test world's places and groups are held so)."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    authority = factory.SubFactory(AuthorityFactory)

    @factory.post_generation
    def team(record, create, extracted, **kwargs):
        if create and extracted is not None:
            with transaction.atomic():
                grants.grant_team(record, extracted)


class ContextFactory(_WorkedWithFactory):
    """A place (a park by default). ``guardians=[organisation, …]`` adds its guardians."""

    class Meta:
        model = Context

    name = factory.Sequence(lambda n: f"Factory place {n}")
    kind = Context.Kind.PARK

    @factory.post_generation
    def guardians(place, create, extracted, **kwargs):
        for organisation in (extracted or []) if create else []:
            ContextGuardian.objects.create(context=place, organisation=organisation, **kwargs)


class PeerGroupFactory(_WorkedWithFactory):
    class Meta:
        model = PeerGroup

    name = factory.Sequence(lambda n: f"Factory group {n}")


# --- work: cases, concerns, actions, referrals -----------------------------------------------


class CaseFactory(_ServiceFactory):
    """Open work on a subject (a young person, place or peer group, or its ``Subject``) for a
    team, allocated to ``worker`` or waiting in the team's queue: ``case_open``."""

    class Meta:
        model = Case

    team = factory.SubFactory(TeamFactory)
    subject = factory.LazyAttribute(lambda o: YoungPersonFactory(authority=o.team.organisation))
    worker = None
    opened_by = None
    risk = Case.Risk.NOT_ASSESSED
    reason = ""

    @classmethod
    def _make(cls, *, subject, **kwargs):
        subject = getattr(subject, "subject", subject)  # a record's Subject, or the Subject
        return case_services.case_open(subject=subject, **kwargs)


class ConcernFactory(_ServiceFactory):
    """A concern logged by a social worker or team manager: ``concern_log``.

    ``young_people=[(young_person, part), …]``, ``location=``, ``peer_group=``,
    ``new_young_people=`` and ``new_place=`` as the service takes them; each record must be
    one the logger may pick. With none of them, it is about a new young person (at risk), whom
    the service puts in the logger's team's queue. Harm: ``cse``."""

    class Meta:
        model = Concern

    logged_by = factory.SubFactory(SocialWorkerFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    narrative = factory.Sequence(lambda n: f"Factory concern {n}")
    harm_categories = factory.LazyFunction(lambda: [HarmCategoryFactory(slug="cse")])
    source = InformationSource.POLICE
    reliability = Reliability.RELIABLE
    young_people = ()
    location = None
    new_place = None
    peer_group = None
    new_young_people = factory.LazyAttribute(
        lambda o: (
            []
            if (o.young_people or o.location or o.new_place or o.peer_group)
            else [case_services.NewYoungPerson("New", "Testperson", part="at_risk")]
        )
    )

    @classmethod
    def _make(cls, **kwargs):
        return case_services.concern_log(**kwargs)


class AssignedActionFactory(_ServiceFactory):
    """An action given to a worker (``owner_user=``) or a partner organisation
    (``owner_organisation=``) about a subject, due in a week: ``action_assign`` (its checks and
    the owner's notification). ``assigned_by`` must be able to change the subject."""

    class Meta:
        model = Action

    subject = None
    assigned_by = None
    description = factory.Sequence(lambda n: f"Factory action {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    owner_user = None
    owner_organisation = None

    @classmethod
    def _make(cls, *, subject, **kwargs):
        return case_services.action_assign(subject=getattr(subject, "subject", subject), **kwargs)


class ActionFactory(DjangoModelFactory):
    """An action as it stands on some day — overdue, in progress, done — which
    ``action_assign`` (today or later, open) would not make: a row, like the test world's.
    Give ``subject=`` and one owner. Nobody is told of it."""

    class Meta:
        model = Action

    description = factory.Sequence(lambda n: f"Factory action {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class ReferralFactory(DjangoModelFactory):
    """A referral row from a partner agency, waiting at its authority's front door, received
    whenever ``received_at`` says (the service receives it now), like the test world's; the
    referrer is not told of it. ``about=[{"kind": "young_person", "described_name": …}, …]``
    adds what it is about (``ReferralSubject`` rows; by default one described young person),
    ``harm_categories=`` its harms (``cse``)."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    source_organisation = factory.SubFactory(PartnerOrganisationFactory)
    authority = factory.LazyAttribute(
        lambda o: o.source_organisation.authority or o.source_organisation
    )
    referrer_name = "Test Referrer"
    narrative = factory.Sequence(lambda n: f"Factory referral {n}")
    consent = Referral.Consent.NOT_SOUGHT
    lawful_basis = Referral.LawfulBasis.PUBLIC_TASK

    @factory.post_generation
    def harm_categories(referral, create, extracted, **kwargs):
        if create:
            referral.harm_categories.set(extracted or [HarmCategoryFactory(slug="cse")])

    @factory.post_generation
    def about(referral, create, extracted, **kwargs):
        rows = (
            [{"kind": "young_person", "described_name": "A B"}] if extracted is None else extracted
        )
        for row in rows if create else []:
            ReferralSubject.objects.create(referral=referral, **row)


class ReceivedReferralFactory(_ServiceFactory):
    """A referral received now through ``referral_receive`` (its checks, its due date, the
    referrer told): by default a partner agency's user describing one young person."""

    class Meta:
        model = Referral

    referred_by = factory.SubFactory(PartnerUserFactory)
    young_people = factory.LazyFunction(
        lambda: [case_services.ReferredYoungPerson(name="Jay Example")]
    )
    places = ()
    harm_categories = factory.LazyFunction(lambda: [HarmCategoryFactory(slug="cse")])
    narrative = factory.Sequence(lambda n: f"Factory referral {n}")
    urgency = Referral.Urgency.ROUTINE
    referrer_name = "Test Referrer"
    referrer_email = "referrer@example.invalid"
    consent = Referral.Consent.NOT_SOUGHT
    lawful_basis = Referral.LawfulBasis.PUBLIC_TASK
    lawful_basis_detail = "Asking would increase the risk to the young person."

    @classmethod
    def _make(cls, **kwargs):
        return case_services.referral_receive(**kwargs)
