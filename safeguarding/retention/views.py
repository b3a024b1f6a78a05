"""The data protection officer's retention pages (``/data-protection/retention/…``): the
schedule and its changes, records due for review (extend or dispose of), legal holds, and the
stubs of records disposed of. Every page is for ``visibility.protects_data`` only (a 404 to
anyone else) and reads through ``visibility.ACCOUNT``: the officer's authority only, anything
of another's a 404. Lists show references, never names."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError
from safeguarding.pagination import paginate
from safeguarding.views import AllowedUsersMixin, add_service_errors

from . import disposal, schedule, services
from .forms import ExtendForm, HoldForm, LiftForm, RuleForm
from .models import DisposalStub, LegalHold, RetentionReview, RetentionRule, RetentionRuleChange

PER_PAGE = 50


class OfficerMixin(AllowedUsersMixin):
    allowed_users = visibility.protects_data

    def account(self, model):
        return visibility.restrict(self.request.user, model, visibility.ACCOUNT)

    def one(self, model, **lookup):
        return visibility.get_or_404(self.request.user, model, visibility.ACCOUNT, **lookup)


class ScheduleView(OfficerMixin, TemplateView):
    """``/data-protection/retention/``: the authority's schedule, its recent changes, and
    how many records wait."""

    template_name = "retention/schedule.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        rules = schedule.rules_for(user.organisation)
        reviews = self.account(RetentionReview)
        return super().get_context_data(
            rules=rules,
            changes=self.account(RetentionRuleChange)
            .select_related("rule", "changed_by")
            .order_by("-changed_at", "-pk")[:10],
            due_count=reviews.filter(status=RetentionReview.Status.DUE).count(),
            holds_count=self.account(LegalHold).filter(lifted_at__isnull=True).count(),
            **kwargs,
        )


class RuleChangeView(OfficerMixin, FormView):
    """``/data-protection/retention/rules/<pk>/``: change one rule, with a reason."""

    template_name = "retention/rule_form.html"
    form_class = RuleForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and visibility.protects_data(request.user):
            self.rule = self.one(RetentionRule, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        rule = self.rule
        return {
            "years": rule.years,
            "months": rule.months,
            "starts_from": rule.starts_from,
            "action": rule.action,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rule=self.rule, cancel_url=reverse("retention:schedule"), **kwargs
        )

    def form_valid(self, form):
        try:
            schedule.rule_change(user=self.request.user, rule=self.rule, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"The rule for {self.rule.get_record_type_display()} changed."
        )
        return redirect("retention:schedule")


class DueListView(OfficerMixin, TemplateView):
    """``/data-protection/retention/due/``: reviews due (or, ``?status=extended``, extended),
    soonest first, a page at a time: reference, record type, rule, due date."""

    template_name = "retention/due.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status")
        if status not in (RetentionReview.Status.DUE, RetentionReview.Status.EXTENDED):
            status = RetentionReview.Status.DUE
        rows = (
            self.account(RetentionReview)
            .filter(status=status)
            .select_related("rule")
            .order_by("due_on", "pk")
        )
        return super().get_context_data(
            page=paginate(self.request, rows, per_page=PER_PAGE), status=status, **kwargs
        )


class ReviewView(OfficerMixin, FormView):
    """``/data-protection/retention/reviews/<pk>/``: one record due: extend it (a new
    date and a reason) or authorise its disposal (a separate POST, ``dispose``)."""

    template_name = "retention/review.html"
    form_class = ExtendForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and visibility.protects_data(request.user):
            self.review = self.one(RetentionReview.objects.select_related("rule"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        review = self.review
        held = LegalHold.objects.filter(
            record_key=review.record_key, lifted_at__isnull=True
        ).first()
        return super().get_context_data(
            review=review,
            hold=held,
            stub=DisposalStub.objects.filter(review=review).first(),
            cancel_url=reverse("retention:due"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.review_extend(
                user=self.request.user,
                review=self.review,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.review.reference} is kept until the new date.")
        return redirect("retention:due")


class DisposeView(OfficerMixin, TemplateView):
    """``POST /data-protection/retention/reviews/<pk>/dispose/``: authorise the disposal."""

    http_method_names = ["post"]

    def post(self, request, pk):
        review = self.one(RetentionReview, pk=pk)
        try:
            stub = disposal.dispose(user=request.user, review=review)
        except ApplicationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("retention:review", pk=pk)
        messages.success(
            request, f"{stub.reference} was disposed of ({stub.get_action_display().lower()})."
        )
        return redirect("retention:due")


class HoldsView(OfficerMixin, FormView):
    """``/data-protection/retention/holds/``: holds in force and lifted (paged), and the
    form to place one by reference."""

    template_name = "retention/holds.html"
    form_class = HoldForm

    def get_context_data(self, **kwargs):
        rows = self.account(LegalHold).select_related("placed_by", "lifted_by")
        return super().get_context_data(
            page=paginate(self.request, rows.order_by("-placed_at", "-pk"), per_page=PER_PAGE),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            hold = services.hold_place(user=self.request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{hold.reference} is under a legal hold.")
        return redirect("retention:holds")


class HoldLiftView(OfficerMixin, FormView):
    """``/data-protection/retention/holds/<pk>/lift/``: lift a hold, with a reason."""

    template_name = "retention/hold_lift.html"
    form_class = LiftForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and visibility.protects_data(request.user):
            self.hold = self.one(LegalHold, pk=kwargs["pk"])
            if not self.hold.in_force:
                raise Http404("No such hold in force")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            hold=self.hold, cancel_url=reverse("retention:holds"), **kwargs
        )

    def form_valid(self, form):
        try:
            services.hold_lift(user=self.request.user, hold=self.hold, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The legal hold on {self.hold.reference} was lifted.")
        return redirect("retention:holds")


class DisposedView(OfficerMixin, TemplateView):
    """``/data-protection/retention/disposed/``: the stubs of records disposed of, newest
    first, a page at a time."""

    template_name = "retention/disposed.html"

    def get_context_data(self, **kwargs):
        rows = self.account(DisposalStub).select_related("authorised_by")
        return super().get_context_data(
            page=paginate(self.request, rows.order_by("-disposed_at", "-pk"), per_page=PER_PAGE),
            **kwargs,
        )
