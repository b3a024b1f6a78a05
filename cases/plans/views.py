"""Safety plan pages: start one from a subject's page, the plan's page (goals with their
measures' charts and tables, responses, a young person's safety details, linked plans,
reviews, history), and the forms that change it: agree it, add a goal, a measure, a response,
record a measure's value (partners too), the safety details, link a plan, record a review (and
its page, with the measures' charts as they were that day), ask to end it and a manager's
decision. Every page reads the plan through the one rule; opening one is an audited read."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from cases.models import Action, Assessment, Decision, Goal, Measure, Plan, PlanReview
from contexts.models import Context
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation
from safeguarding.approvals.selectors import approvals_of, waiting_approval_of
from safeguarding.audit.registry import record_read
from safeguarding.errors import ApplicationError, NotAllowed
from safeguarding.views import RecordActionView, RecordMixin, ServiceFormView, SubjectFormView

from . import presentation, selectors, services
from .forms import (
    DecisionForm,
    EndForm,
    GoalForm,
    LinkForm,
    MeasureForm,
    MeasureValueForm,
    PlanActionForm,
    ReviewForm,
    SafetyForm,
    StartForm,
)

PLAN_RELATED = (
    "subject",
    "source_assessment",
    "source_decision__meeting",
    "started_by",
    *selectors.SUBJECT_RELATED,
)


def _organisations(user, plan: Plan):
    return (
        visibility.restrict(user, Organisation)
        .filter(authority=plan.subject.authority_id, is_active=True)
        .order_by("name", "pk")
    )


class PlanStartView(SubjectFormView):
    """Start a plan on a young person, place or peer group, from one of its approved
    assessments or none. For social workers and team managers who may change the record."""

    template_name = "plans/start.html"
    form_class = StartForm

    def get_object(self):
        subject = super().get_object()
        if not visibility.plans_kept_by(self.request.user):
            raise Http404("No plan to start")
        return subject

    @cached_property
    def decision(self) -> Decision | None:
        """``?decision=<pk>``: the meeting's decision this plan is started from (the meeting
        page's "Start a plan from this decision"), read through the rule."""
        pk = self.request.GET.get("decision", "")
        if not pk:
            return None
        if not pk.isdigit():
            raise Http404("No such decision")
        return visibility.get_or_404(
            self.request.user,
            Decision.objects.select_related("meeting", "agenda_item"),
            pk=int(pk),
        )

    def get_form_kwargs(self):
        assessments = visibility.restrict(
            self.request.user,
            Assessment.objects.filter(subject=self.object, status=Assessment.Status.APPROVED),
        ).order_by("-completed_on", "-pk")
        kwargs = {**super().get_form_kwargs(), "assessments": list(assessments)}
        held_from = self.decision and self.decision.meeting.source_assessment_id
        if held_from and any(a.pk == held_from for a in kwargs["assessments"]):
            kwargs["initial"] = {**kwargs.get("initial", {}), "source_assessment": str(held_from)}
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(decision=self.decision, **kwargs)

    def perform(self, form):
        try:
            return services.plan_start(
                subject=self.object,
                by=self.request.user,
                source_assessment=form.cleaned_data["source_assessment"],
                source_decision=self.decision,
            )
        except ApplicationError as error:
            if getattr(error, "code", None) == "in_progress":
                self.in_progress = error.params["plan"]
            raise
        except NotAllowed:
            raise Http404("No plan to start") from None

    def form_invalid(self, form):
        in_progress = getattr(self, "in_progress", None)
        if in_progress is not None:
            return redirect(in_progress.get_absolute_url())
        return super().form_invalid(form)

    def get_success_message(self, form):
        return f"{self.result.get_kind_display()} started: {self.result.reference}."

    def get_success_url(self):
        if hasattr(self, "result"):
            return self.result.get_absolute_url()
        return self.object.get_absolute_url()


class _PlanMixin(RecordMixin):
    """A plan read through the rule (``action``); every page that shows it is an audited read
    (on GET: a POST is audited as the change it makes)."""

    model = Plan
    queryset = Plan.objects.select_related(*PLAN_RELATED)

    def get_object(self):
        plan = super().get_object()
        if self.request.method == "GET":
            record_read(plan)
        return plan

    def get_context_data(self, **kwargs):
        plan = self.object
        user = self.request.user
        kwargs.setdefault("plan", plan)
        kwargs.setdefault("subject", plan.subject)
        kwargs.setdefault("partner_view", visibility.is_partner_agency(user))
        kwargs.setdefault("cancel_url", plan.get_absolute_url())
        kwargs.setdefault("caption", f"{plan.get_kind_display()} · {plan.reference}")
        return super().get_context_data(**kwargs)


