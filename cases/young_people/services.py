"""Young people services: editing the record's own details.

Naming staff on a restricted record is ``cases/naming.py``; allocation names the allocated
worker (``cases/casework/services.py``)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError
from safeguarding.subjects.services import record_update

from .dates import check_date_of_birth
from .models import YoungPerson

#: What the edit page may change: who they are and how to reach them. Whether the record is
#: restricted, and who may see it, change only through their own services.
YOUNG_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address",
    "postcode",
    "nhs_number",
    "unique_pupil_number",
    "vulnerabilities",
)


def young_person_update(
    young_person: YoungPerson, *, by: User, changes: Mapping[str, object]
) -> YoungPerson:
    """Save ``changes`` (a name of :data:`YOUNG_PERSON_FIELDS` → its cleaned value) to the
    young person for ``by``, who must be able to change the record, and return it as saved.

    In one transaction, re-read through the rule after the change
    (:func:`safeguarding.subjects.services.record_update`): ``RecordNotFound`` if ``by`` may not
    change it (or it is missing); ``ApplicationError`` (rolled back) if the change would leave
    it out of ``by``'s reach, or, on ``date_of_birth``, if the date is not in the past. The
    audit gets its change row (personal fields masked)."""
    try:
        check_date_of_birth(changes.get("date_of_birth"))
    except ValidationError as error:
        raise ApplicationError({"date_of_birth": error.messages[0]}) from None
    return record_update(young_person, by=by, changes=changes, fields=YOUNG_PERSON_FIELDS)
