"""What hangs off a young person's record, declared once (``safeguarding.subjects.registry``;
registered by ``cases.apps.CasesConfig.ready``)."""

from safeguarding.accounts import visibility
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import DETAILS, Audit, Panel, RecordType

from .models import Alias, HarmFlag


def aliases(page) -> dict:
    return {"aliases": visibility.about(page.user, Alias, page.access)}


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
        ),
        audit=Audit(personal={"name": True, "notes": True}),
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
