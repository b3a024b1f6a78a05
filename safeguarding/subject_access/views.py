"""Subject access pages (``/data-protection/subject-access/``): the officer's list (due soonest
first, overdue tagged), a new request, a request's page with its steps, the bundle's review
(redactions highlighted, withdrawn or added) and its downloads (PDF and JSON, audited).

Every page is the data protection officer's (``visibility.protects_data``) and reads the
request through the rule with ``visibility.ACCOUNT``: a request of another authority, or anyone
else asking, is a 404.
"""

from django.contrib import messages
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError
from safeguarding.pagination import paginate
from safeguarding.views import (
    AllowedUsersMixin,
    RecordActionView,
    RecordMixin,
    ServiceFormView,
    add_service_errors,
)

from . import output, services
from . import redaction as r
from .forms import (
    AddRedactionForm,
    ExtendForm,
    IdentityForm,
    RefuseForm,
    RequestForm,
    SentForm,
    WithdrawRedactionForm,
)
from .models import Bundle, SubjectAccessRequest

ACCOUNT = visibility.ACCOUNT


def requests_due(user):
    """The officer's authority's requests, open ones first, each by its due date (extended or
    not) soonest first; then the finished, most recent first. Empty for anyone else."""
    from django.db.models import Case, IntegerField, Value, When

    finished = Case(
        When(status__in=SubjectAccessRequest.FINISHED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        visibility.restrict(user, SubjectAccessRequest, ACCOUNT)
        .select_related("young_person__subject")
        .annotate(due=Coalesce(F("extended_due_on"), F("due_on")), finished_=finished)
        .order_by("finished_", "due", "pk")
    )


class RequestListView(AllowedUsersMixin, TemplateView):
    """``/data-protection/subject-access/``: every request of the authority (50 a page)."""

    allowed_users = visibility.protects_data
    template_name = "subject_access/list.html"

    def get_context_data(self, **kwargs):
        page = paginate(self.request, requests_due(self.request.user), per_page=50)
        return super().get_context_data(page=page, today=timezone.localdate(), **kwargs)


class RequestCreateView(AllowedUsersMixin, ServiceFormView):
    """A new request. The young person is found among the authority's (ACCOUNT)."""

    allowed_users = visibility.protects_data
    template_name = "subject_access/request_form.html"
    form_class = RequestForm

    def dispatch(self, request, *args, **kwargs):
        # No record to read first: the form finds the young person.
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not visibility.protects_data(request.user):
            raise Http404("No such page")
        self.object = None
        return super(RecordMixin, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"received_on": timezone.localdate()}

    def perform(self, form):
        data = form.cleaned_data
        return services.request_record(
            by=self.request.user,
            young_person=form.person,
            requester_name=data["requester_name"],
            requester_relationship=data["requester_relationship"],
            requester_contact=data["requester_contact"],
            received_on=data["received_on"],
            scope=data["scope"],
            scope_from=data.get("scope_from"),
            scope_to=data.get("scope_to"),
            scope_notes=data.get("scope_notes", ""),
        )

    def get_success_message(self, form):
        return f"Request {self.result.reference} recorded: due {self.result.due_on:%-d %B %Y}."

    def get_success_url(self):
        return self.result.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cancel_url=reverse("subject_access:list"), title="New subject access request", **kwargs
        )


class _RequestMixin(AllowedUsersMixin):
    allowed_users = visibility.protects_data
    queryset = SubjectAccessRequest.objects.select_related(
        "young_person__subject", "authority", "identity_checked_by", "created_by"
    )
    action = ACCOUNT

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_redirect_url(self):
        return self.object.get_absolute_url()


class RequestDetailView(_RequestMixin, RecordMixin, TemplateView):
    """A request: who asked, about whom, when due, its steps, and what may be done next."""

    template_name = "subject_access/request.html"

    def get_context_data(self, **kwargs):
        sar = self.object
        bundle = visibility.restrict(
            self.request.user, Bundle.objects.filter(request=sar), ACCOUNT
        ).first()
        S = SubjectAccessRequest.Status
        return super().get_context_data(
            sar=sar,
            bundle=bundle,
            today=timezone.localdate(),
            may_check_identity=sar.status in (S.RECEIVED, S.IDENTITY_CHECKED),
            may_compile=sar.status in (S.IDENTITY_CHECKED, S.COMPILED, S.REVIEWED),
            may_send=sar.status == S.REVIEWED,
            may_close=sar.status == S.SENT,
            may_download=bundle is not None and sar.status in (S.REVIEWED, S.SENT, S.CLOSED),
            **kwargs,
        )


class _RequestFormView(_RequestMixin, ServiceFormView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sar=self.object,
            caption=self.object.reference,
            cancel_url=self.object.get_absolute_url(),
            **kwargs,
        )


class IdentityView(_RequestFormView):
    form_class = IdentityForm
    extra_context = {"title": "Record the identity check"}
    success_message = "Identity check recorded."

    def get_initial(self):
        return {"checked_on": timezone.localdate()}

    def perform(self, form):
        return services.identity_record(
            request=self.object, by=self.request.user, **form.cleaned_data
        )


