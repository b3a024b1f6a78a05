"""None

Re-exports: the code lives by domain in ``cases/<domain>/views.py``."""

from cases.casework.views import (  # noqa: F401
    ActionAddView,
    ActionProgressView,
    CaseAllocateView,
    CaseCloseRequestView,
    CaseClosureDecisionView,
    CaseDetailView,
    CaseFormView,
    CaseNoteAddView,
    CaseNoteDetailView,
    CaseNoteStrikeView,
    CaseOpenView,
    CaseReopenView,
    CaseReturnMixin,
    CaseRiskView,
    CaseTransferView,
    DocumentAddView,
    DocumentDownloadView,
    HomeView,
    TeamCaseloadView,
    TeamManagerMixin,
    TransferDecisionView,
    TransferWithdrawView,
    WorkerCasesView,
)
from cases.concerns.views import (  # noqa: F401
    ConcernDetailView,
    ConcernLogView,
    ThemesView,
)
from cases.front_door.views import (  # noqa: F401
    ReferralDetailView,
    ReferralMakeView,
    ReferralSentView,
    TriageDecideView,
    TriageQueueView,
    triage_start_screening,
)
from cases.subject_pages.views import (  # noqa: F401
    SubjectPageMixin,
)
from cases.warnings.views import (  # noqa: F401
    WarningDecideView,
    WarningListView,
    WarningProposeView,
    WarningReviewView,
)
from cases.young_people.views import (  # noqa: F401
    AliasAddView,
    AliasEndView,
    NamedStaffMixin,
    NamedStaffView,
    UnnameStaffView,
    YoungPersonDetailView,
    YoungPersonUpdateView,
)