def _may_decide(user, approval) -> bool:
    return (
        approval is not None
        and approval.requested_by_id != user.pk
        and visibility.signs_off(user)
        and visibility.can(user, approval, visibility.CHANGE)
    )


class PlanView(_PlanMixin, TemplateView):
    """A plan's page: its goals, each with its measures (a chart and the same data as a
    table, the trend against the baseline) and its responses; a young person's safety
    details; linked plans; reviews; history. A partner agency sees the plan by its
    reference, with only its own responses and the measures it is asked to record, and
    links to update them."""

    template_name = "plans/plan.html"

    def get_context_data(self, **kwargs):
        user, plan = self.request.user, self.object
        partner = visibility.is_partner_agency(user)
        goals = selectors.plan_goals(user, plan)
        may_change = plan.is_open and visibility.can(user, plan, visibility.CHANGE)
        measure_ids = [m.pk for g in goals for m in g.measures_seen]
        action_ids = [a.pk for g in goals for a in g.actions_seen]
        approval = waiting_approval_of(plan) if plan.status == Plan.Status.ENDING else None
        staff = not partner and visibility.is_council_staff(user)
        return super().get_context_data(
            goals=presentation.goal_rows(goals, notes_of=user.organisation_id if partner else None),
            # A partner reads a young person's plan's goals by number only (the API too).
            goal_words=not (partner and plan.for_young_person),
            may_change=may_change,
            may_record=set(
                visibility.restrict(user, Measure, visibility.CHANGE)
                .filter(pk__in=measure_ids)
                .values_list("pk", flat=True)
            )
            if plan.status in (Plan.Status.ACTIVE, Plan.Status.ENDING)
            else set(),
            may_update=set(
                visibility.restrict(user, Action, visibility.CHANGE)
                .filter(pk__in=action_ids)
                .exclude(status=Action.Status.CANCELLED)
                .values_list("pk", flat=True)
            ),
            unplaced=list(
                visibility.restrict(user, plan.actions.filter(goal__isnull=True))
                .select_related("owner_user", "owner_organisation")
                .order_by("due_on", "pk")
            ),
            linked=selectors.linked_plans(user, plan) if staff else [],
            reviews=selectors.plan_reviews(user, plan) if staff else [],
            events=list(
                visibility.restrict(user, plan.events.select_related("by")).order_by("at", "pk")
            )
            if staff
            else [],
            safe_place_links=list(plan.safe_place_links.all()) if staff else [],
            places_to_avoid_links=list(plan.places_to_avoid_links.all()) if staff else [],
            approval=approval,
            may_decide=_may_decide(user, approval),
            sign_offs=list(approvals_of(user, plan)) if staff else [],
            today=timezone.localdate(),
            **kwargs,
        )


class _PlanFormView(_PlanMixin, ServiceFormView):
    """A form that changes a plan (the rule's CHANGE): back to the plan after saving."""

    action = visibility.CHANGE

    def get_success_url(self):
        return self.object.get_absolute_url()


class PlanActivateView(_PlanMixin, RecordActionView):
    """Agree a draft plan (a button on its page)."""

    action = visibility.CHANGE
    service = services.plan_activate
    success_message = "Plan agreed: it is active."

    def service_arguments(self):
        return {"plan": self.object, "by": self.request.user}

    def get_redirect_url(self):
        return self.object.get_absolute_url()


class GoalAddView(_PlanFormView):
    template_name = "plans/form.html"
    form_class = GoalForm
    service = services.goal_add
    success_message = "Goal added."

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Add a goal", **kwargs)

    def service_arguments(self, form):
        return {
            "plan": self.object,
            "statement": form.cleaned_data["statement"],
            "by": self.request.user,
        }


class _GoalMixin:
    def goal(self) -> Goal:
        goal = Goal.objects.filter(plan=self.object, pk=self.kwargs["goal"]).first()
        if goal is None:
            raise Http404("No such goal")
        return goal


