from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        # Who may see each concern at a place is kept in step with the grants and
        # involvements it depends on, in the same transaction (cases/audience.py).
        from . import audience

        audience.connect()

        # What hangs off a subject, each record type declared with its domain.
        from safeguarding.subjects import registry

        from .assessments import records as assessments
        from .casework import records as casework
        from .concerns import records as concerns
        from .front_door import records as front_door
        from .meetings import records as meetings
        from .plans import records as plans
        from .warnings import records as warnings
        from .young_people import records as young_people

        for domain in (
            young_people,
            casework,
            concerns,
            front_door,
            warnings,
            assessments,
            meetings,
            plans,
        ):
            registry.register(*domain.RECORD_TYPES)

        # Assessments are signed off through the generic approval (safeguarding.approvals).
        from safeguarding.approvals import registry as approvals

        from .assessments.services import on_decided

        approvals.register("cases.Assessment", on_decided=on_decided)

        from .plans.services import on_decided as plan_decided

        approvals.register("cases.Plan", on_decided=plan_decided)

        # A team manager joining or leaving a team is named on (or un-named from) its
        # restricted records (cases/restrictions/services.py).
        from django.db.models.signals import post_save

        from safeguarding.accounts.models import User

        from .restrictions.services import user_changed

        post_save.connect(user_changed, sender=User, dispatch_uid="restrictions.user_changed")
