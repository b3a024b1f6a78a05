"""Casework pages: My work, a case, allocating and transferring, team caseloads, actions."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from cases import selectors, services
from cases.forms import (
    ActionForm,
    AllocateForm,
    TransferDecisionForm,
    TransferForm,
)
from cases.models import (
    Allocation,
    Case,
    TransferRequest,
)
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.errors import ApplicationError
from safeguarding.pagination import paginate
from safeguarding.subjects.models import Subject
from safeguarding.views import (
    AllowedUsersMixin,
    RecordDetailView,
    add_service_errors,
)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            my_cases=selectors.my_open_cases(user=user),
            my_actions=selectors.my_open_actions(user=user),
            today=timezone.localdate(),
            **kwargs,
        )


class CaseDetailView(RecordDetailView):
    model = Case
    queryset = Case.objects.select_related("subject", "team", "allocated_worker")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            allocations=visibility.restrict(self.request.user, Allocation)
            .filter(case=self.object)
            .select_related("team", "worker", "allocated_by"),
            **kwargs,
        )


class ActionAddView(LoginRequiredMixin, FormView):
    """Add an action on a young person, a place or a peer group: a worker of the authority or a
    partner organisation must do something by a date. For users who may change the record."""

    template_name = "cases/action_form.html"
    form_class = ActionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.subject = visibility.get_or_404(
            request.user,
            Subject.objects.select_related("authority"),
            visibility.CHANGE,
            reference=kwargs["reference"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        # A worker is picked from the authority's (the service checks it is the subject's).
        organisations = (
            visibility.restrict(user, Organisation)
            .filter(authority=self.subject.authority, is_active=True)
            .order_by("name", "pk")
        )
        return {**super().get_form_kwargs(), "user": user, "organisations": organisations}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            subject=self.subject, cancel_url=self.get_success_url(), **kwargs
        )

    def get_success_url(self):
        return self.subject.get_absolute_url()

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            action = services.action_assign(
                subject=self.subject,
                description=data["description"],
                due_on=data["due_on"],
                assigned_by=self.request.user,
                owner_user=data["owner_user"],
                owner_organisation=data["owner_organisation"],
            )
        except ApplicationError as error:
            add_service_errors(form, error, {"owner": form.owner_field})
            return self.form_invalid(form)
        owner = action.owner_organisation or action.owner_user
        messages.success(
            self.request, f"Action added for {owner}, due by {action.due_on:%-d %B %Y}."
        )
        return super().form_valid(form)


class TeamManagerMixin(AllowedUsersMixin):
    """Pages for team managers only, about their own team."""

    allowed_users = visibility.manages_team

    @property
    def team(self):
        return self.request.user.team

    def apply_errors(self, form, error: ApplicationError):
        add_service_errors(form, error)
        return self.form_invalid(form)


class TeamCaseloadView(TeamManagerMixin, TemplateView):
    """The team's workers and their load, and the work waiting for allocation: two lists
    paged apart (``?workers_page=`` and ``?page=``), each link keeping the other's page."""

    template_name = "cases/team_caseload.html"
    #: A real team fits on one page; a very large one (hundreds, in the benchmark's borough)
    #: is paged by name rather than making every visit count every worker's cases.
    workers_per_page = 50
    #: The queue is the second table on the page: a manager allocates from the top.
    unallocated_per_page = 25

    def get_context_data(self, **kwargs):
        user, request = self.request.user, self.request
        incoming, outgoing = selectors.transfers_waiting(user=user, team=self.team)
        members = paginate(
            request,
            selectors.team_members(team=self.team),
            per_page=self.workers_per_page,
            param="workers_page",
        )
        unallocated = paginate(
            request,
            selectors.unallocated_cases(user=user, team=self.team),
            per_page=self.unallocated_per_page,
        )
        return super().get_context_data(
            team=self.team,
            members=members,
            rows=selectors.caseload_for_team(user=user, team=self.team, members=members),
            weights=[(Case.Risk(r).label, w) for r, w in selectors.RISK_WEIGHTS.items()],
            unallocated=unallocated,
            incoming=incoming,
            outgoing=outgoing,
            **kwargs,
        )