class MeasureAddView(_GoalMixin, _PlanFormView):
    """Add a measure to one of the plan's goals."""

    template_name = "plans/form.html"
    form_class = MeasureForm
    service = services.measure_add
    success_message = "Measure added."

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "organisations": _organisations(self.request.user, self.object),
        }

    def get_context_data(self, **kwargs):
        goal = self.goal()
        return super().get_context_data(
            title="Add a measure", before=f"Goal {goal.position + 1}: {goal.statement}", **kwargs
        )

    def get_error_fields(self, form):
        return {"recorder": form.recorder_field}

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "goal": self.goal(),
            "by": self.request.user,
            **{
                k: data[k]
                for k in (
                    "name",
                    "kind",
                    "direction",
                    "baseline_value",
                    "baseline_on",
                    "target_value",
                    "recorder_user",
                    "recorder_organisation",
                )
            },
        }


class PlanActionAddView(_PlanFormView):
    """Add a response to one of the plan's goals: the action form with the goal."""

    template_name = "plans/form.html"
    form_class = PlanActionForm
    service = services.plan_action_add

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "organisations": _organisations(self.request.user, self.object),
            "goals": list(self.object.goals.all()),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Add a response", **kwargs)

    def get_error_fields(self, form):
        return {"owner": form.owner_field}

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "plan": self.object,
            "goal": data["goal"],
            "description": data["description"],
            "due_on": data["due_on"],
            "owner_user": data["owner_user"],
            "owner_organisation": data["owner_organisation"],
            "by": self.request.user,
        }

    def get_success_message(self, form):
        action = self.result
        owner = action.owner_organisation or action.owner_user
        return f"Response added for {owner}, due by {action.due_on:%-d %B %Y}."


class MeasureValueView(ServiceFormView):
    """Record a measure's value: the council's staff on the plan, the worker named to record
    it, or the partner organisation asked to (the rule's CHANGE of the measure). The page
    shows the values so far (the chart and table)."""

    model = Measure
    queryset = Measure.objects.select_related(
        "goal__plan__subject", "recorder_user", "recorder_organisation"
    )
    action = visibility.CHANGE
    template_name = "plans/measure_value.html"
    form_class = MeasureValueForm
    service = services.measure_value_record

    def get_object(self):
        measure = super().get_object()
        if measure.goal.plan.status not in (Plan.Status.ACTIVE, Plan.Status.ENDING):
            raise Http404("Not recording")
        return measure

    def get_initial(self):
        return {"recorded_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        measure = self.object
        measure.values_seen = list(
            visibility.restrict(self.request.user, measure.values.select_related("organisation"))
            .select_related("recorded_by")
            .order_by("recorded_on")
        )
        plan = measure.goal.plan
        return super().get_context_data(
            measure=measure,
            plan=plan,
            chart=presentation.measure_chart(
                measure,
                notes_of=self.request.user.organisation_id
                if visibility.is_partner_agency(self.request.user)
                else None,
            ),
            title=f"Record a value: {measure.name}",
            caption=f"{plan.get_kind_display()} · {plan.reference}",
            cancel_url=plan.get_absolute_url(),
            range_text=services.range_text(measure.kind),
            **kwargs,
        )

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "measure": self.object,
            "value": data["value"],
            "recorded_on": data["recorded_on"],
            "note": data["note"],
            "by": self.request.user,
        }

    def get_success_message(self, form):
        return f"Value recorded for {self.object.name}."

    def get_success_url(self):
        return self.object.goal.plan.get_absolute_url()


