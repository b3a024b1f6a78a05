"""Casework pages: My work, a case, allocating and transferring, team caseloads, actions,
case notes and documents."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView, View

from cases import selectors, services
from cases.assessments import selectors as assessment_selectors
from cases.forms import (
    ActionForm,
    ActionProgressForm,
    AllocateForm,
    CaseCloseRequestForm,
    CaseClosureDecisionForm,
    CaseNoteForm,
    CaseNoteStrikeForm,
    CaseOpenForm,
    CaseReasonForm,
    CaseRiskForm,
    DocumentForm,
    TransferDecisionForm,
    TransferForm,
)
from cases.meetings import selectors as meeting_selectors
from cases.models import (
    Action,
    Allocation,
    Case,
    CaseNote,
    CaseRiskChange,
    CaseStatusChange,
    Document,
    TransferRequest,
)
from cases.plans import selectors as plan_selectors
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.approvals import selectors as approval_selectors
from safeguarding.audit.registry import record_download
from safeguarding.errors import NotAllowed
from safeguarding.pagination import paginate
from safeguarding.subjects.models import Subject
from safeguarding.views import (
    AllowedUsersMixin,
    RecordActionView,
    RecordDetailView,
    RecordMixin,
    ServiceFormView,
    SubjectFormView,
    VersionedFormMixin,
)


class HomeView(LoginRequiredMixin, TemplateView):
    """My work. Staff: the open work allocated to me and my open actions. A partner agency:
    its organisation's referrals (status, decision and its date; 25 a page, ``?page=``) and
    the actions assigned to it (25 a page, ``?actions_page=``), each with a link to record
    progress: the two lists paged apart, each link keeping the other's page; a school's
    designated safeguarding lead, its school's assessments and a link to start one for each
    school place its organisation guards (``schools_to_assess``). A team manager
    also sees what waits for their sign-off (``safeguarding.approvals.selectors.waiting_for``,
    the oldest :attr:`approvals_shown`)."""

    template_name = "home.html"
    partner_template_name = "cases/partner_home.html"
    referrals_per_page = 25
    actions_per_page = 25
    #: A team manager's "Waiting for your sign-off": the oldest this many.
    approvals_shown = 25

    def get(self, request, *args, **kwargs):
        # The data protection officer does no casework: their work is their own pages.
        if visibility.protects_data(request.user):
            return redirect("dataprotection:home")
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if visibility.is_partner_agency(self.request.user):
            return [self.partner_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        user = self.request.user
        if visibility.is_partner_agency(user):
            return super().get_context_data(
                referrals=paginate(
                    self.request,
                    selectors.referrals_made_by_organisation(user=user),
                    per_page=self.referrals_per_page,
                ),
                actions=paginate(
                    self.request,
                    selectors.organisation_actions(user=user),
                    per_page=self.actions_per_page,
                    param="actions_page",
                ),
                may_refer=visibility.refers(user),
                school_assessments=assessment_selectors.school_assessments(user)[
                    : assessment_selectors.LISTED
                ],
                # (place, in progress): the flag beside the record, which a partner's page
                # reads only through disclosure's list.
                schools_to_assess=[
                    (place, place.in_progress)
                    for place in assessment_selectors.schools_to_assess(user)
                ],
                invited_meetings=list(
                    meeting_selectors.invited_meetings(user)[: meeting_selectors.LISTED]
                ),
                plan_work=plan_selectors.partner_plan_work(user),
                today=timezone.localdate(),
                **kwargs,
            )
        awaiting = None
        if visibility.manages_team(user):
            awaiting = selectors.cases_awaiting_sign_off(user=user, team=user.team).count()
        waiting_approvals = more_waiting = None
        if visibility.signs_off(user):
            # One more than shown, to know whether to say there are more (one query).
            shown = self.approvals_shown
            waiting_approvals = list(approval_selectors.waiting_for(user, limit=shown + 1))
            more_waiting = len(waiting_approvals) > shown
            waiting_approvals = waiting_approvals[:shown]
        return super().get_context_data(
            my_cases=selectors.my_open_cases(user=user),
            my_actions=selectors.my_open_actions(user=user),
            my_assessments=assessment_selectors.my_assessments(user)[: assessment_selectors.LISTED],
            meeting_clocks=meeting_selectors.my_clocks(user),
            meeting_breaches=meeting_selectors.team_breaches(user),
            plans_due=plan_selectors.due_for_review(user),
            awaiting_sign_off=awaiting,
            waiting_approvals=waiting_approvals,
            more_approvals_waiting=more_waiting,
            today=timezone.localdate(),
            **kwargs,
        )


#: Where a case's forms go back to: ``?from=`` on their URL (the form posts to the same URL).
RETURN_TO = {
    "case": lambda case: case.get_absolute_url(),
    "subject": lambda case: case.subject.get_absolute_url(),
    "team": lambda case: reverse("cases:team"),
    "worker": lambda case: (
        reverse("cases:team-worker", args=[case.allocated_worker_id])
        if case.allocated_worker_id
        else reverse("cases:team")
    ),
}


class CaseReturnMixin:
    """A form about a case that returns (after saving, or on Cancel) to the page it was opened
    from: ``?from=case|subject|team|worker``, else ``default_return``. Only these names are
    accepted, so the parameter cannot send anyone elsewhere."""

    default_return = "case"

    def return_to(self) -> str:
        name = self.request.GET.get("from", "")
        if name not in RETURN_TO:
            name = self.default_return
        return RETURN_TO[name](self.object)

    def get_success_url(self):
        return self.return_to()


class CaseDetailView(RecordDetailView):
    """A case: who holds it, its risk and review date and their history, its closure steps,
    and what the user may do next (change the risk, ask to close, sign off, reopen, allocate,
    transfer). A fixed number of queries."""

    model = Case
    queryset = Case.objects.select_related("subject", "team", "allocated_worker")

    def get_context_data(self, **kwargs):
        user, case = self.request.user, self.object
        can_change = visibility.can(user, case, visibility.CHANGE)
        manages = visibility.manages_team(user) and user.team_id == case.team_id
        status_changes = list(
            visibility.restrict(user, CaseStatusChange).filter(case=case).select_related("by")
        )
        returned = None
        if case.status == Case.Status.OPEN and status_changes:
            last = status_changes[-1]
            if last.kind == CaseStatusChange.Kind.RETURNED:
                returned = last
        pending_transfer = None
        if manages:
            pending_transfer = case.transfer_requests.filter(
                status=TransferRequest.Status.PENDING
            ).first()
        return super().get_context_data(
            allocations=visibility.restrict(user, Allocation)
            .filter(case=case)
            .select_related("team", "worker", "allocated_by"),
            risk_changes=visibility.restrict(user, CaseRiskChange)
            .filter(case=case)
            .select_related("changed_by")
            .order_by("-changed_at", "-pk"),
            status_changes=status_changes[::-1],
            returned=returned,
            can_change=can_change and case.status != Case.Status.CLOSED,
            manages=manages and can_change,
            pending_transfer=pending_transfer,
            may_reopen=manages and services.may_reopen(case),
            reopen_until=services.reopen_until(case) if case.closed_at else None,
            reopen_days=settings.CASE_REOPEN_DAYS,
            **kwargs,
        )


class CaseRiskView(CaseReturnMixin, VersionedFormMixin, ServiceFormView):
    """Change a case's risk level and next review date, with why: its allocated worker or a
    team manager of its team (else 404)."""

    queryset = Case.objects.select_related("subject", "team").exclude(status=Case.Status.CLOSED)
    action = visibility.CHANGE
    form_class = CaseRiskForm
    service = services.case_risk_set
    success_message = "Risk level and review date saved."
    #: Two people changing the risk at once: the second is told (``VersionedFormMixin``).
    versioned_fields = ("risk", "next_review_due")

    def get_initial(self):
        return {"risk": self.object.risk, "next_review_due": self.object.next_review_due}

    def get_context_data(self, **kwargs):
        case = self.object
        return super().get_context_data(
            title="Risk level and next review",
            caption=f"{case.subject.display_name} · {case.subject.reference}",
            cancel_url=self.return_to(),
            **kwargs,
        )

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "case": self.object,
            "by": self.request.user,
            "risk": data["risk"],
            "next_review_due": data["next_review_due"],
            "reason": data["reason"],
            "version": self.form_version(form),
        }


class CaseCloseRequestView(CaseReturnMixin, ServiceFormView):
    """Ask to close an open case (its allocated worker, or a team manager of its team): the
    closure reason, and the open actions on the subject listed, to confirm they are handed
    over. The team's managers sign it off."""

    queryset = Case.objects.select_related("subject", "team").filter(status=Case.Status.OPEN)
    action = visibility.CHANGE
    form_class = CaseCloseRequestForm
    template_name = "cases/case_close_request.html"
    service = services.case_close_request
    success_message = "Closure of {object.subject.reference} sent to your team manager to sign off."

    @property
    def open_actions(self):
        if not hasattr(self, "_open_actions"):
            self._open_actions = list(services.open_actions_on(self.object))
        return self._open_actions

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "open_actions": bool(self.open_actions)}

    def get_context_data(self, **kwargs):
        case = self.object
        return super().get_context_data(
            case=case,
            open_actions=self.open_actions,
            today=timezone.localdate(),
            caption=f"{case.subject.display_name} · {case.subject.reference}",
            cancel_url=self.return_to(),
            **kwargs,
        )

    def service_arguments(self, form):
        return {
            "case": self.object,
            "by": self.request.user,
            "reason": form.cleaned_data["reason"],
            "open_actions_handed_over": form.cleaned_data.get("open_actions_handed_over", False),
        }


