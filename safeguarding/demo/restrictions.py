"""The demo borough's restricted records (a step of ``builder.BoroughBuilder``, after the
grants): each restricted young person's open ``Restriction`` (two due for review, one of them
overdue; the rest over the coming months) and the register of who is named on it (the
allocated worker and the team's manager, as ``casework.grants`` named them), one out-of-hours
manager (``may_break_glass``) and one break-glass access of theirs, last week, with its audit
row, as ``cases.restrictions.breakglass.break_glass`` would have written it."""

from datetime import timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from cases.models import BreakGlassAccess, NamedStaff, Restriction, YoungPerson
from cases.plans.services import add_months

from .data import CS

#: The demo's out-of-hours manager: the front door's manager, who covers the emergency duty
#: rota's escalations.
OUT_OF_HOURS_MANAGER = "tm.helen"


class RestrictionSteps:
    def restrictions(self):
        # No draw from the builder's random stream: the steps after this one stay as they were.
        today, now = self.today, self.now
        # The Contextual Safeguarding Team's first (tm.jordan's): its manager has the ones due.
        restricted = sorted(
            (p for p in self.people if p.restricted and p.case_team is not None),
            key=lambda p: (p.case_team != CS, p.id),
        )
        reasons = dict(
            YoungPerson.objects.filter(pk__in=[p.id for p in restricted]).values_list(
                "pk", "restricted_reason"
            )
        )
        restrictions, register = [], []
        for n, p in enumerate(restricted):
            if n == 0:
                review_on = today - timedelta(days=3)  # overdue
            elif n == 1:
                review_on = today + timedelta(days=12)  # due this month
            else:
                review_on = add_months(today, 2 + n % 5)
            restricted_at = now - timedelta(days=60 + 17 * n)
            restrictions.append(
                Restriction(
                    young_person_id=p.id,
                    reason=reasons.get(p.id) or "Restricted",
                    restricted_by=self.managers[p.case_team],
                    restricted_at=restricted_at,
                    review_on=review_on,
                )
            )
            manager = self.managers[p.case_team]
            for user, basis in ((p.worker, "allocated"), (manager, "manager")):
                if user is None:
                    continue
                register.append(
                    NamedStaff(
                        young_person_id=p.id,
                        user=user,
                        basis=basis,
                        named_by=manager,
                        named_at=restricted_at,
                        reason=NamedStaff.Basis(basis).label,
                    )
                )
        Restriction.objects.bulk_create(restrictions)
        NamedStaff.objects.bulk_create(register)

        ooh = self.by_username.get(OUT_OF_HOURS_MANAGER)
        if ooh is None or not restricted:
            return
        type(ooh).objects.filter(pk=ooh.pk).update(may_break_glass=True)
        # Last week, at night: a restricted record of another team than the front door's.
        target = next((p for p in restricted if self.managers[p.case_team] != ooh), None)
        if target is None:
            return
        started = (now - timedelta(days=6)).replace(hour=2, minute=10)
        reason = "Police called at 02:05: young person missing, need the safety plan's contacts"
        access = BreakGlassAccess.objects.create(
            user=ooh,
            young_person_id=target.id,
            reason=reason,
            started_at=started,
            expires_at=started + timedelta(minutes=60),
            ended_at=started + timedelta(minutes=25),
        )
        reference = YoungPerson.objects.filter(pk=target.id).values_list(
            "subject__reference", flat=True
        )[0]
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(YoungPerson),
            object_pk=str(target.id),
            object_id=target.id,
            object_repr=reference,
            action=LogEntry.Action.ACCESS,
            actor=ooh,
            actor_email=ooh.email or None,
            timestamp=started,
            additional_data={
                "break_glass": True,
                "reason": reason,
                "expires_at": access.expires_at.isoformat(),
                "access": access.pk,
            },
        )
