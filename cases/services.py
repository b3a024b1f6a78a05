"""Services write (selectors read). Views, the API and tasks all call these.

Re-exports: the code lives by domain in ``cases/<domain>/services.py``."""

from cases.casework.services import (  # noqa: F401
    ACTION_PROGRESS_STATUSES,
    _action_link,
    _end_current_allocation,
    _move_case,
    _pending_transfer_for_update,
    _require_unless_system,
    _tell_requester,
    action_assign,
    action_record_progress,
    actions_notify_overdue,
    case_allocate,
    case_close,
    case_close_request,
    case_close_return,
    case_close_sign_off,
    case_note_add,
    case_note_strike,
    case_open,
    case_open_episode,
    case_reopen,
    case_risk_set,
    case_transfer,
    document_add,
    may_reopen,
    may_strike,
    open_actions_on,
    reopen_until,
    transfer_accept,
    transfer_reject,
    transfer_request,
    transfer_withdraw,
)
from cases.concerns.services import (  # noqa: F401
    SAME_PLACE,
    SAME_YOUNG_PERSON,
    NewPlace,
    NewYoungPerson,
    _tell_guardians_of_concern,
    concern_log,
)
from cases.front_door.services import (  # noqa: F401
    DECISIONS_THAT_OPEN_WORK,
    NEW,
    ReferralMessages,
    ReferredPlace,
    ReferredYoungPerson,
    _record_from_description,
    referral_decide,
    referral_receive,
    referral_receive_once,
    referral_start_screening,
)
from cases.warnings.services import (  # noqa: F401
    warning_authorise,
    warning_decline,
    warning_end,
    warning_propose,
    warning_review,
)
from cases.young_people.services import (  # noqa: F401
    YOUNG_PERSON_FIELDS,
    alias_add,
    alias_end,
    young_person_update,
)