class ActionAddView(SubjectFormView):
    """Add an action on a young person, a place or a peer group: a worker of the authority or a
    partner organisation must do something by a date. For users who may change the record."""

    template_name = "cases/action_form.html"
    form_class = ActionForm
    service = services.action_assign

    def get_form_kwargs(self):
        user = self.request.user
        # A worker is picked from the authority's (the service checks it is the subject's).
        organisations = (
            visibility.restrict(user, Organisation)
            .filter(authority=self.object.authority, is_active=True)
            .order_by("name", "pk")
        )
        return {**super().get_form_kwargs(), "user": user, "organisations": organisations}

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "subject": self.object,
            "description": data["description"],
            "due_on": data["due_on"],
            "assigned_by": self.request.user,
            "owner_user": data["owner_user"],
            "owner_organisation": data["owner_organisation"],
        }

    def get_error_fields(self, form):
        return {"owner": form.owner_field}

    def get_success_message(self, form):
        action = self.result
        owner = action.owner_organisation or action.owner_user
        return f"Action added for {owner}, due by {action.due_on:%-d %B %Y}."


class ActionProgressView(VersionedFormMixin, ServiceFormView):
    """Record progress on an action: its status (not started, in progress, done) and a note,
    by whoever may change it (the rule: the partner organisation it is assigned to, or the
    worker who owns it, or staff who may change its subject), through the service the API's
    ``PATCH /api/v1/actions/{id}/`` uses. Anyone else, and a cancelled action, gets a 404."""

    queryset = Action.objects.select_related("subject").exclude(status=Action.Status.CANCELLED)
    action = visibility.CHANGE
    template_name = "cases/action_progress.html"
    form_class = ActionProgressForm
    service = services.action_record_progress
    success_url = reverse_lazy("home")
    #: Two people updating the action at once: the second is told (``VersionedFormMixin``).
    versioned_fields = ("status", "progress_note")

    def get_initial(self):
        return {"status": self.object.status, "progress_note": self.object.progress_note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Update an action", record=self.object, cancel_url=self.success_url, **kwargs
        )

    def service_arguments(self, form):
        return {
            "action": self.object,
            "by": self.request.user,
            "status": form.cleaned_data["status"],
            "progress_note": form.cleaned_data["progress_note"],
            "version": self.form_version(form),
        }

    def get_success_message(self, form):
        action = self.result
        return f"Action on {action.subject.reference} updated: {action.get_status_display()}."


