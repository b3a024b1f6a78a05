"""Assessment pages: start one from a subject's page, its task list (the overview), a page per
section, the evidence pack, check and send for sign-off, the manager's decision, a print view
and the help page saying what each kind is for. Every page reads the assessment through the
one rule; opening one is an audited read."""

import contextlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from safeguarding import text
from safeguarding.accounts import visibility
from safeguarding.audit.registry import record_read
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.subjects.models import Subject
from safeguarding.views import RecordMixin, ServiceFormView, add_service_errors

from . import definitions as d
from . import presentation, selectors, services
from .forms import EvidenceForm, SectionForm, StartForm, SubmitForm
from .models import Assessment, EvidenceItem


def _names(user, assessment: Assessment) -> dict[str, str]:
    """Subject reference → name, for the subjects the assessment's answers link that ``user``
    may see (one query)."""
    references = presentation.linked_references(assessment)
    if not references:
        return {}
    ids = Subject.objects.filter(reference__in=references).values_list("pk", flat=True)
    return {ref: name for ref, name, _, _url in selectors.subject_names(user, ids).values()}


def _approval(assessment: Assessment):
    """The approval waiting for this assessment's sign-off, or ``None``."""
    from safeguarding.approvals.models import Approval

    return (
        Approval.objects.filter(
            target_type=ContentType.objects.get_for_model(Assessment),
            target_id=assessment.pk,
            status="requested",
        )
        .select_related("requested_by")
        .first()
    )


class AssessmentStartView(ServiceFormView):
    """Start an assessment on a young person, place or peer group: the kinds its definitions
    allow that the user may start (none: 404)."""

    queryset = Subject.objects.select_related("authority")
    pk_url_kwarg = lookup_field = "reference"
    template_name = "assessments/start.html"
    form_class = StartForm

    def get_object(self):
        subject = super().get_object()
        self.definitions = [
            x
            for x in services.kinds_for(subject)
            if services.may_start(self.request.user, subject, x)
        ]
        if not self.definitions:
            raise Http404("No assessment to start")
        return subject

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "definitions": self.definitions}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            subject=self.object,
            definitions=self.definitions,
            cancel_url=self.object.get_absolute_url(),
            **kwargs,
        )

    def perform(self, form):
        try:
            return services.assessment_start(
                subject=self.object, kind=form.cleaned_data["kind"], by=self.request.user
            )
        except ApplicationError as error:
            if getattr(error, "code", None) == "in_progress":
                self.in_progress = error.params["assessment"]
            raise
        except NotAllowed:
            raise Http404("No assessment to start") from None

    def form_invalid(self, form):
        in_progress = getattr(self, "in_progress", None)
        if in_progress is not None:
            messages.info(
                self.request, f"Carry on with {in_progress.reference}, already in progress."
            )
            return redirect(in_progress.get_absolute_url())
        return super().form_invalid(form)

    def get_success_message(self, form):
        return f"{self.result.get_kind_display()} started: {self.result.reference}."

    def get_success_url(self):
        return self.result.get_absolute_url()


class _AssessmentMixin(RecordMixin):
    """An assessment read through the rule (``action``); every page that shows it is an
    audited read (on GET: a POST is audited as the change it makes)."""

    model = Assessment
    queryset = Assessment.objects.select_related("subject", "started_by", "organisation")

    def get_object(self):
        assessment = super().get_object()
        if self.request.method == "GET":
            record_read(assessment)
        return assessment

    def get_context_data(self, **kwargs):
        assessment = self.object
        kwargs.setdefault("assessment", assessment)
        kwargs.setdefault("definition", assessment.definition)
        kwargs.setdefault("subject", assessment.subject)
        return super().get_context_data(**kwargs)


def _summary_context(user, assessment: Assessment, partner: bool) -> dict:
    """The ``kind`` context of the definition's summary template (``extra["summary_context"]``,
    ``definitions.Definition``): only when the template is shown (not while the assessment
    is written, nor in a partner agency's summary of a place assessment)."""
    hook = assessment.definition.extra.get("summary_context")
    if hook is None or partner or assessment.open:
        return {}
    return hook(assessment, user)


class AssessmentView(_AssessmentMixin, TemplateView):
    """An assessment's page: while it is being written, its task list (each section, done or
    not, and the evidence pack); once sent, its summary. A partner agency reading an approved
    place assessment sees its summary for partners only (ratings and the conclusion)."""

    template_name = "assessments/assessment.html"

    def get_context_data(self, **kwargs):
        user, assessment = self.request.user, self.object
        partner = visibility.is_partner_agency(user) and assessment.kind != "school"
        may_change = (
            assessment.open
            and visibility.restrict(
                user, Assessment.objects.filter(pk=assessment.pk), "change"
            ).exists()
        )
        approval = _approval(assessment) if assessment.status == "submitted" else None
        items = [] if partner else selectors.evidence_pack(user, assessment)
        return super().get_context_data(
            partner_view=partner,
            sections=presentation.summary(assessment, _names(user, assessment), partner=partner),
            may_change=may_change,
            approval=approval,
            may_decide=approval is not None
            and approval.requested_by_id != user.pk
            and visibility.authorises_warnings(user)
            and visibility.can(user, approval, "change"),
            evidence_count=len(items),
            evidence_waiting=sum(1 for i in items if i.state == EvidenceItem.State.SUGGESTED),
            evidence_kept=[i for i in items if i.kept],
            events=list(
                visibility.restrict(user, assessment.events.select_related("by")).order_by("at")
            ),
            overdue=assessment.is_overdue(),
            extra_template=assessment.definition.extra.get("summary_template", ""),
            kind=_summary_context(user, assessment, partner),
            **kwargs,
        )


