"""The parts every subject page (young person, place, peer group) shares."""

from django.utils import timezone

from cases import selectors
from cases.models import (
    Action,
    HarmCategory,
)
from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject


class SubjectPageMixin:
    """The parts every subject page shares: its chronology, filtered by type and harm, and
    the places and people it is linked to through concerns."""

    def subject_context(self, record) -> dict:
        user, params = self.request.user, self.request.GET
        subject = record.subject
        # Whether the user may see and change the subject, decided once (the page has just
        # read it through the rule): what hangs off it is read through it (visibility.about).
        self.access = access = visibility.access_to(user, record, seen=True)
        kind = params.get("type") if params.get("type") in selectors.CHRONOLOGY_KINDS else ""
        harm = params.get("harm", "")
        harm_categories = list(HarmCategory.objects.filter(is_active=True))
        if harm not in {h.slug for h in harm_categories}:
            harm = ""
        chronology = selectors.chronology_for_subject(
            user=user,
            subject=subject,
            kind=kind or None,
            harm=harm or None,
            page=params.get("page"),
            access=access,
        )
        linked = selectors.linked_through_concerns(user=user, subject=subject, access=access)
        return {
            "chronology": chronology,
            "chronology_kinds": selectors.CHRONOLOGY_KINDS,
            "harm_categories": harm_categories,
            "chosen_type": kind,
            "chosen_harm": harm,
            "filtered": bool(kind or harm),
            "linked_young_people": linked[Subject.Kind.YOUNG_PERSON],
            "linked_contexts": linked[Subject.Kind.CONTEXT],
            "linked_peer_groups": linked[Subject.Kind.PEER_GROUP],
            "linked_from_latest": selectors.LINKED_FROM_LATEST,
            "can_log_concern": visibility.logs_concerns(user),
            "can_change": access.change,
            "actions": self.subject_actions(access),
            "today": timezone.localdate(),
        }

    def subject_actions(self, access) -> list[Action]:
        """What must be done about the subject: open actions first, soonest due first."""
        actions = visibility.about(self.request.user, Action, access).select_related(
            "owner_user", "owner_organisation"
        )
        return sorted(actions, key=lambda a: (a.status not in Action.OPEN_STATUSES, a.due_on, a.pk))
