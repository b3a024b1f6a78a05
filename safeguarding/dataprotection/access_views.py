"""The access log's pages (``/data-protection/access/...``): for ``protects_data`` only (a 404
to anyone else), reading through ``visibility.ACCOUNT`` (another authority's young person,
place, group or user is a 404 too). Opening a log is itself audited: a young person's, place's
or group's log writes a "shown" row about it, a person's log a read of the user, so the
officer's own looking is on record."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView, View

from safeguarding.accounts import visibility
from safeguarding.audit.registry import record_shown
from safeguarding.errors import ApplicationError, RecordNotFound
from safeguarding.exports import csv_response
from safeguarding.pagination import paginate
from safeguarding.views import AllowedUsersMixin, add_service_errors

from . import access, services
from .forms import LogFilterForm, ReviewForm, UnusualAccessForm

#: Rows of a log a page.
PER_PAGE = 50


class OfficerPage(AllowedUsersMixin):
    allowed_users = visibility.protects_data


class AccessHomeView(OfficerPage, TemplateView):
    """``/data-protection/access/``: find a young person, place or peer group by reference or
    name (``q``), or a person (``person``: a name or username), to open their access log.
    Searched by POST, like the search page: a child's name typed stays out of addresses,
    browser history and access logs."""

    template_name = "dataprotection/access_home.html"

    def post(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**kwargs))

    def get_context_data(self, **kwargs):
        officer = self.request.user
        typed = self.request.POST
        text = typed.get("q", "").strip()
        matches = access.find_subjects(officer, text)
        if matches:
            shown = {}
            for record in matches:
                shown.setdefault(type(record), []).append(record)
            record_shown("dataprotection:access", shown)
        person = typed.get("person", "").strip()
        people = []
        if len(person) >= 2:
            from django.db.models import Q

            people = list(
                access.authority_users(officer)
                .filter(
                    Q(username__icontains=person)
                    | Q(first_name__icontains=person)
                    | Q(last_name__icontains=person)
                )
                .select_related("organisation", "team")[: access.MATCHES]
            )
        return super().get_context_data(
            q=text, matches=matches, person=person, people=people, **kwargs
        )


class _LogMixin(OfficerPage):
    def filters(self, users=None):
        form = LogFilterForm(self.request.GET or None, users=users)
        if form.is_bound and form.is_valid():
            return form, form.cleaned_data
        return form, ({} if not form.is_bound else None)


class SubjectLogView(_LogMixin, TemplateView):
    """``/data-protection/access/<reference>/``: a young person's, place's or peer group's
    access log, newest first, filtered by who and by days, 50 rows a page."""

    template_name = "dataprotection/subject_log.html"

    def get_context_data(self, **kwargs):
        officer = self.request.user
        record = access.subject_record(officer, self.kwargs["reference"])
        record_shown("dataprotection:subject-log", {type(record): [record]})
        form, data = self.filters(users=access.authority_users(officer))
        page = None
        if data is not None:
            rows = access.subject_log(
                officer,
                record,
                user=data.get("user"),
                since=data.get("since"),
                until=data.get("until"),
            )
            page = paginate(self.request, rows, per_page=PER_PAGE)
            page.entries = [access.describe(row) for row in page.object_list]
        return super().get_context_data(
            record=record,
            form=form,
            page=page,
            export_url=reverse("dataprotection:subject-log-export", args=[record.subject.reference])
            + (f"?{self.request.GET.urlencode()}" if self.request.GET else ""),
            **kwargs,
        )


class SubjectLogExportView(_LogMixin, View):
    """``.../export/``: the same log (same filters) as CSV, audited as an export."""

    def get(self, request, reference):
        officer = request.user
        record = access.subject_record(officer, reference)
        record_shown("dataprotection:subject-log-export", {type(record): [record]})
        _form, data = self.filters(users=access.authority_users(officer))
        if data is None:
            return redirect(reverse("dataprotection:subject-log", args=[reference]))
        rows = access.subject_log(
            officer, record, user=data.get("user"), since=data.get("since"), until=data.get("until")
        )
        return csv_response(
            user=officer,
            model=type(record),
            name="access-log",
            filename=f"access-log-{record.subject.reference}.csv",
            header=access.CSV_HEADER,
            rows=access.csv_rows(rows),
            filters={
                "subject": record.subject.reference,
                "user": data["user"].pk if data.get("user") else None,
                "since": data["since"].isoformat() if data.get("since") else None,
                "until": data["until"].isoformat() if data.get("until") else None,
            },
        )


class UserLogView(_LogMixin, TemplateView):
    """``/data-protection/access/users/<pk>/``: what one person opened, listed, exported and
    downloaded (and changed), newest first, filtered by days, 50 rows a page."""

    template_name = "dataprotection/user_log.html"

    def get_context_data(self, **kwargs):
        officer = self.request.user
        person = access.authority_user(officer, self.kwargs["pk"])
        access.record_looked_at_user(officer, person)
        form, data = self.filters()
        page = None
        if data is not None:
            rows = access.user_log(
                officer, person, since=data.get("since"), until=data.get("until")
            )
            page = paginate(self.request, rows, per_page=PER_PAGE)
            page.entries = [access.describe(row) for row in page.object_list]
        return super().get_context_data(
            person=person,
            form=form,
            page=page,
            export_url=reverse("dataprotection:user-log-export", args=[person.pk])
            + (f"?{self.request.GET.urlencode()}" if self.request.GET else ""),
            **kwargs,
        )


class UserLogExportView(_LogMixin, View):
    """``.../export/``: one person's log (same filters) as CSV, audited as an export."""

    def get(self, request, pk):
        officer = request.user
        person = access.authority_user(officer, pk)
        access.record_looked_at_user(officer, person)
        _form, data = self.filters()
        if data is None:
            return redirect(reverse("dataprotection:user-log", args=[pk]))
        rows = access.user_log(officer, person, since=data.get("since"), until=data.get("until"))
        return csv_response(
            user=officer,
            model=type(person),
            name="user-access-log",
            filename=f"user-access-log-{person.pk}.csv",
            header=access.CSV_HEADER,
            rows=access.csv_rows(rows),
            filters={
                "user": person.pk,
                "since": data["since"].isoformat() if data.get("since") else None,
                "until": data["until"].isoformat() if data.get("until") else None,
            },
        )


