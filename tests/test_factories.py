"""The test factories (tests/factories.py) make records as the app makes them."""

import pytest
from django.contrib.auth.models import Group

from cases.models import Allocation, ConcernSubject
from safeguarding.accounts import visibility
from safeguarding.notifications.models import Notification
from tests.factories import (
    PASSWORD,
    ActionFactory,
    AdministratorFactory,
    ApiServiceAccountFactory,
    AssignedActionFactory,
    AuthorityFactory,
    CaseFactory,
    ConcernFactory,
    ContextFactory,
    PartnerOrganisationFactory,
    PartnerUserFactory,
    PeerGroupFactory,
    ReceivedReferralFactory,
    ReferralFactory,
    SeniorManagerFactory,
    SocialWorkerFactory,
    TeamManagerFactory,
    YoungPersonFactory,
)


def test_people_of_every_role_are_valid_accounts(db):
    la = AuthorityFactory()
    sw = SocialWorkerFactory(team__organisation=la, authenticator=True)
    assert sw.organisation == la and sw.team.organisation == la
    assert isinstance(sw.team.group, Group)  # where the team's grants are held
    assert sw.check_password(PASSWORD) and sw.email == f"{sw.username}@example.invalid"
    assert sw.totpdevice_set.filter(confirmed=True).exists()
    assert TeamManagerFactory(team=sw.team).role == "team_manager"
    assert SeniorManagerFactory(organisation=la).team is None
    admin = AdministratorFactory(organisation=la)
    assert admin.is_staff and admin.role == "administrator"
    police = PartnerOrganisationFactory(authority=la)
    assert PartnerUserFactory(organisation=police).organisation.authority == la
    service = ApiServiceAccountFactory(organisation=police)
    assert not service.has_usable_password() and service.email == ""
    assert ApiServiceAccountFactory(organisation=police) == service  # one per organisation
    with pytest.raises(Exception, match="team"):  # User.clean, as make_user
        SocialWorkerFactory(team=None, organisation=la)


def test_subjects_get_their_subject_row_and_work_through_the_services(db):
    sw = SocialWorkerFactory()
    la, team = sw.organisation, sw.team
    yp = YoungPersonFactory(authority=la, case__team=team, case__worker=sw)
    assert yp.subject.kind == "young_person" and yp.subject.authority == la
    assert yp.reference.startswith("YP-")
    case = yp.subject.cases.get()
    assert (case.team, case.allocated_worker) == (team, sw)
    assert Allocation.objects.get(case=case).worker == sw
    assert visibility.can(sw, yp, visibility.CHANGE)  # named on the record by case_open
    assert Notification.objects.filter(event_type="work.allocated", recipient_user=sw).exists()
    restricted = YoungPersonFactory(authority=la, restricted=True)
    assert restricted.restricted_reason and not visibility.can(sw, restricted, visibility.VIEW)

    place = ContextFactory(authority=la, team=team, guardians=[PartnerOrganisationFactory()])
    group = PeerGroupFactory(authority=la, team=team)
    assert place.reference.startswith("CTX-") and group.reference.startswith("PG-")
    assert place.guardians.count() == 1
    assert visibility.can(sw, place, visibility.VIEW) and visibility.can(sw, group, visibility.VIEW)
    assert not visibility.can(sw, ContextFactory(authority=la), visibility.VIEW)
    queued = CaseFactory(subject=group, team=team)
    assert queued.subject == group.subject and queued.allocated_worker is None


def test_concerns_are_logged_through_the_service(db):
    sw = SocialWorkerFactory()
    yp = YoungPersonFactory(authority=sw.organisation, case__team=sw.team, case__worker=sw)
    place = ContextFactory(authority=sw.organisation)
    concern = ConcernFactory(logged_by=sw, young_people=[(yp, "harmed")], location=place)
    assert set(concern.subjects.all()) == {yp.subject, place.subject}
    assert [h.slug for h in concern.harm_categories.all()] == ["cse"]
    assert visibility.can(sw, place, visibility.VIEW)  # concern_log gave the team the place
    about_someone_new = ConcernFactory(logged_by=sw)
    (involved,) = ConcernSubject.objects.filter(concern=about_someone_new)
    assert involved.subject.cases.get().team == sw.team  # in the logger's team's queue
    with pytest.raises(Exception, match="young_people"):  # someone sw may not pick
        ConcernFactory(logged_by=sw, young_people=[(YoungPersonFactory(), "harmed")])


def test_actions_and_referrals(db):
    sw = SocialWorkerFactory()
    yp = YoungPersonFactory(authority=sw.organisation, case__team=sw.team, case__worker=sw)
    police = PartnerOrganisationFactory(authority=sw.organisation)
    assigned = AssignedActionFactory(subject=yp, assigned_by=sw, owner_organisation=police)
    assert (assigned.created_by, assigned.owner_organisation) == (sw, police)
    overdue = ActionFactory(subject=yp.subject, owner_user=sw, due_on="2020-01-01")
    assert overdue.pk and overdue.status == "open"

    waiting = ReferralFactory(source_organisation=police)
    assert waiting.authority == sw.organisation and waiting.reference.startswith("REF-")
    assert waiting.decision_due_at > waiting.received_at
    assert waiting.about.get().described_name == "A B"
    received = ReceivedReferralFactory(referred_by=PartnerUserFactory(organisation=police))
    assert received.authority == sw.organisation
    assert received.about.get().described_name == "Jay Example"
