"""Context services: editing a place's own details."""

from collections.abc import Mapping

from safeguarding.accounts.models import User
from safeguarding.subjects.services import record_update

from .models import Context

#: What the edit page may change. Who works with the place (grants) and who guards it change
#: only through their own services.
CONTEXT_FIELDS = ("name", "kind", "address", "postcode", "description")


def context_update(
    context: Context, *, by: User, changes: Mapping[str, object], version: str | None = None
) -> Context:
    """Save ``changes`` (a name of :data:`CONTEXT_FIELDS` → its cleaned value) to the place for
    ``by``, who must be able to change it, and return it as saved.

    In one transaction, re-read through the rule after the change
    (:func:`safeguarding.subjects.services.record_update`): ``RecordNotFound`` if ``by`` may not
    change it (or it is missing); ``ApplicationError`` (rolled back) if the change would leave
    it out of ``by``'s reach; ``StaleRecord`` if ``version`` (what the edit page read) is no
    longer the record's."""
    return record_update(context, by=by, changes=changes, version=version, fields=CONTEXT_FIELDS)
