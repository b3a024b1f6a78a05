"""The demo borough's subject access requests (issue 16; a step of ``builder.BoroughBuilder``,
last, once every record they gather is there), made through the services as the data
protection officer (``dpo.olu``) would have made them:

* **overdue**: a parent's request received 45 days ago, identity checked, not yet compiled;
* **extended**: a representative's request received 40 days ago, extended by two further
  months (records held by several partner agencies), identity checked;
* **compiled and reviewed**: the young person's own request, received ten days ago, about a
  young person in a peer group with others and in relationships, so its bundle shows their
  redactions; ready to download and send;
* **new**: received today, identity not yet checked.

A fixed number whatever the scale. Compiling is audited, as it is in the app.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from cases.models import YoungPerson
from peers.models import PeerGroupMembership
from safeguarding.subject_access import dates, services

from .core import BuilderCore


class SubjectAccessSteps(BuilderCore):
    def subject_access_requests(self):
        officer = self.by_username.get("dpo.olu")
        if officer is None:
            return
        today = timezone.localdate()
        people = YoungPerson.objects.filter(subject__authority=self.la).order_by("pk")
        # Someone whose bundle has others to redact: in a group with at least two others, and
        # in a relationship.
        showcase = (
            PeerGroupMembership.objects.filter(peer_group__subject__authority=self.la)
            .annotate(others=Count("peer_group__memberships"))
            .filter(others__gte=3, young_person__relationships_from__isnull=False)
            .order_by("pk")
            .values_list("young_person_id", flat=True)
            .first()
        )
        chosen = list(people.exclude(pk=showcase).values_list("pk", flat=True)[:3])
        if showcase is None or len(chosen) < 3:
            return
        by_pk = YoungPerson.objects.in_bulk([showcase, *chosen])

        def request(person, received_ago, relationship, name, contact):
            return services.request_record(
                by=officer,
                young_person=by_pk[person],
                requester_name=name,
                requester_relationship=relationship,
                requester_contact=contact,
                received_on=today - timedelta(days=received_ago),
            )

        def checked(sar, method, ago):
            return services.identity_record(
                request=sar, by=officer, method=method, checked_on=today - timedelta(days=ago)
            )

        overdue = request(
            chosen[0], 45, "parent_carer", "Grace Okafor", "12 Elm Row, Eastbrook EB4 2QT"
        )
        checked(overdue, "documents", 40)
        extended = request(
            chosen[1],
            40,
            "representative",
            "Hollis & Penn Solicitors",
            "casework@hollispenn.example",
        )
        checked(extended, "authority", 38)
        services.request_extend(
            request=extended,
            by=officer,
            new_due_on=dates.latest_extended_due(extended.received_on),
            reason="Complex: records held with several partner agencies need their views on "
            "third-party information before disclosure.",
            # Extended in its first month, as Article 12(3) requires: three weeks after it came.
            today=extended.received_on + timedelta(days=21),
        )
        ready = request(showcase, 10, "young_person", "(the young person)", "By their worker")
        checked(ready, "known", 9)
        services.bundle_compile(request=ready, by=officer)
        services.bundle_mark_reviewed(request=ready, by=officer)
        request(chosen[2], 0, "parent_carer", "Sam Adeyemi", "sam.adeyemi@example.invalid")
