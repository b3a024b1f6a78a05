"""What hangs off a place, declared once (``safeguarding.subjects.registry``; registered by
``contexts.apps.ContextsConfig.ready``): its guardians."""

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import Panel, RecordType

from .models import ContextGuardian


def guardians(page) -> dict:
    """The place's current guardians (``guardians``) and those who have ended
    (``ended_guardians``, most recently ended first), read in one query."""
    about = visibility.about(page.user, ContextGuardian, page.access)
    rows = list(about.select_related("organisation").order_by("organisation__name", "name", "pk"))
    return {
        "guardians": [g for g in rows if g.ended_on is None],
        "ended_guardians": sorted(
            (g for g in rows if g.ended_on is not None), key=lambda g: g.ended_on, reverse=True
        ),
    }


RECORD_TYPES = (
    RecordType(
        label="contexts.ContextGuardian",
        subject_paths=("context__subject",),
        visibility=visibility.through_subject(visibility.guarded),
        panels=(
            Panel(
                "contexts/panels/guardians.html", guardians, kinds=(Subject.Kind.CONTEXT,), order=10
            ),
        ),
        not_audited="The adults and organisations with influence over a place: no young "
        "person's information (places are not audited either).",
    ),
)
