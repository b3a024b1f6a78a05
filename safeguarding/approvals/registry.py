"""What may be signed off, and what happens to it when it is.

Each kind of target (an assessment today; a plan, a case closure, a warning note later)
registers once, from its app's ``AppConfig.ready()``::

    from safeguarding.approvals import registry

    registry.register("cases.Assessment", on_decided=assessment_signed_off)

``on_decided(target, approval)`` runs inside the decision's transaction
(``services.approval_decide``), after the approval is saved as approved or returned: the target
is the locked approval's target (read by primary key, not locked by the approvals; lock it
yourself if the callback changes it), ``approval.status`` says which. It moves the target on
(an assessment to approved or back to returned) and writes the target's own history; whatever
it raises rolls the decision back with it.

``services.approval_request`` refuses a target whose model is not registered (a programming
error: ``LookupError``), so nothing waits that no one could act on.
"""

from collections.abc import Callable
from typing import Any

OnDecided = Callable[[Any, Any], None]

_REGISTERED: dict[str, OnDecided] = {}


def register(label: str, *, on_decided: OnDecided) -> None:
    """Let records of ``label`` (``"app_label.ModelName"``, any case) be signed off, with
    ``on_decided(target, approval)`` called in each decision's transaction. Registering a label
    twice is an error (``ValueError``)."""
    key = label.lower()
    if key in _REGISTERED:
        raise ValueError(f"{label} is registered for sign-off twice")
    if not callable(on_decided):
        raise TypeError("on_decided must be callable")
    _REGISTERED[key] = on_decided


def unregister(label: str) -> None:
    """Forget ``label``'s registration (for tests that register a target of their own)."""
    _REGISTERED.pop(label.lower(), None)


def on_decided_for(label: str) -> OnDecided:
    """The callback registered for ``label``; ``LookupError`` if none is."""
    try:
        return _REGISTERED[label.lower()]
    except KeyError:
        raise LookupError(f"{label} is not registered for sign-off") from None


def is_registered(label: str) -> bool:
    return label.lower() in _REGISTERED


def registered() -> list[str]:
    """The labels registered (lower case), in the order registered."""
    return list(_REGISTERED)