class AssessmentPrintView(AssessmentView):
    """The assessment as it prints (GOV.UK print styles): for conferences and partners."""

    template_name = "assessments/print.html"


class SectionView(_AssessmentMixin, FormView):
    """One section's questions: "Save and come back later" keeps whatever is typed; "Save and
    mark as complete" also checks the section is answered (if not, the answers are still
    saved, and the page says what is missing, at each question)."""

    action = visibility.CHANGE
    template_name = "assessments/section.html"
    form_class = SectionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if not self.object.open:
            return redirect(self.object.get_absolute_url())
        try:
            self.section = self.object.definition.section(kwargs["section"])
        except LookupError:
            raise Http404("No such section") from None
        self.items = selectors.evidence_pack(request.user, self.object)
        # The record is read above: on to the form, past RecordMixin's own read.
        return super(RecordMixin, self).dispatch(request, *args, **kwargs)

    def prefilled(self) -> dict:
        """The definition's pre-filled answers for this section's unanswered questions
        (``extra["initial"]``, ``definitions.Definition``): question key → answer dict."""
        hook = self.object.definition.extra.get("initial")
        if hook is None:
            return {}
        answers = self.object.answers
        return {
            key: answer
            for key, answer in hook(self.section.key, answers, timezone.localdate()).items()
            if (answers.get(key) or {}).get("value") in (None, "", [])
        }

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "section": self.section,
            "answers": {**self.object.answers, **self.prefilled()},
            "subjects": selectors.linkable_subjects(self.request.user, self.object, self.items),
        }

    def get_context_data(self, **kwargs):
        definition = self.object.definition
        sections = definition.sections
        index = [s.key for s in sections].index(self.section.key)
        hook = definition.extra.get("section_context")
        return super().get_context_data(
            section_template=definition.extra.get("section_templates", {}).get(
                self.section.key, ""
            ),
            section_extra=(
                hook(self.section.key, self.object.answers, timezone.localdate()) if hook else {}
            ),
            prefilled=list(self.prefilled()),
            section=self.section,
            evidence=[i for i in self.items if i.section == self.section.key and i.kept],
            evidence_waiting=[
                i
                for i in self.items
                if i.section == self.section.key and i.state == EvidenceItem.State.SUGGESTED
            ],
            next_section=sections[index + 1] if index + 1 < len(sections) else None,
            done=self.section.key in self.object.sections_done,
            **kwargs,
        )

    def autosaving(self) -> bool:
        """The page saving itself while someone types (``static/js/autosave.js``): saved as
        it is, the answer is JSON, never a redirect."""
        return self.request.POST.get("autosave") == "1"

    def form_valid(self, form):
        complete = None if self.autosaving() else "complete" in self.request.POST
        try:
            problems = services.assessment_save_section(
                assessment=self.object,
                section=self.section.key,
                answers=form.answers(),
                complete=complete,
                by=self.request.user,
            )
        except RecordNotFound:
            raise Http404("No such record") from None
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if complete is None:
            return JsonResponse({"saved": True, "at": timezone.localtime().strftime("%H:%M")})
        if problems:
            for key, message in problems.items():
                form.add_error(key if key in form.fields else None, message)
            self.object.refresh_from_db()
            return self.render_to_response(self.get_context_data(form=form, saved_incomplete=True))
        if complete:
            messages.success(self.request, f"{self.section.title}: complete.")
        else:
            messages.success(
                self.request, f"{self.section.title}: saved. Come back to it any time."
            )
        return HttpResponseRedirect(self.object.get_absolute_url())

    def form_invalid(self, form):
        # Save what is valid, so nothing typed is lost: the page shows the rest as typed.
        valid = {}
        for question in self.section.questions:
            names = [
                n for n in form.fields if n == question.key or n.startswith(question.key + "__")
            ]
            if not any(n in form.errors for n in names):
                valid[question.key] = form.answers().get(question.key, {})
        if valid and not getattr(self, "_saving_invalid", False):
            self._saving_invalid = True
            with contextlib.suppress(ApplicationError, RecordNotFound):
                services.assessment_save_section(
                    assessment=self.object,
                    section=self.section.key,
                    answers=valid,
                    complete=None if self.autosaving() else False,
                    by=self.request.user,
                )
        if self.autosaving():
            return JsonResponse(
                {"saved": True, "at": timezone.localtime().strftime("%H:%M"), "errors": True}
            )
        return super().form_invalid(form)


