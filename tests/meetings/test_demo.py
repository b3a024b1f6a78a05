"""The demo borough's meetings (safeguarding/demo/meetings.py): every state, a MACE panel with
a standing agenda, a strategy discussion, a conference held from an approved place assessment
and a breached clock, made through the services."""

from django.utils import timezone

from cases.meetings import selectors
from cases.models import Meeting
from safeguarding.accounts.models import Organisation, User
from safeguarding.demo import data
from safeguarding.demo.builder import borough_counts
from safeguarding.notifications.models import Notification
from tests.accounts.test_seed import _documents_in_a_temporary_directory, harm_categories, seed

__all__ = ["_documents_in_a_temporary_directory", "harm_categories"]


def test_the_demo_has_meetings_in_every_state(harm_categories):
    seed(scale=0.3, concerns_per_young_person=2)
    la = Organisation.objects.get(name=data.AUTHORITY_NAME)
    meetings = Meeting.objects.filter(authority=la)
    assert borough_counts(la)["meetings"] == meetings.count()
    assert {"scheduled", "minutes_drafted", "circulated"} <= set(
        meetings.values_list("status", flat=True)
    )
    assert set(Meeting.Kind.values) == set(meetings.values_list("kind", flat=True))
    conference = meetings.get(kind="context_conference", source_assessment__isnull=False)
    assert conference.source_assessment.status == "approved" and conference.status == "circulated"
    assert conference.actions.filter(owner_organisation__kind="police").exists()
    assert conference.invitees.filter(user__isnull=True, email__gt="").exists()
    panel = meetings.get(kind="mace", status="scheduled")
    tm = panel.chair
    agenda = selectors.standing_agenda(tm, panel)
    assert any(item.panel_level and item.last_reviewed_on for item in agenda)
    strategy = meetings.get(kind="strategy")
    assert strategy.icpc_due_on and strategy.status == "minutes_drafted"
    managers = User.objects.filter(organisation=la, role="team_manager")
    breaches = [c for m in managers for c in selectors.team_breaches(m)]
    assert {"Review conference", "Record circulated"} <= {c.name for c in breaches}
    assert all(c.due_on < timezone.localdate() for c in breaches)
    assert not Notification.objects.filter(reference__startswith="MTG-").exclude(status="sent")
