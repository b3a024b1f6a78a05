import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView, View

from contexts.models import Context
from peers.models import PeerGroup, PeerGroupMembership, Relationship
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.audit.registry import record_export, record_read, spreadsheet_safe
from safeguarding.errors import ApplicationError
from safeguarding.pagination import paginate
from safeguarding.subjects.models import Subject
from safeguarding.views import (
    AllowedUsersMixin,
    RecordDetailView,
    RecordUpdateView,
    add_service_errors,
)

from . import naming, selectors, services
from .forms import (
    ActionForm,
    AllocateForm,
    ConcernForm,
    InvolvementFormSet,
    NameStaffForm,
    TransferDecisionForm,
    TransferForm,
    TriageDecisionForm,
    UnnameStaffForm,
)
from .models import (
    Action,
    Alias,
    Allocation,
    Case,
    Concern,
    HarmCategory,
    HarmFlag,
    Referral,
    TransferRequest,
    YoungPerson,
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


class SubjectPageMixin:
    """The parts every subject page shares: its chronology, filtered by type and harm, and
    the places and people it is linked to through concerns."""

    def subject_context(self, record) -> dict:
        user, params = self.request.user, self.request.GET
        subject = record.subject
        # Whether the user may see and change the subject, decided once (the page has just
        # read it through the rule): what hangs off it is read through it (visibility.about).
        self.access = access = visibility.access_to(user, record, seen=True)
        kind = params.get("type") if params.get("type") in selectors.CHRONOLOGY_KINDS else ""
        harm = params.get("harm", "")
        harm_categories = list(HarmCategory.objects.filter(is_active=True))
        if harm not in {h.slug for h in harm_categories}:
            harm = ""
        chronology = selectors.chronology_for_subject(
            user=user,
            subject=subject,
            kind=kind or None,
            harm=harm or None,
            page=params.get("page"),
            access=access,
        )
        linked = selectors.linked_through_concerns(user=user, subject=subject, access=access)
        return {
            "chronology": chronology,
            "chronology_kinds": selectors.CHRONOLOGY_KINDS,
            "harm_categories": harm_categories,
            "chosen_type": kind,
            "chosen_harm": harm,
            "filtered": bool(kind or harm),
            "linked_young_people": linked[Subject.Kind.YOUNG_PERSON],
            "linked_contexts": linked[Subject.Kind.CONTEXT],
            "linked_peer_groups": linked[Subject.Kind.PEER_GROUP],
            "linked_from_latest": selectors.LINKED_FROM_LATEST,
            "can_log_concern": visibility.logs_concerns(user),
            "can_change": access.change,
            "actions": self.subject_actions(access),
            "today": timezone.localdate(),
        }

    def subject_actions(self, access) -> list[Action]:
        """What must be done about the subject: open actions first, soonest due first."""
        actions = visibility.about(self.request.user, Action, access).select_related(
            "owner_user", "owner_organisation"
        )
        return sorted(actions, key=lambda a: (a.status not in Action.OPEN_STATUSES, a.due_on, a.pk))


class YoungPersonDetailView(SubjectPageMixin, RecordDetailView):
    model = YoungPerson
    queryset = YoungPerson.objects.select_related("subject", "school")

    def get_context_data(self, **kwargs):
        user, yp = self.request.user, self.object
        return super().get_context_data(
            **self.subject_context(yp),
            memberships=visibility.restrict(user, PeerGroupMembership)
            .filter(young_person=yp)
            .select_related("peer_group"),
            relationships=visibility.restrict(user, Relationship)
            .filter(Q(from_person=yp) | Q(to_person=yp))
            .select_related("from_person", "to_person"),
            aliases=visibility.about(user, Alias, self.access),
            flags=visibility.about(user, HarmFlag, self.access)
            .filter(is_active=True)
            .select_related("harm_category"),
            cases=visibility.about(user, Case, self.access).select_related(
                "team", "allocated_worker"
            ),
            can_name_staff=yp.restricted and visibility.can(user, yp, visibility.NAME),
            **kwargs,
        )


class YoungPersonUpdateView(RecordUpdateView):
    model = YoungPerson
    fields = [
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
    ]

    def get_success_url(self):
        return reverse("cases:young-person", args=[self.object.pk])


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


class ConcernDetailView(RecordDetailView):
    model = Concern
    queryset = Concern.objects.select_related("logged_by").prefetch_related("harm_categories")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            involvements=selectors.involvements_for_concern(
                user=self.request.user, concern=self.object
            ),
            **kwargs,
        )