class UnusualAccessView(OfficerPage, TemplateView):
    """``/data-protection/access/unusual/``: the unusual-access report (``access.unusual_access``)
    for the days chosen (the last 7 by default); each row links to the person's log of that
    day and may be marked reviewed with a note (POST)."""

    template_name = "dataprotection/unusual_access.html"

    def get_context_data(self, review_form=None, **kwargs):
        form = UnusualAccessForm(self.request.GET)
        findings = []
        if form.is_valid():
            findings = access.unusual_access(
                self.request.user,
                since=form.cleaned_data["since"],
                until=form.cleaned_data["until"],
            )
        limits = access.thresholds()
        return super().get_context_data(
            form=form,
            findings=[(finding, finding.reasons(limits)) for finding in findings],
            report_supported=access.report_supported(),
            limits=limits,
            review_form=review_form,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = ReviewForm(request.POST)
        if form.is_valid():
            from safeguarding.accounts.models import User

            person = User(pk=form.cleaned_data["user"])
            try:
                services.mark_reviewed(
                    officer=request.user,
                    person=person,
                    day=form.cleaned_data["day"],
                    note=form.cleaned_data["note"],
                )
            except RecordNotFound:
                raise Http404("No such record") from None
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                return redirect(f"{request.path}?{request.GET.urlencode()}")
        return self.render_to_response(self.get_context_data(review_form=form))