class SafetyView(_PlanFormView):
    """A young person's plan: safe places, trusted adults, what to do if unsafe and places to
    avoid."""

    template_name = "plans/form.html"
    form_class = SafetyForm
    service = services.plan_update_safety
    success_message = "Safety details saved."

    def get_object(self):
        plan = super().get_object()
        if not plan.for_young_person:
            raise Http404("Not a young person's plan")
        return plan

    def get_form_kwargs(self):
        places = visibility.restrict(self.request.user, Context).order_by("name", "pk")
        return {**super().get_form_kwargs(), "places": places}

    def get_initial(self):
        plan = self.object
        return {
            "safe_places": plan.safe_places,
            "trusted_adults": plan.trusted_adults,
            "if_unsafe": plan.if_unsafe,
            "places_to_avoid": plan.places_to_avoid,
            "safe_place_links": list(plan.safe_place_links.all()),
            "places_to_avoid_links": list(plan.places_to_avoid_links.all()),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Safe places and trusted adults", **kwargs)

    def service_arguments(self, form):
        return {"plan": self.object, "by": self.request.user, **form.cleaned_data}


class LinkView(_PlanFormView):
    """Link a context plan and a young person's plan, by the other plan's reference."""

    template_name = "plans/form.html"
    form_class = LinkForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Link a plan", **kwargs)

    def perform(self, form):
        other = visibility.restrict(self.request.user, Plan).filter(
            pk=form.cleaned_data["reference"]
        )
        other = other.first()
        if other is None:
            raise ApplicationError({"reference": "No plan you can see has that reference."})
        services.plan_link(plan=self.object, other=other, by=self.request.user)
        return other

    def get_error_fields(self, form):
        return {"other": "reference"}

    def get_success_message(self, form):
        return f"Linked with {self.result.reference}."


class ReviewView(_PlanFormView):
    """Record a review: per goal how it has gone (and each measure's value that day), what
    changes, and the next review."""

    template_name = "plans/review_form.html"
    form_class = ReviewForm

    def get_object(self):
        plan = super().get_object()
        if plan.status != Plan.Status.ACTIVE:
            raise Http404("Not active")
        self.goals = selectors.plan_goals(self.request.user, plan)
        return plan

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "goals": self.goals}

    def get_initial(self):
        today = timezone.localdate()
        return {"held_on": today, "next_review_on": services.first_review_on(today)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Record a review", goal_rows=presentation.goal_rows(self.goals), **kwargs
        )

    def perform(self, form):
        data = form.cleaned_data
        return services.plan_review_record(
            plan=self.object,
            held_on=data["held_on"],
            progress=form.progress(),
            changes=data["changes"],
            next_review_on=data["next_review_on"],
            values=form.values(),
            by=self.request.user,
        )

    def get_success_message(self, form):
        return f"Review recorded. Next review by {self.result.next_review_on:%-d %B %Y}."

    def get_success_url(self):
        if hasattr(self, "result"):
            return self.result.get_absolute_url()
        return super().get_success_url()


class ReviewDetailView(RecordMixin, TemplateView):
    """A review's page: progress per goal, and each measure's chart and table as they were on
    the day (values up to the review's date)."""

    model = PlanReview
    queryset = PlanReview.objects.select_related("plan__subject", "by")
    template_name = "plans/review.html"

    def get_object(self):
        review = super().get_object()
        record_read(review.plan)
        return review

    def get_context_data(self, **kwargs):
        review, user = self.object, self.request.user
        plan = review.plan
        goals = selectors.plan_goals(user, plan)
        for goal in goals:
            for measure in goal.measures_seen:
                measure.values_seen = [
                    v for v in measure.values_seen if v.recorded_on <= review.held_on
                ]
        charts = {g.pk: presentation.goal_rows([g])[0]["charts"] for g in goals}
        progress = dict(review.PROGRESS_CHOICES)
        rows = [
            {
                **row,
                "label": progress.get(row["progress"], ""),
                "charts": charts.get(row["goal"], []),
            }
            for row in review.progress
        ]
        return super().get_context_data(
            review=review,
            plan=plan,
            subject=plan.subject,
            rows=rows,
            caption=f"{plan.get_kind_display()} · {plan.reference}",
            **kwargs,
        )


class EndView(_PlanFormView):
    """Ask to end the plan: a reason, for a team manager's sign-off."""

    template_name = "plans/form.html"
    form_class = EndForm
    service = services.plan_end_request
    success_message = "Sent to a team manager to sign off the end of the plan."

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Ask to end the plan", **kwargs)

    def service_arguments(self, form):
        return {"plan": self.object, "reason": form.cleaned_data["reason"], "by": self.request.user}


class DecisionView(_PlanFormView):
    """A team manager ends the plan or returns the request (never the person who asked:
    ``safeguarding.approvals``)."""

    template_name = "plans/decision.html"
    form_class = DecisionForm

    def get_object(self):
        plan = super().get_object()
        self.approval = waiting_approval_of(plan) if plan.status == Plan.Status.ENDING else None
        if self.approval is None or not visibility.signs_off(self.request.user):
            raise Http404("Nothing to decide")
        return plan

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            approval=self.approval, title="End the plan or return it", **kwargs
        )

    def perform(self, form):
        from safeguarding.approvals.services import approval_decide

        try:
            return approval_decide(
                approval=self.approval,
                by=self.request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comments=form.cleaned_data["comments"],
            )
        except NotAllowed as error:
            raise ApplicationError(str(error)) from None

    def get_success_message(self, form):
        if form.cleaned_data["decision"] == "approve":
            return f"{self.object.reference} ended."
        return f"{self.object.reference} returned with your comments: it carries on."
