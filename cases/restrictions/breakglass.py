"""Break-glass: an out-of-hours manager opens a young person's record they are not named on.

Out of hours (an emergency duty team's night, a weekend) the manager on call may need a
restricted child's record — who to call, what the plan says — when nobody who is named on it
can be reached. Councils' systems answer this with *break-glass* access: a named role, a reason
typed, access for a short time, every use audited and reviewed.

* **Who**: council staff (social workers, team managers, senior managers) an administrator has
  made out-of-hours managers (``User.may_break_glass``, set in the admin; never on oneself:
  ``safeguarding/accounts/separation.py``). Anyone else is answered as if the page did not
  exist (``RecordNotFound``, a 404).
* **What**: they type the young person's reference (``YP-…``, from the call or the out-of-hours
  log) and a reason; no name is shown before access is granted, and a reference that is not a
  young person of their authority is refused the same way whether it exists elsewhere or not.
  They then **read** (VIEW) the record, and what hangs off it, for
  ``settings.BREAK_GLASS_MINUTES`` (60 by default): :class:`BreakGlassAccess`, probed by the
  young person's VIEW rule (``visibility.young_person_rule``). They change nothing: what must be
  done is for the people named on it (or for the holding team's manager to name them).
* **Audit**: one ``auditlog`` ``LogEntry`` on the young person, ``action=ACCESS``, actor the
  manager, ``additional_data`` = ``{"break_glass": True, "reason": <the reason typed>,
  "expires_at": <ISO 8601 date-time, UTC>, "access": <BreakGlassAccess id>}`` (the data
  protection officer's access log shows ``reason`` and ``break_glass``). The record's own
  audit rows written for them while the access is open (the reads of its page, ``record_read``)
  carry ``additional_data={"break_glass": True}`` (``YoungPerson.get_additional_data``).
* **Told**: the authority's data protection officers (linked to their page of break-glass
  accesses) and the active team managers of the teams holding the record (linked to it), by
  ``restriction.break_glass`` notifications: reference and link, never a name.
"""

from datetime import timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import YoungPerson
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError, RecordNotFound
from safeguarding.notifications.services import RestrictionBreakGlass

from .models import BreakGlassAccess
from .services import REASON_MAX_LENGTH, holding_teams


def breaks_glass(user) -> bool:
    """Whether the user is an active out-of-hours manager: council staff with
    ``may_break_glass``."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "may_break_glass", False)
        and visibility.is_council_staff(user)
        and user.organisation_id
    )


def active_accesses(user):
    """The user's break-glass accesses still open, soonest to expire first."""
    return (
        BreakGlassAccess.objects.filter(
            user=user, ended_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("young_person__subject")
        .order_by("expires_at", "pk")
    )


def acting_under_break_glass(young_person) -> bool:
    """Whether the user the code acts for (auditlog's actor: the request's user) holds an open
    break-glass access to ``young_person``. No query for anyone who is not an out-of-hours
    manager."""
    from safeguarding.accounts.separation import acting_user

    actor = acting_user()
    if actor is None or not getattr(actor, "may_break_glass", False) or not young_person.pk:
        return False
    return active_accesses(actor).filter(young_person_id=young_person.pk).exists()


NOT_FOUND = "No young person of your authority has this reference: check it and try again"


@transaction.atomic
def break_glass(*, user: User, reference: str, reason: str) -> BreakGlassAccess:
    """Give ``user`` (an out-of-hours manager) VIEW of the young person with ``reference``
    for ``settings.BREAK_GLASS_MINUTES``, for ``reason``; audited and told (see the module).

    ``RecordNotFound`` for a user who is not an out-of-hours manager. ``ApplicationError`` by
    field: ``reference`` blank, not a young person of the user's authority, or already open to
    them (they need no emergency access); ``reason`` blank or too long."""
    if not breaks_glass(user):
        raise RecordNotFound()
    errors = {}
    reference = (reference or "").strip().upper()
    reason = (reason or "").strip()
    young_person = None
    if not reference:
        errors["reference"] = "Enter the young person's reference, for example YP-…"
    else:
        young_person = (
            YoungPerson.objects.select_related("subject")
            .filter(subject__reference=reference, subject__authority_id=user.organisation_id)
            .first()
        )
        if young_person is None:
            errors["reference"] = NOT_FOUND
        elif visibility.can(user, young_person, visibility.VIEW):
            errors["reference"] = "You can already open this record: search for it instead"
    if not reason:
        errors["reason"] = "Say why you need to open this record now"
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"The reason must be {REASON_MAX_LENGTH} characters or fewer."
    if errors:
        raise ApplicationError(errors)
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        user=user,
        young_person=young_person,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(YoungPerson),
        object_pk=str(young_person.pk),
        object_id=young_person.pk,
        object_repr=young_person.subject.reference,
        action=LogEntry.Action.ACCESS,
        actor=user,
        actor_email=user.email or None,
        additional_data={
            "break_glass": True,
            "reason": reason,
            "expires_at": access.expires_at.isoformat(),
            "access": access.pk,
        },
    )
    subject = young_person.subject
    managers = User.objects.filter(
        role=User.Role.TEAM_MANAGER, is_active=True, team__in=holding_teams(young_person)
    ).exclude(pk=user.pk)
    RestrictionBreakGlass.record(
        authority=subject.authority,
        users=managers,
        reference=subject.reference,
        link=subject.get_absolute_url(),
    )
    officers = User.objects.filter(
        role=User.Role.DATA_PROTECTION_OFFICER,
        is_active=True,
        organisation_id=subject.authority_id,
    )
    RestrictionBreakGlass.record(
        authority=subject.authority,
        users=officers,
        reference=subject.reference,
        link=reverse("cases:restrictions-account"),
    )
    return access


@transaction.atomic
def break_glass_end(*, user: User, access: BreakGlassAccess) -> BreakGlassAccess:
    """Close one's own access before it expires (done with the record)."""
    access = BreakGlassAccess.objects.select_for_update().filter(pk=access.pk, user=user).first()
    if access is None:
        raise RecordNotFound()
    if access.is_active():
        access.ended_at = timezone.now()
        access.save(update_fields=["ended_at"])
    return access