class TeamManagerMixin(AllowedUsersMixin):
    """Pages for team managers only, about their own team."""

    allowed_users = visibility.manages_team

    @property
    def team(self):
        return self.request.user.team


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
            awaiting_sign_off=selectors.cases_awaiting_sign_off(user=user, team=self.team)[:50],
            team_assessments=assessment_selectors.team_assessments(user)[
                : assessment_selectors.LISTED
            ],
            today=timezone.localdate(),
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


class CaseFormView(TeamManagerMixin, CaseReturnMixin, ServiceFormView):
    """A form about one case of the manager's team (which they may change; else 404). It
    returns to the team caseload, or to the page named by ``?from=`` (:class:`CaseReturnMixin`).
    """

    queryset = Case.objects.select_related("subject", "team", "allocated_worker")
    action = visibility.CHANGE
    page_title = ""
    default_return = "team"

    def get_queryset(self):
        return super().get_queryset().filter(team=self.team)

    def get_context_data(self, **kwargs):
        case = self.object
        return super().get_context_data(
            title=self.page_title,
            caption=f"{case.subject.display_name} · {case.subject.reference}",
            cancel_url=self.return_to(),
            **kwargs,
        )


class CaseAllocateView(CaseFormView):
    form_class = AllocateForm
    page_title = "Allocate"
    service = services.case_allocate
    success_message = "{object.subject.reference} allocated to {worker}."

    def get_form_kwargs(self):
        exclude = self.object.allocated_worker
        return {**super().get_form_kwargs(), "team": self.team, "exclude": exclude}

    def service_arguments(self, form):
        return {
            "case": self.object,
            "worker": form.cleaned_data["worker"],
            "allocated_by": self.request.user,
            "reason": form.cleaned_data["reason"],
        }


