"""Allocation and transfer move access grants in the same transaction as the work."""

import pytest

from cases import services
from cases.models import Allocation, Case, YoungPerson
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, RecordNotFound

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _can(user, yp, action=visibility.VIEW):
    return visibility.restrict(user, YoungPerson, action).filter(pk=yp.pk).exists()


def test_reallocation_names_the_new_worker_and_unnames_the_old(world):
    case = world.records["cases.case"]["own"]
    yp = world.records["cases.youngperson"]["own"]
    sw, sw2, tm = world.users["sw"], world.users["sw2"], world.users["tm"]
    assert _can(sw, yp, visibility.CHANGE) and not _can(sw2, yp, visibility.CHANGE)

    services.case_allocate(case=case, worker=sw2, allocated_by=tm, reason="Caseload balance")

    assert _can(sw2, yp, visibility.CHANGE)
    assert not _can(sw, yp, visibility.CHANGE)
    assert _can(sw, yp)  # still the team's young person
    history = list(Allocation.objects.filter(case=case).order_by("started_at"))
    assert [a.worker for a in history] == [sw, sw2]
    assert history[0].ended_at == history[1].started_at
    assert history[1].ended_at is None and history[1].allocated_by == tm


def test_allocating_a_restricted_young_person_names_the_worker(world):
    case = world.records["cases.case"]["restricted"]
    yp = world.records["cases.youngperson"]["restricted"]
    sw, tm, sw2 = world.users["sw"], world.users["tm"], world.users["sw2"]
    grants_before = visibility.restrict(tm, YoungPerson).filter(pk=yp.pk).exists()
    assert not grants_before  # a manager not named on a restricted record cannot see it
    # ...and so cannot allocate it either: the record looks missing.
    with pytest.raises(RecordNotFound):
        services.case_allocate(case=case, worker=sw, allocated_by=tm)
    services.case_allocate(case=case, worker=sw, allocated_by=sw2)
    assert _can(sw, yp) and not _can(sw2, yp)


def test_transfer_moves_the_team_grant(world):
    case = world.records["cases.case"]["own"]
    yp = world.records["cases.youngperson"]["own"]
    sw, sw3, tm = world.users["sw"], world.users["sw3"], world.users["tm"]
    t2 = world.records["accounts.team"]["t2"]

    services.case_transfer(case=case, to_team=t2, transferred_by=tm, reason="Moved area")

    case.refresh_from_db()
    assert case.team == t2 and case.allocated_worker is None
    assert not _can(sw, yp) and not _can(tm, yp)
    assert _can(sw3, yp)  # the receiving team's worker
    assert Allocation.objects.filter(case=case, ended_at__isnull=True).get().team == t2


def test_a_refused_allocation_changes_no_grant(world):
    case = world.records["cases.case"]["own"]
    yp = world.records["cases.youngperson"]["own"]
    sw, sw3, tm = world.users["sw"], world.users["sw3"], world.users["tm"]
    with pytest.raises(ApplicationError):
        services.case_allocate(case=case, worker=sw3, allocated_by=tm)  # another team's worker
    assert _can(sw, yp, visibility.CHANGE)
    assert not _can(sw3, yp)
    assert Allocation.objects.filter(case=case).count() == 1


def test_a_social_worker_cannot_allocate(world):
    case = world.records["cases.case"]["team"]
    with pytest.raises(RecordNotFound):
        services.case_allocate(case=case, worker=world.users["sw"], allocated_by=world.users["sw"])


def test_one_open_case_per_subject_and_closing(world):
    case = world.records["cases.case"]["own"]
    tm = world.users["tm"]
    with pytest.raises(ApplicationError):
        services.case_open(subject=case.subject, team=case.team, opened_by=tm)
    with pytest.raises(ApplicationError):
        services.case_close(case=case, closed_by=tm, reason="  ")
    services.case_close(case=case, closed_by=tm, reason="Risk reduced; plan complete")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_at is not None
    assert not case.allocations.filter(ended_at__isnull=True).exists()
    yp = world.records["cases.youngperson"]["own"]
    assert not _can(world.users["sw"], yp, visibility.CHANGE)  # no longer named
    assert _can(world.users["sw"], yp)  # the team keeps its history


def test_decision_due_one_working_day_later_skipping_weekends_and_bank_holidays():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cases.models import one_working_day_after

    london = ZoneInfo("Europe/London")
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=london)
    assert one_working_day_after(friday) == datetime(2026, 11, 30, 16, 0, tzinfo=london)
    christmas_eve = datetime(2026, 12, 24, 9, 30, tzinfo=london)
    # 25 Dec (Friday) and 28 Dec (Monday, Boxing Day substitute) are bank holidays.
    assert one_working_day_after(christmas_eve) == datetime(2026, 12, 29, 9, 30, tzinfo=london)
