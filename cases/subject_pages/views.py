"""The parts every subject page (young person, place, peer group) shares."""

from django.core.exceptions import ImproperlyConfigured

from cases import selectors
from cases.models import HarmCategory
from safeguarding.accounts import visibility
from safeguarding.subjects import registry
from safeguarding.subjects.models import Subject


class SubjectPageMixin:
    """The parts every subject page shares: the panels of the record types that hang off the
    subject (``safeguarding.subjects.registry``: its actions, cases, guardians, memberships …),
    its chronology, filtered by type and harm, and the places and people it is linked to
    through concerns. The page's template extends ``templates/subjects/detail_base.html``."""

    def subject_context(self, record) -> dict:
        user, params = self.request.user, self.request.GET
        subject = record.subject
        # Whether the user may see and change the subject, decided once (the page has just
        # read it through the rule): what hangs off it is read through it (visibility.about).
        self.access = access = visibility.access_to(user, record, seen=True)
        kinds = selectors.chronology_kinds()
        kind = params.get("type") if params.get("type") in kinds else ""
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
            **self.panel_context(record, access),
            "chronology": chronology,
            "chronology_kinds": kinds,
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
        }

    def panel_context(self, record, access) -> dict:
        """The panels of the record types that hang off this kind of subject, in order: what
        each gives the page, and ``banners``, ``panels`` and ``detail_rows`` (the templates of
        the banners at the top, of the sections and of the details card's rows, in order)."""
        page = registry.SubjectPage(user=self.request.user, record=record, access=access)
        context = {}
        places = {
            "banners": registry.BANNER,
            "panels": registry.SECTION,
            "detail_rows": registry.DETAILS,
        }
        for name, place in places.items():
            shown = registry.panels(page.kind, place)
            for panel in shown:
                given = panel.context(page)
                clash = (set(given) & set(context)) | (set(given) & set(places))
                if clash:
                    raise ImproperlyConfigured(f"Two panels give {sorted(clash)} on one page")
                context.update(given)
            context[name] = [panel.template for panel in shown]
        return context