class CaseTransferView(CaseFormView):
    form_class = TransferForm
    page_title = "Transfer to another team"
    service = services.transfer_request
    success_message = "Transfer of {object.subject.reference} offered to {to_team}."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def service_arguments(self, form):
        return {
            "case": self.object,
            "to_team": form.cleaned_data["to_team"],
            "requested_by": self.request.user,
            "reason": form.cleaned_data["reason"],
        }


class TransferWithdrawView(TeamManagerMixin, RecordActionView):
    """POST: the offering team's manager takes back a transfer that is still waiting."""

    queryset = TransferRequest.objects.select_related("case__subject", "to_team")
    service = services.transfer_withdraw
    success_message = "Transfer of {object.case.subject.reference} to {object.to_team} withdrawn."

    def get_queryset(self):
        return super().get_queryset().filter(from_team=self.team)

    def service_arguments(self):
        return {"request": self.object, "withdrawn_by": self.request.user}

    def get_redirect_url(self):
        return reverse("cases:team")


class TransferDecisionView(TeamManagerMixin, ServiceFormView):
    """Accept or reject a transfer offered to the manager's team, while it waits."""

    queryset = TransferRequest.objects.select_related(
        "case__subject", "from_team", "to_team", "requested_by"
    )
    template_name = "cases/transfer_decision.html"
    form_class = TransferDecisionForm
    success_url = reverse_lazy("cases:team")

    def get_queryset(self):
        return (
            super().get_queryset().filter(to_team=self.team, status=TransferRequest.Status.PENDING)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(transfer=self.object, **kwargs)

    def perform(self, form):
        transfer, user = self.object, self.request.user
        if form.cleaned_data["decision"] == "accept":
            return services.transfer_accept(request=transfer, accepted_by=user)
        return services.transfer_reject(
            request=transfer, rejected_by=user, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self, form):
        if form.cleaned_data["decision"] == "accept":
            return f"{self.object.case.subject.reference} is now in your team's unallocated queue."
        return "Transfer rejected."


#: Where a form reached from My work returns to (``?from=my-work``).
FROM_MY_WORK = "my-work"


class CaseNoteAddView(SubjectFormView):
    """Write a case note on a young person, a place or a peer group, for users who may change
    it. ``?kind=visit`` chooses the kind ahead (My work's "Record a visit"); ``?from=my-work``
    returns there after the save, otherwise to the subject's page."""

    queryset = Subject.objects.select_related("authority", "youngperson", "peergroup", "context")
    template_name = "cases/case_note_form.html"
    form_class = CaseNoteForm
    service = services.case_note_add
    error_fields = {"occurred_at": "occurred_on"}

    @property
    def from_my_work(self) -> bool:
        return self.request.GET.get("from") == FROM_MY_WORK

    def get_initial(self):
        # Most notes are written the day of the contact: today, already filled in.
        initial = {**super().get_initial(), "occurred_on": timezone.localdate()}
        kind = self.request.GET.get("kind")
        if kind in CaseNote.Kind.values:
            initial["kind"] = kind
        return initial

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "subject_kind": self.object.kind,
            "oversees": visibility.manages_team(self.request.user),
        }

    def get_context_data(self, **kwargs):
        kind = self.get_initial().get("kind")
        title = "Record a visit" if kind == CaseNote.Kind.VISIT else "Add a case note"
        return super().get_context_data(title=title, **kwargs)

    def get_success_url(self):
        return reverse("home") if self.from_my_work else self.object.get_absolute_url()

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "subject": self.object,
            "kind": data["kind"],
            "occurred_at": data.get("occurred_at"),
            "present": data["present"],
            "seen": data.get("seen_value"),
            "seen_alone": data.get("seen_alone_value"),
            "text": data["text"],
            "source": data["source"],
            "reliability": data["reliability"],
            "by": self.request.user,
        }

    def get_success_message(self, form):
        note = self.result
        return (
            f"{note.get_kind_display()} on {note.occurred_at:%-d %B %Y} recorded for "
            f"{self.object.reference}."
        )