class ReferralDetailView(RecordDetailView):
    model = Referral
    queryset = Referral.objects.select_related("source_organisation", "decided_by")

    def get_context_data(self, **kwargs):
        from .models import ReferralSubject

        return super().get_context_data(
            about=visibility.restrict(self.request.user, ReferralSubject)
            .filter(referral=self.object)
            .select_related("subject"),
            **kwargs,
        )


class ConcernLogView(AllowedUsersMixin, TemplateView):
    """Log a concern: one page, one submit. Can start from a young person, a place or a group.

    The people, the place and the group are pickers (:mod:`safeguarding.pickers`): without
    JavaScript, a Find button posts the page back as typed, with matches to choose from, and
    nothing is saved until "Log concern".
    """

    allowed_users = visibility.logs_concerns
    template_name = "cases/concern_form.html"
    extra_context = {"page_top_fields": ["narrative", "occurred_on", "occurred_time"]}

    def _initial(self):
        """Pre-fill from the page the user came from (?young_person=, ?context=, ?peer_group=)."""
        user, params = self.request.user, self.request.GET
        initial, rows = {}, []
        if params.get("context"):
            place = visibility.get_or_404(user, Context, visibility.PICK, pk=params["context"])
            initial["location"] = place.pk
        if params.get("peer_group"):
            group = visibility.get_or_404(user, PeerGroup, visibility.PICK, pk=params["peer_group"])
            initial["peer_group"] = group.pk
        if params.get("young_person"):
            yp = visibility.get_or_404(
                user, YoungPerson, visibility.PICK, pk=params["young_person"]
            )
            rows.append({"young_person": yp.pk})
        return initial, rows

    def get(self, request, *args, **kwargs):
        initial, rows = self._initial()
        initial.setdefault("occurred_on", timezone.localdate())
        form = ConcernForm(user=request.user, initial=initial)
        formset = InvolvementFormSet(user=request.user, initial=rows, prefix="people")
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form = ConcernForm(request.POST, user=request.user)
        formset = InvolvementFormSet(request.POST, user=request.user, prefix="people")
        if form.is_valid() and formset.is_valid():
            rows = [f.cleaned_data for f in formset.forms if not f.is_blank]
            data = form.cleaned_data
            try:
                concern = services.concern_log(
                    logged_by=request.user,
                    occurred_at=data["occurred_at"],
                    narrative=data["narrative"],
                    harm_categories=data["harm_categories"],
                    source=data["source"],
                    source_detail=data["source_detail"],
                    reliability=data["reliability"],
                    location=data["location"],
                    new_place=services.NewPlace(
                        name=data["new_place_name"],
                        kind=data["new_place_kind"],
                        postcode=data["new_place_postcode"],
                    )
                    if data["new_place_name"]
                    else None,
                    location_description=data["location_description"],
                    peer_group=data["peer_group"],
                    young_people=[
                        (r["young_person"], r["part"]) for r in rows if r["young_person"]
                    ],
                    new_young_people=[
                        services.NewYoungPerson(
                            given_name=r["new_given_name"],
                            family_name=r["new_family_name"],
                            date_of_birth=r["new_date_of_birth"],
                            part=r["part"],
                        )
                        for r in rows
                        if not r["young_person"]
                    ],
                )
            except ApplicationError as error:
                add_service_errors(form, error, {"occurred_at": "occurred_on"})
            else:
                messages.success(request, f"Concern {concern.reference} logged.")
                return redirect(concern)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


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


# --- team managers ---------------------------------------------------------------------------


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


# --- senior managers -------------------------------------------------------------------------


class ThemesView(AllowedUsersMixin, TemplateView):
    """Referrals and concerns per month; every table can be downloaded as CSV (audited)."""

    allowed_users = visibility.oversees_authority
    template_name = "cases/themes.html"
    EXPORT_MODELS = {
        "referrals-by-source": Referral,
        "referrals-by-decision": Referral,
        "concerns-by-harm": Concern,
    }

    def get(self, request, *args, **kwargs):
        from . import figures

        worked_out = selectors.figures_for(user=request.user)  # None until first counted
        tables = selectors.themes(user=request.user, as_of=worked_out and worked_out.as_of)
        export = request.GET.get("export")
        if export:
            table = next((t for t in tables if t.key == export), None)
            if table is None:
                raise Http404("No such table")
            return self.csv_response(table)
        return self.render_to_response(
            self.get_context_data(
                tables=tables, figures=worked_out, figures_every=figures.refresh_minutes()
            )
        )

    def csv_response(self, table):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{table.key}.csv"'
        writer = csv.writer(response)
        writer.writerow([table.row_heading, *(m.strftime("%Y-%m") for m in table.months), "Total"])
        for label, counts, total in table.rows:
            writer.writerow([spreadsheet_safe(label), *counts, total])
        record_export(
            user=self.request.user,
            model=self.EXPORT_MODELS[table.key],
            name=table.key,
            rows=len(table.rows),
        )
        return response


