"""Young people, episodes of work (cases), concerns and referrals.

Re-exports: the code lives by domain in ``cases/<domain>/models.py``."""

from cases.assessments.models import (  # noqa: F401
    Assessment,
    AssessmentEvent,
    AssessmentMention,
    EvidenceItem,
)
from cases.casework.models import (  # noqa: F401
    Action,
    Allocation,
    Case,
    CaseNote,
    CaseRiskChange,
    CaseStatusChange,
    Document,
    TransferRequest,
)
from cases.concerns.models import (  # noqa: F401
    BoroughFigures,
    Concern,
    ConcernAudience,
    ConcernSubject,
    HarmCategory,
    MonthlyConcernCount,
    MonthlyReferralCount,
    PlaceConcernCount,
)
from cases.front_door.models import (  # noqa: F401
    Referral,
    ReferralSubject,
    one_working_day_after,
)
from cases.meetings.models import (  # noqa: F401
    AgendaItem,
    Decision,
    Invitee,
    Meeting,
    MeetingReport,
    MinutesSection,
)
from cases.plans.models import (  # noqa: F401
    Goal,
    Measure,
    MeasureValue,
    Plan,
    PlanEvent,
    PlanReview,
)
from cases.restrictions.models import (  # noqa: F401
    BreakGlassAccess,
    NamedStaff,
    Restriction,
)
from cases.warnings.models import (  # noqa: F401
    WarningNote,
    WarningNoteEvent,
)
from cases.young_people.models import (  # noqa: F401
    Alias,
    HarmFlag,
    YoungPerson,
    YoungPersonGroupObjectPermission,
    YoungPersonUserObjectPermission,
    compact_postcode,
)