class WorkerCasesView(TeamManagerMixin, TemplateView):
    template_name = "cases/worker_cases.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        worker = visibility.get_or_404(
            self.request.user, User, pk=self.kwargs["pk"], team=self.team
        )
        cases = selectors.open_cases_allocated_to(user=self.request.user, worker=worker)
        return super().get_context_data(
            worker=worker,
            cases=paginate(self.request, cases, per_page=self.paginate_by),
            today=timezone.localdate(),
            **kwargs,
        )


class CaseFormView(TeamManagerMixin, FormView):
    """A form about one case of the manager's team."""

    template_name = "form_page.html"
    page_title = ""

    def get_case(self):
        if not hasattr(self, "_case"):
            self._case = visibility.get_or_404(
                self.request.user,
                Case.objects.select_related("subject", "team", "allocated_worker"),
                visibility.CHANGE,
                pk=self.kwargs["pk"],
                team=self.team,
            )
        return self._case

    def get(self, request, *args, **kwargs):
        self.get_case()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_case()
        return super().post(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("cases:team")

    def get_context_data(self, **kwargs):
        case = self.get_case()
        return super().get_context_data(
            title=self.page_title,
            caption=f"{case.subject.display_name} · {case.subject.reference}",
            cancel_url=self.get_success_url(),
            **kwargs,
        )


class CaseAllocateView(CaseFormView):
    form_class = AllocateForm
    page_title = "Allocate"

    def get_form_kwargs(self):
        case = self.get_case()
        return {**super().get_form_kwargs(), "team": self.team, "exclude": case.allocated_worker}

    def form_valid(self, form):
        case, worker = self.get_case(), form.cleaned_data["worker"]
        try:
            services.case_allocate(
                case=case,
                worker=worker,
                allocated_by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            return self.apply_errors(form, error)
        messages.success(self.request, f"{case.subject.reference} allocated to {worker}.")
        return super().form_valid(form)


class CaseTransferView(CaseFormView):
    form_class = TransferForm
    page_title = "Transfer to another team"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def form_valid(self, form):
        case = self.get_case()
        try:
            services.transfer_request(
                case=case,
                to_team=form.cleaned_data["to_team"],
                requested_by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            return self.apply_errors(form, error)
        messages.success(
            self.request,
            f"Transfer of {case.subject.reference} offered to {form.cleaned_data['to_team']}.",
        )
        return super().form_valid(form)


class TransferWithdrawView(TeamManagerMixin, View):
    """POST: the offering team's manager takes back a transfer that is still waiting."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        transfer = visibility.get_or_404(
            request.user,
            TransferRequest.objects.select_related("case__subject", "to_team"),
            pk=kwargs["pk"],
            from_team=self.team,
        )
        try:
            services.transfer_withdraw(request=transfer, withdrawn_by=request.user)
        except ApplicationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(
                request,
                f"Transfer of {transfer.case.subject.reference} to {transfer.to_team} withdrawn.",
            )
        return redirect("cases:team")


class TransferDecisionView(TeamManagerMixin, FormView):
    template_name = "cases/transfer_decision.html"
    form_class = TransferDecisionForm

    def get_transfer(self):
        if not hasattr(self, "_transfer"):
            self._transfer = visibility.get_or_404(
                self.request.user,
                TransferRequest.objects.select_related(
                    "case__subject", "from_team", "to_team", "requested_by"
                ),
                pk=self.kwargs["pk"],
                to_team=self.team,
                status=TransferRequest.Status.PENDING,
            )
        return self._transfer

    def get(self, request, *args, **kwargs):
        self.get_transfer()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_transfer()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(transfer=self.get_transfer(), **kwargs)

    def get_success_url(self):
        return reverse("cases:team")

    def form_valid(self, form):
        transfer, user = self.get_transfer(), self.request.user
        try:
            if form.cleaned_data["decision"] == "accept":
                services.transfer_accept(request=transfer, accepted_by=user)
                messages.success(
                    self.request,
                    f"{transfer.case.subject.reference} is now in your team's unallocated queue.",
                )
            else:
                services.transfer_reject(
                    request=transfer, rejected_by=user, reason=form.cleaned_data["reason"]
                )
                messages.success(self.request, "Transfer rejected.")
        except ApplicationError as error:
            return self.apply_errors(form, error)
        return super().form_valid(form)