class CaseNoteDetailView(RecordDetailView):
    """One case note, whole: its documents, and striking it out (its author or a team manager
    who may change the subject). Its read is audited."""

    model = CaseNote
    queryset = CaseNote.objects.select_related(
        "subject__youngperson",
        "subject__peergroup",
        "subject__context",
        "written_by",
        "struck_by",
    )
    template_name = "cases/case_note_detail.html"

    def get_queryset(self):
        documents = visibility.restrict(self.request.user, Document).order_by("uploaded_at", "pk")
        return super().get_queryset().prefetch_related(Prefetch("documents", queryset=documents))

    def get_context_data(self, **kwargs):
        note, user = self.object, self.request.user
        may_change = visibility.can(user, note, visibility.CHANGE)
        return super().get_context_data(
            note=note,
            can_strike=may_change and not note.is_struck and services.may_strike(user, note),
            can_attach=may_change,
            **kwargs,
        )


class CaseNoteStrikeView(ServiceFormView):
    """Strike out a note written in error, with the reason. It is never deleted."""

    queryset = CaseNote.objects.select_related("subject", "written_by")
    action = visibility.CHANGE
    form_class = CaseNoteStrikeForm
    service = services.case_note_strike
    success_message = "The note is struck out as written in error."

    def get_object(self):
        note = super().get_object()
        if not services.may_strike(self.request.user, note):
            raise NotAllowed(
                "Only the person who wrote a note, or a team manager, can strike it out."
            )
        return note

    def get_context_data(self, **kwargs):
        note = self.object
        return super().get_context_data(
            title="Strike out a note written in error",
            caption=f"{note.get_kind_display()} · {note.occurred_at:%-d %B %Y} · "
            f"{note.subject.reference}",
            cancel_url=note.get_absolute_url(),
            **kwargs,
        )

    def get_success_url(self):
        return self.object.get_absolute_url()

    def service_arguments(self, form):
        return {
            "note": self.object,
            "by": self.request.user,
            "reason": form.cleaned_data["reason"],
        }


class DocumentAddView(SubjectFormView):
    """Attach a document to a subject (``?note=<pk>``: to one of its case notes), for users who
    may change the subject."""

    form_class = DocumentForm
    service = services.document_add

    def dispatch(self, request, *args, **kwargs):
        self.case_note = None
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        subject = super().get_object()
        note = self.request.GET.get("note")
        if note:
            self.case_note = visibility.get_or_404(
                self.request.user, CaseNote, pk=note, subject=subject
            )
        return subject

    def get_context_data(self, **kwargs):
        caption = f"{self.object.reference}"
        if self.case_note is not None:
            caption += (
                f" · {self.case_note.get_kind_display()} on {self.case_note.occurred_at:%-d %B %Y}"
            )
        return super().get_context_data(title="Attach a document", caption=caption, **kwargs)

    def get_success_url(self):
        if self.case_note is not None:
            return self.case_note.get_absolute_url()
        return super().get_success_url()

    def service_arguments(self, form):
        return {
            "subject": self.object,
            "upload": form.cleaned_data["file"],
            "title": form.cleaned_data["title"],
            "by": self.request.user,
            "case_note": self.case_note,
        }

    def get_success_message(self, form):
        return f"Document “{self.result.title}” attached."


