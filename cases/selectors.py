"""Selectors read; every one of them starts from the visibility rule.

Re-exports: the code lives by domain in ``cases/<domain>/selectors.py``."""

from cases.casework.selectors import (  # noqa: F401
    RISK_WEIGHTS,
    WorkerLoad,
    caseload_for_team,
    cases_awaiting_sign_off,
    my_open_actions,
    my_open_cases,
    open_cases_allocated_to,
    organisation_actions,
    team_members,
    transfers_waiting,
    unallocated_cases,
)
from cases.concerns.selectors import (  # noqa: F401
    Table,
    _pivot,
    figures_for,
    involvements_for_concern,
    themes,
)
from cases.front_door.selectors import (  # noqa: F401
    Known,
    known_for_referral,
    referrals_awaiting_triage,
    referrals_made_by_organisation,
)
from cases.subject_pages.selectors import (  # noqa: F401
    CHRONOLOGY_PER_PAGE,
    CONCERN_WINDOWS,
    LINKED_FROM_LATEST,
    LINKED_SHOWN,
    ChronologyEntry,
    Linked,
    _Chronology,
    chronology_for_subject,
    chronology_kinds,
    concern_counts_at,
    latest_concern_ids,
    linked_through_concerns,
)
from cases.warnings.selectors import (  # noqa: F401
    warnings_about,
    warnings_awaiting_authorisation,
    warnings_due_for_review,
)