class ExtendView(_RequestFormView):
    form_class = ExtendForm
    extra_context = {"title": "Extend the time to respond"}
    success_message = "Request extended: due {result.extended_due_on:%-d %B %Y}."

    def perform(self, form):
        return services.request_extend(
            request=self.object, by=self.request.user, **form.cleaned_data
        )


class RefuseView(_RequestFormView):
    form_class = RefuseForm
    extra_context = {"title": "Refuse the request"}
    success_message = "Request refused."

    def perform(self, form):
        return services.request_refuse(
            request=self.object, by=self.request.user, reason=form.cleaned_data["reason"]
        )


class SentView(_RequestFormView):
    form_class = SentForm
    extra_context = {"title": "Record that the bundle was sent"}
    success_message = "Recorded as sent."

    def get_initial(self):
        return {"sent_on": timezone.localdate()}

    def perform(self, form):
        return services.request_mark_sent(
            request=self.object, by=self.request.user, sent_on=form.cleaned_data["sent_on"]
        )


class CompileView(_RequestMixin, RecordActionView):
    service = services.bundle_compile
    success_message = "Bundle compiled: review its redactions before it is sent."

    def service_arguments(self):
        return {"request": self.object, "by": self.request.user}

    def get_redirect_url(self):
        if getattr(self, "result", None) is not None:
            return reverse("subject_access:bundle", args=[self.object.pk])
        return self.object.get_absolute_url()


class ReviewedView(_RequestMixin, RecordActionView):
    service = services.bundle_mark_reviewed
    success_message = "Bundle reviewed: it may be downloaded and sent."

    def service_arguments(self):
        return {"request": self.object, "by": self.request.user}


class CloseView(_RequestMixin, RecordActionView):
    service = services.request_close
    success_message = "Request closed."

    def service_arguments(self):
        return {"request": self.object, "by": self.request.user}


class BundleView(_RequestMixin, RecordMixin, TemplateView):
    """The bundle for review: every item with its redactions highlighted (label, reason and
    what was redacted), the list of redactions, each with a form to withdraw it, and a form to
    redact more. POST: ``withdraw`` (with ``redaction`` and ``reason``) or ``add``."""

    template_name = "subject_access/bundle.html"

    def get_bundle(self):
        bundle = Bundle.objects.filter(request=self.object).select_related(
            "compiled_by", "reviewed_by"
        )
        bundle = visibility.restrict(self.request.user, bundle, ACCOUNT).first()
        if bundle is None:
            raise Http404("No bundle")
        return bundle

    def get_context_data(self, **kwargs):
        bundle = kwargs.pop("bundle", None) or self.get_bundle()
        redactor = r.Redactor.of(bundle.redactions)
        used = r.usage(bundle.items, bundle.redactions)
        redactions = [{**x, "times": used.get(x["id"], 0)} for x in bundle.redactions]
        return super().get_context_data(
            sar=self.object,
            bundle=bundle,
            items=[r.highlighted_item(item, redactor) for item in bundle.items],
            redactions=redactions,
            add_form=kwargs.pop("add_form", None) or AddRedactionForm(),
            withdraw_errors=kwargs.pop("withdraw_errors", {}),
            may_change=self.object.status
            in (SubjectAccessRequest.Status.COMPILED, SubjectAccessRequest.Status.REVIEWED),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        user = self.request.user
        if "add" in request.POST:
            form = AddRedactionForm(request.POST)
            if form.is_valid():
                try:
                    services.redaction_add(request=self.object, by=user, **form.cleaned_data)
                except ApplicationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, "Redaction added.")
                    return HttpResponseRedirect(request.path)
            return self.render_to_response(self.get_context_data(add_form=form))
        form = WithdrawRedactionForm(request.POST)
        redaction_id = request.POST.get("redaction", "")
        if form.is_valid():
            try:
                services.redaction_withdraw(
                    request=self.object,
                    by=user,
                    redaction_id=redaction_id,
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Redaction withdrawn: the words are shown as written.")
                return HttpResponseRedirect(request.path)
        errors = {redaction_id: [e for errs in form.errors.values() for e in errs]}
        return self.render_to_response(self.get_context_data(withdraw_errors=errors))


class _DownloadView(_RequestMixin, RecordMixin, TemplateView):
    """A reviewed bundle, downloaded (audited before it leaves)."""

    fmt = ""
    content_type = ""

    def render(self, bundle) -> bytes:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        S = SubjectAccessRequest.Status
        if self.object.status not in (S.REVIEWED, S.SENT, S.CLOSED):
            messages.error(request, "Review the bundle before it is downloaded.")
            return HttpResponseRedirect(self.object.get_absolute_url())
        bundle = visibility.restrict(
            request.user, Bundle.objects.filter(request=self.object), ACCOUNT
        ).first()
        if bundle is None:
            raise Http404("No bundle")
        body = self.render(bundle)
        output.audit_download(user=request.user, bundle=bundle, fmt=self.fmt, size=len(body))
        response = HttpResponse(body, content_type=self.content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{self.object.reference}.{self.fmt}"'
        )
        response["Cache-Control"] = "no-store"
        return response


class PdfView(_DownloadView):
    fmt, content_type = "pdf", "application/pdf"

    def render(self, bundle):
        return output.bundle_pdf(bundle)


class JsonView(_DownloadView):
    fmt, content_type = "json", "application/json"

    def render(self, bundle):
        return output.bundle_json(bundle)
