"""Forms for practitioners. They collect and check input; services do the writing.

Every text field is a :class:`safeguarding.text.CharField` (or ``PostcodeField``): typed text
is normalised by the one rule (NFC; control characters refused) before its length is checked.

Re-exports: the code lives by domain in ``cases/<domain>/forms.py``."""

from cases.casework.forms import (  # noqa: F401
    ActionForm,
    ActionProgressForm,
    AllocateForm,
    CaseCloseRequestForm,
    CaseClosureDecisionForm,
    CaseNoteForm,
    CaseNoteStrikeForm,
    CaseOpenForm,
    CaseReasonForm,
    CaseRiskForm,
    ConditionalRadioSelect,
    DocumentForm,
    TransferDecisionForm,
    TransferForm,
)
from cases.concerns.forms import (  # noqa: F401
    YOUNG_PERSON_PARTS,
    BaseInvolvementFormSet,
    ConcernForm,
    InvolvementForm,
    InvolvementFormSet,
)
from cases.front_door.forms import (  # noqa: F401
    TriageDecisionForm,
)
from cases.warnings.forms import (  # noqa: F401
    WarningDecisionForm,
    WarningProposeForm,
    WarningReviewForm,
)
from cases.young_people.forms import (  # noqa: F401
    AliasEndForm,
    AliasForm,
    NameStaffForm,
    UnnameStaffForm,
    YoungPersonChoiceField,
)
