"""What hangs off a young person's record, declared once (``safeguarding.subjects.registry``;
registered by ``cases.apps.CasesConfig.ready``)."""

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import DETAILS, Audit, Panel, RecordType

from .models import Alias, HarmFlag


def aliases(page) -> dict:
    """The names in use (``aliases``) and those no longer used (``ended_aliases``), read once
    (one query) for the details row and the section."""
    rows = list(visibility.about(page.user, Alias, page.access).order_by("name", "pk"))
    return {
        "aliases": [a for a in rows if a.ended_on is None],
        "ended_aliases": sorted(
            (a for a in rows if a.ended_on is not None), key=lambda a: a.ended_on, reverse=True
        ),
    }


def no_more(page) -> dict:
    """The section reads what the details row read (:func:`aliases`)."""
    return {}


def active_flags(page) -> dict:
    flags = visibility.about(page.user, HarmFlag, page.access)
    return {"flags": flags.filter(is_active=True).select_related("harm_category")}


RECORD_TYPES = (
    RecordType(
        label="cases.Alias",
        subject_paths=("young_person__subject",),
        visibility=visibility.through_subject(),
        panels=(
            Panel(
                "cases/panels/aliases_row.html",
                aliases,
                kinds=(Subject.Kind.YOUNG_PERSON,),
                order=10,
                place=DETAILS,
            ),
            Panel(
                "cases/panels/aliases.html", no_more, kinds=(Subject.Kind.YOUNG_PERSON,), order=40
            ),
        ),
        audit=Audit(
            personal={
                "name": True,
                "notes": True,
                "kind": False,
                "source": False,
                "added_on": False,
                "ended_on": False,
                "ended_reason": True,
            }
        ),
    ),
    RecordType(
        label="cases.HarmFlag",
        subject_paths=("young_person__subject",),
        visibility=visibility.through_subject(),
        panels=(
            Panel(
                "cases/panels/harm_flags_row.html",
                active_flags,
                kinds=(Subject.Kind.YOUNG_PERSON,),
                order=20,
                place=DETAILS,
            ),
        ),
        audit=Audit(personal={"note": True, "raised_on": False, "review_by": False}),
    ),
)