# --- the front door ---------------------------------------------------------------------------


class TriageQueueView(TeamManagerMixin, TemplateView):
    """Referrals waiting for a decision, oldest first, a page at a time."""

    template_name = "cases/triage_queue.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        now = timezone.now()
        page = paginate(
            self.request,
            selectors.referrals_awaiting_triage(user=self.request.user),
            per_page=self.paginate_by,
        )
        return super().get_context_data(
            page=page, referrals=[(r, r.decision_due_at - now) for r in page], **kwargs
        )


class TriageDecideView(TeamManagerMixin, FormView):
    template_name = "cases/triage_decide.html"
    form_class = TriageDecisionForm

    def get_referral(self):
        if not hasattr(self, "_referral"):
            self._referral = visibility.get_or_404(
                self.request.user,
                Referral.objects.select_related("source_organisation").prefetch_related(
                    "harm_categories"
                ),
                visibility.CHANGE,
                pk=self.kwargs["pk"],
                status__in=[Referral.Status.RECEIVED, Referral.Status.SCREENING],
            )
            record_read(self._referral)
            self._known = selectors.known_for_referral(
                user=self.request.user, referral=self._referral
            )
        return self._referral

    def get_form_kwargs(self):
        self.get_referral()
        return {**super().get_form_kwargs(), "known": self._known}

    def get_context_data(self, **kwargs):
        referral = self.get_referral()
        return super().get_context_data(
            referral=referral,
            known=self._known,
            time_left=referral.decision_due_at - timezone.now(),
            **kwargs,
        )

    def form_valid(self, form):
        referral = self.get_referral()
        try:
            services.referral_decide(
                referral=referral,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                decided_by=self.request.user,
                links=form.links(),
            )
        except ApplicationError as error:
            return self.apply_errors(form, error)
        decision = Referral.Decision(form.cleaned_data["decision"]).label
        messages.success(self.request, f"Referral {referral.reference}: {decision}.")
        return redirect("cases:triage")


@require_POST
@login_required
def triage_start_screening(request, pk):
    if not visibility.manages_team(request.user):
        raise Http404("No such page")
    referral = visibility.get_or_404(request.user, Referral, visibility.CHANGE, pk=pk)
    try:
        services.referral_start_screening(referral=referral, by=request.user)
    except ApplicationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:triage-decide", pk=referral.pk)


# --- naming staff on a restricted young person (cases/naming.py) -----------------------------


class NamedStaffMixin(LoginRequiredMixin):
    """Pages about who is named on a restricted young person: a team manager of the team
    holding the record (``visibility.NAME``); 404 for everyone else. They show the record's
    reference, never the child's name: the manager need not be named on it."""

    def get_young_person(self) -> YoungPerson:
        if not hasattr(self, "_young_person"):
            self._young_person = visibility.get_or_404(
                self.request.user,
                YoungPerson.objects.select_related("subject"),
                visibility.NAME,
                pk=self.kwargs["pk"],
            )
        return self._young_person

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.get_young_person()
        return super().dispatch(request, *args, **kwargs)

    def list_url(self) -> str:
        return reverse("cases:young-person-named", args=[self.kwargs["pk"]])


class NamedStaffView(NamedStaffMixin, FormView):
    """GET: the people named on the record, with a form to name someone else (a staff picker
    that works without JavaScript, and a reason). POST: name them."""

    template_name = "cases/named_staff.html"
    form_class = NameStaffForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        yp = self.get_young_person()
        return super().get_context_data(
            young_person=yp,
            named=naming.named_staff(yp),
            allocated_worker_id=naming.allocated_worker_id(yp),
            **kwargs,
        )

    def form_valid(self, form):
        person = form.cleaned_data["person"]
        try:
            naming.name_staff(
                young_person=self.get_young_person(),
                person=person,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{person} is now named on this record.")
        return redirect(self.list_url())


class UnnameStaffView(NamedStaffMixin, FormView):
    """GET: confirm un-naming one person, with a reason; POST: un-name them."""

    template_name = "cases/unname_staff.html"
    form_class = UnnameStaffForm

    def get_person(self) -> User:
        person = (
            naming.named_staff(self.get_young_person()).filter(pk=self.kwargs["user_pk"]).first()
        )
        if person is None:
            raise Http404("No such person")
        return person

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            young_person=self.get_young_person(),
            person=self.get_person(),
            cancel_url=self.list_url(),
            **kwargs,
        )

    def form_valid(self, form):
        person = self.get_person()
        try:
            naming.unname_staff(
                young_person=self.get_young_person(),
                person=person,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{person} is no longer named on this record.")
        return redirect(self.list_url())
