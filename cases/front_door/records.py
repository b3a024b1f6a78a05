"""Referrals, declared once (``safeguarding.subjects.registry``; registered by
``cases.apps.CasesConfig.ready``): in the chronology of every subject they are linked to."""

from safeguarding.accounts import visibility
from safeguarding.subjects.registry import Audit, Chronology, EntryText, RecordType

from .models import Referral


def referral_entry(referral, read) -> EntryText:
    # A partner agency reads the decision, not the council's reason for it.
    decision = (
        f": {referral.get_decision_display()}"
        if read("decision")
        else f" ({referral.get_status_display()})"
    )
    return EntryText(
        title=f"Referral from {read('source_organisation')}{decision}",
        detail=read("decision_reason"),
        by=read("referrer_name"),
    )


RECORD_TYPES = (
    RecordType(
        label="cases.Referral",
        subject_paths=("about__subject",),
        visibility=visibility.through_subject(visibility.referred),
        chronology=Chronology(
            kind="referral",
            label="Referrals",
            rows=lambda user, access: visibility.about(user, Referral, access),
            date_field="received_at",
            entry=referral_entry,
            harm="harm_categories__slug",
            tag="purple",
            order=20,
            select_related=("source_organisation",),
        ),
        audit=Audit(
            personal={
                "reference": False,
                "referrer_name": True,
                "referrer_role": True,
                "referrer_email": True,
                "referrer_phone": True,
                "urgency": False,
                "narrative": True,
                "consent": False,
                "lawful_basis": False,
                "lawful_basis_detail": True,
                "status": False,
                "decision": False,
                "decision_reason": True,
            },
            authority=("authority_id",),
        ),
        notifications=("referral.received", "referral.decided"),
    ),
)