class DocumentDownloadView(RecordMixin, View):
    """A document's bytes, for those who may read its subject (the rule; else 404), by its
    reference (never its file name). Always a download (``Content-Disposition: attachment``),
    with the type sniffed when it was added and ``X-Content-Type-Options: nosniff``, never
    cached; every download writes an audit row (``record_download``) before the file leaves."""

    queryset = Document.objects.all()
    pk_url_kwarg = lookup_field = "reference"
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        document = self.object
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("No such document") from None
        record_download(user=request.user, obj=document, size=document.size)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=document.filename,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class CaseClosureDecisionView(CaseFormView):
    """A team manager of the case's team signs off its closure, or returns it to the worker
    with a comment (while it waits: else 404)."""

    form_class = CaseClosureDecisionForm
    template_name = "cases/case_closure_decision.html"
    page_title = "Sign off the closure"
    default_return = "case"

    def get_queryset(self):
        return super().get_queryset().filter(status=Case.Status.CLOSING)

    def get_context_data(self, **kwargs):
        case = self.object
        asked = (
            visibility.restrict(self.request.user, CaseStatusChange)
            .filter(case=case, kind=CaseStatusChange.Kind.CLOSE_REQUESTED)
            .select_related("by")
            .last()
        )
        return super().get_context_data(
            case=case,
            asked=asked,
            open_actions=list(services.open_actions_on(case)),
            today=timezone.localdate(),
            **kwargs,
        )

    def perform(self, form):
        data, user = form.cleaned_data, self.request.user
        if data["decision"] == CaseClosureDecisionForm.SIGN_OFF:
            return services.case_close_sign_off(case=self.object, by=user, comment=data["comment"])
        return services.case_close_return(case=self.object, by=user, comment=data["comment"])

    def get_success_message(self, form):
        reference = self.object.subject.reference
        if form.cleaned_data["decision"] == CaseClosureDecisionForm.SIGN_OFF:
            return f"Closure of {reference} signed off: the case is closed."
        return f"Closure of {reference} returned to the worker."


class CaseReopenView(CaseFormView):
    """A team manager of the case's team reopens a closed case within the reopening period
    (``CASE_REOPEN_DAYS``), with why; after it the page offers a new case instead."""

    form_class = CaseReasonForm
    template_name = "cases/case_reopen.html"
    page_title = "Reopen the case"
    service = services.case_reopen
    default_return = "case"
    success_message = "{object.subject.reference} reopened: it is in your team's unallocated queue."

    def get_queryset(self):
        return super().get_queryset().filter(status=Case.Status.CLOSED)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "label": "Why is the case reopening?",
            "required_message": "Say why the case is reopening",
        }

    def get_context_data(self, **kwargs):
        case = self.object
        return super().get_context_data(
            case=case,
            may_reopen=services.may_reopen(case),
            reopen_until=services.reopen_until(case),
            reopen_days=settings.CASE_REOPEN_DAYS,
            **kwargs,
        )

    def service_arguments(self, form):
        return {"case": self.object, "by": self.request.user, "reason": form.cleaned_data["reason"]}


class CaseOpenView(TeamManagerMixin, SubjectFormView):
    """A team manager opens a new episode of work (a new case) on a subject whose record they
    may change and which has no open case, for their own team."""

    form_class = CaseOpenForm
    service = services.case_open_episode

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Open a new case",
            caption=f"{self.object.display_name} · {self.object.reference} · {self.team}",
            **kwargs,
        )

    def service_arguments(self, form):
        return {
            "subject": self.object,
            "by": self.request.user,
            "reason": form.cleaned_data["reason"],
            "worker": form.cleaned_data["worker"],
        }

    def get_success_message(self, form):
        return f"New case opened on {self.object.reference} for {self.team}."