class EvidencePackForm(forms.Form):
    """Keep, change or drop every item of an evidence pack on one page."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            base = EvidenceForm()
            state = forms.ChoiceField(
                label="Use this evidence?",
                choices=base.fields["state"].choices,
                widget=forms.RadioSelect,
                required=False,
                initial=None if item.state == EvidenceItem.State.SUGGESTED else item.state,
            )
            self.fields[f"state_{item.pk}"] = state
            self.fields[f"text_{item.pk}"] = text.CharField(
                label="The evidence as it should read",
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=item.edited_text or item.text,
            )

    def rows(self):
        return [(item, self[f"state_{item.pk}"], self[f"text_{item.pk}"]) for item in self.items]


class EvidencePackView(_AssessmentMixin, FormView):
    """The evidence pack on one page, by section: each item with its source and reliability,
    to keep, change or drop. "Keep all the rest" keeps every item not yet looked at."""

    action = visibility.CHANGE
    template_name = "assessments/evidence.html"
    form_class = EvidencePackForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if not self.object.open:
            return redirect(self.object.get_absolute_url())
        self.items = selectors.evidence_pack(request.user, self.object)
        # The record is read above: on to the form, past RecordMixin's own read.
        return super(RecordMixin, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "items": self.items}

    def get_context_data(self, **kwargs):
        titles = {s.key: s.title for s in self.object.definition.sections}
        return super().get_context_data(section_titles=titles, **kwargs)

    def form_valid(self, form):
        keep_rest = "keep_rest" in self.request.POST
        errors = False
        for item, state_field, text_field in form.rows():
            state = form.cleaned_data.get(state_field.name) or ""
            new_text = form.cleaned_data.get(text_field.name) or ""
            if not state:
                continue
            if state == item.state and (state != "edited" or new_text == item.edited_text):
                continue
            try:
                services.evidence_decide(
                    item=item, state=state, text=new_text, by=self.request.user
                )
            except ApplicationError as error:
                errors = True
                for message in error.messages:
                    form.add_error(text_field.name, message)
            except RecordNotFound:
                raise Http404("No such record") from None
        if errors:
            return self.form_invalid(form)
        if keep_rest:
            try:
                services.evidence_keep_rest(assessment=self.object, by=self.request.user)
            except RecordNotFound:
                raise Http404("No such record") from None
        messages.success(self.request, "Evidence pack saved.")
        return HttpResponseRedirect(self.object.get_absolute_url())


class AssessmentSubmitView(_AssessmentMixin, ServiceFormView):
    """Check the answers and send the assessment for sign-off by a team manager."""

    action = visibility.CHANGE
    template_name = "assessments/submit.html"
    form_class = SubmitForm

    def get_context_data(self, **kwargs):
        assessment = self.object
        return super().get_context_data(
            sections=presentation.summary(assessment, _names(self.request.user, assessment)),
            not_done=[
                s for s in assessment.definition.sections if s.key not in assessment.sections_done
            ],
            **kwargs,
        )

    def perform(self, form):
        return services.assessment_submit(
            assessment=self.object, by=self.request.user, note=form.cleaned_data["note"]
        )

    def form_valid(self, form):
        if not self.object.open:
            return redirect(self.object.get_absolute_url())
        return super().form_valid(form)

    def get_success_message(self, form):
        return "Sent for sign-off. A team manager has been told."

    def get_success_url(self):
        return self.object.get_absolute_url()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve it"), ("return", "Return it with comments")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve it or return it"},
    )
    comments = text.CharField(
        label="Comments",
        help_text="Needed when you return it: say what must change.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("comments"):
            self.add_error("comments", "Say what needs to change")
        return data


class AssessmentDecisionView(_AssessmentMixin, ServiceFormView):
    """A team manager approves the assessment or returns it with comments (never the person
    who sent it: ``safeguarding.approvals``)."""

    action = visibility.CHANGE
    template_name = "assessments/decision.html"
    form_class = DecisionForm

    def get_object(self):
        assessment = super().get_object()
        self.approval = _approval(assessment) if assessment.status == "submitted" else None
        if self.approval is None or not visibility.authorises_warnings(self.request.user):
            raise Http404("Nothing to decide")
        return assessment

    def get_context_data(self, **kwargs):
        assessment = self.object
        return super().get_context_data(
            approval=self.approval,
            sections=presentation.summary(assessment, _names(self.request.user, assessment)),
            evidence_kept=[
                i for i in selectors.evidence_pack(self.request.user, assessment) if i.kept
            ],
            **kwargs,
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
            return f"{self.object.reference} approved."
        return f"{self.object.reference} returned with your comments."

    def get_success_url(self):
        return self.object.get_absolute_url()


class AssessmentHelpView(TemplateView):
    """What each kind of assessment is for, in the practitioners' words (public to signed-in
    users: no records)."""

    template_name = "assessments/help.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            definitions=d.current(), due_days=settings.ASSESSMENT_DUE_WORKING_DAYS, **kwargs
        )
