"""Meeting pages: the list, arranging one (from a subject's page or an approved assessment; a
MACE panel from the list), the meeting's page (its standing agenda for a MACE panel), and the
forms of each step. Thin: the services decide, the rule reads; opening a meeting is an audited
read."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from cases.models import AgendaItem, Assessment, Meeting
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation
from safeguarding.audit.registry import record_read, record_shown
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.subjects.models import Subject
from safeguarding.views import RecordMixin, ServiceFormView

from . import forms, selectors, services
from .clocks import clocks_of, with_follow_up


def _organisations(authority_id: int):
    return Organisation.objects.filter(
        Q(pk=authority_id) | Q(authority_id=authority_id), is_active=True
    ).order_by("name")


class MeetingListView(LoginRequiredMixin, TemplateView):
    """The meetings the user may see: upcoming (soonest first) and past (newest first, 50).
    Staff who may arrange one are offered a MACE panel here (the other kinds start from a
    subject's page). One audited list."""

    template_name = "meetings/list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kind = self.request.GET.get("kind", "")
        if kind not in Meeting.Kind.values:
            kind = ""
        upcoming = list(selectors.meetings(user, kind=kind, upcoming=True)[:100])
        past = list(selectors.meetings(user, kind=kind, upcoming=False)[:50])
        record_shown("meetings:list", {Meeting: upcoming + past})
        return super().get_context_data(
            upcoming=upcoming,
            past=past,
            kind=kind,
            kinds=Meeting.Kind.choices,
            may_arrange=visibility.meeting_workers(user),
            breaches=selectors.team_breaches(user),
            **kwargs,
        )


class _MeetingMixin(RecordMixin):
    model = Meeting
    queryset = Meeting.objects.select_related(
        *selectors.SUBJECT_RECORDS,
        "chair",
        "co_chair",
        "authority",
        "source_assessment",
        "previous",
    )

    def get_object(self):
        meeting = super().get_object()
        if self.request.method == "GET":
            record_read(meeting)
        return meeting

    def get_context_data(self, **kwargs):
        kwargs.setdefault("meeting", self.object)
        kwargs.setdefault("cancel_url", self.object.get_absolute_url())
        kwargs.setdefault("caption", self.object.name)
        return super().get_context_data(**kwargs)

    def get_success_url(self):
        return self.object.get_absolute_url()


class MeetingView(_MeetingMixin, TemplateView):
    """A meeting: when and where, chair, invitees and attendance, reports, agenda (a MACE
    panel's with each item's latest level, open actions and last review), decisions, actions,
    minutes and clocks; the next steps for whoever may take them. A partner reads the parts
    marked shareable and its own reports, and may send a report before the meeting."""

    template_name = "meetings/meeting.html"

    def get_context_data(self, **kwargs):
        user, meeting = self.request.user, self.object
        parts = selectors.meeting_parts(user, meeting)
        if meeting.kind == Meeting.Kind.MACE:
            parts["agenda"] = selectors.standing_agenda(user, meeting)
        may_change = visibility.can(user, meeting, visibility.CHANGE)
        clocked = with_follow_up(Meeting.objects.filter(pk=meeting.pk)).first()
        invitation = services.invitation_of(user, meeting)
        if meeting.held and visibility.plans_kept_by(user):
            # "Start a plan from this decision": on the subject it is about, if the user sees it.
            for decision in parts["decisions"]:
                item = decision.agenda_item
                about = item.subject if item is not None and item.subject_id else meeting.subject
                if about is not None and about.pk in parts["subjects_seen"]:
                    decision.plan_subject = about
        return super().get_context_data(
            **parts,
            may_change=may_change,
            is_chair=user.pk in (meeting.chair_id, meeting.co_chair_id),
            partner=visibility.is_partner_agency(user),
            may_report=invitation is not None and meeting.status == Meeting.Status.SCHEDULED,
            clocks=clocks_of(clocked) if clocked else [],
            subject_shown=meeting.subject_id in parts["subjects_seen"],
            open_for_minutes=meeting.status
            in (Meeting.Status.HELD, Meeting.Status.MINUTES_DRAFTED),
            today=timezone.localdate(),
            **kwargs,
        )


class MeetingScheduleView(LoginRequiredMixin, View):
    """Arrange a meeting of ``kind``: about ``?subject=<reference>`` (a subject the user may
    change), or a MACE panel (none); ``?assessment=<pk>``: held from that approved assessment;
    ``?previous=<pk>``: a review of an earlier context conference or the next sitting of a
    panel."""

    template_name = "meetings/schedule.html"

    def setup_meeting(self, request, kind):
        if kind not in Meeting.Kind.values or not visibility.meeting_workers(request.user):
            raise Http404("No such page")
        self.kind = kind
        self.subject = self.assessment = self.previous = None
        reference = request.GET.get("subject", "")
        if kind != Meeting.Kind.MACE:
            subject = Subject.objects.filter(reference=reference).first()
            if subject is None or not visibility.can(
                request.user, subject.concrete, visibility.CHANGE
            ):
                raise Http404("No such subject")
            self.subject = subject
        if request.GET.get("assessment", "").isdigit():
            self.assessment = visibility.get_or_404(
                request.user, Assessment, pk=int(request.GET["assessment"])
            )
        if request.GET.get("previous", "").isdigit():
            self.previous = visibility.get_or_404(
                request.user, Meeting, pk=int(request.GET["previous"])
            )

    def form(self, data=None):
        # The chair and co-chair are picked (searched for), never listed: a borough has
        # thousands of staff and partners' users. The service checks who may be which.
        return forms.ScheduleForm(
            data,
            user=self.request.user,
            mace=self.kind == Meeting.Kind.MACE,
            initial={"chair": self.request.user},
        )

    def render(self, form):
        from django.shortcuts import render

        label = Meeting.Kind(self.kind).label
        stage = "Review" if self.previous else ""
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": f"Arrange a {(stage + ' ' + label.lower()).strip().lower()}"
                if stage
                else f"Arrange a {label.lower()}",
                "subject": self.subject,
                "assessment": self.assessment,
                "previous": self.previous,
                "cancel_url": self.subject.get_absolute_url()
                if self.subject
                else reverse("meetings:list"),
            },
        )

    def get(self, request, kind):
        self.setup_meeting(request, kind)
        return self.render(self.form())

    def post(self, request, kind):
        from safeguarding.views import add_service_errors

        self.setup_meeting(request, kind)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form)
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                by=request.user,
                kind=kind,
                subject=self.subject,
                title=data.get("title", ""),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                online=data["online"],
                chair=data["chair"],
                co_chair=data["co_chair"],
                previous=self.previous,
                source_assessment=self.assessment,
            )
        except ApplicationError as error:
            add_service_errors(
                form, error, {"starts_at": "starts", "ends_at": "ends", "subject": None}
            )
            return self.render(form)
        except (RecordNotFound, NotAllowed):
            raise Http404("No such subject") from None
        messages.success(request, f"{meeting.name} arranged. Now invite people to it.")
        return HttpResponseRedirect(reverse("meetings:invite", args=[meeting.pk]))


class _MeetingFormView(_MeetingMixin, ServiceFormView):
    action = visibility.CHANGE


class MeetingChangeView(_MeetingFormView):
    form_class = forms.WhenAndWhereForm
    success_message = "The meeting was changed and its invitees told."
    error_fields = {"starts_at": "starts", "ends_at": "ends"}

    def get_initial(self):
        m = self.object
        start, end = timezone.localtime(m.starts_at), timezone.localtime(m.ends_at)
        return {
            "day": start.date(),
            "starts": start.strftime("%H:%M"),
            "ends": end.strftime("%H:%M"),
            "location": m.location,
            "online": m.online,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Change the time or place", **kwargs)

    def service_arguments(self, form):
        d = form.cleaned_data
        return {
            "by": self.request.user,
            "meeting": self.object,
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "location": d["location"],
            "online": d["online"],
        }

    service = staticmethod(services.meeting_change)


class MeetingCancelView(_MeetingFormView):
    form_class = forms.CancelForm
    service = staticmethod(services.meeting_cancel)
    success_message = "The meeting was cancelled and its invitees told."

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Cancel the meeting", **kwargs)

    def service_arguments(self, form):
        return {"by": self.request.user, "meeting": self.object, **form.cleaned_data}


class InviteView(_MeetingFormView):
    form_class = forms.InviteForm
    service = staticmethod(services.meeting_invite)
    template_name = "meetings/invite.html"
    success_message = "Invited. They are sent the invitation with a calendar entry."

    def get_form_kwargs(self):
        # The person is picked (searched for), never listed; the service checks they work
        # for or with the meeting's authority.
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "organisations": _organisations(self.object.authority_id),
        }

    def get_context_data(self, **kwargs):
        invitees = selectors.meeting_parts(self.request.user, self.object)["invitees"]
        return super().get_context_data(title="Invite people", invitees=invitees, **kwargs)

    def service_arguments(self, form):
        return {"by": self.request.user, "meeting": self.object, **form.cleaned_data}

    def get_success_url(self):
        return reverse("meetings:invite", args=[self.object.pk])


class ReportView(_MeetingMixin, ServiceFormView):
    """An invitee sends a report before the meeting."""

    form_class = forms.ReportForm
    service = staticmethod(services.meeting_report_send)
    success_message = "Report sent to the chair."

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Send a report for the meeting", **kwargs)

    def service_arguments(self, form):
        return {"by": self.request.user, "meeting": self.object, **form.cleaned_data}


class HoldView(_MeetingFormView):
    form_class = forms.HoldForm
    service = staticmethod(services.meeting_hold)
    success_message = "The meeting is recorded as held. Record its decisions and actions."

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "invitees": list(self.object.invitees.select_related("user", "organisation")),
        }

    def get_initial(self):
        return {"held_on": timezone.localdate(self.object.starts_at)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Record the meeting as held", **kwargs)

    def service_arguments(self, form):
        return {
            "by": self.request.user,
            "meeting": self.object,
            "held_on": form.cleaned_data["held_on"],
            "attendance": form.attendance(),
        }


class AgendaItemAddView(_MeetingFormView):
    form_class = forms.AgendaItemForm
    service = staticmethod(services.agenda_item_add)
    success_message = "Added to the agenda."
    # The service's "subject" is the form's three pickers: its error goes on the first.
    error_fields = {"subject": "young_person"}

    def get_form_kwargs(self):
        # The subject is picked (searched for), never listed: the page does not grow with the
        # borough. The service checks what is picked is the meeting's authority's.
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Add to the agenda", **kwargs)

    def service_arguments(self, form):
        return {"by": self.request.user, "meeting": self.object, **form.cleaned_data}


class AgendaItemRecordView(_MeetingFormView):
    form_class = forms.AgendaRecordForm
    service = staticmethod(services.agenda_item_record)
    success_message = "The item's discussion is recorded."

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        self.item = visibility.get_or_404(
            request.user, AgendaItem.objects.filter(meeting=self.object), pk=kwargs["item"]
        )
        return super(RecordMixin, self).dispatch(request, *args, **kwargs)

    def get_initial(self):
        i = self.item
        return {
            "discussion": i.discussion,
            "update": i.update,
            "level": i.level,
            "shareable": i.shareable,
        }

    def get_context_data(self, **kwargs):
        i = self.item
        what = i.subject.reference if i.subject_id else (i.reference or i.theme)
        return super().get_context_data(title=f"Agenda item: {what}", **kwargs)

    def service_arguments(self, form):
        return {"by": self.request.user, "item": self.item, **form.cleaned_data}


class DecisionAddView(_MeetingFormView):
    form_class = forms.DecisionForm
    service = staticmethod(services.decision_record)
    success_message = "Decision recorded."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "strategy": self.object.kind == Meeting.Kind.STRATEGY}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Record a decision", **kwargs)

    def service_arguments(self, form):
        return {"by": self.request.user, "meeting": self.object, **form.cleaned_data}


class MeetingActionAddView(_MeetingFormView):
    form_class = forms.MeetingActionForm
    service = staticmethod(services.meeting_action_add)
    success_message = "Action agreed. Its owner is told."
    error_fields = {"owner": "owner_user", "subject": "young_person"}

    def get_form_kwargs(self):
        # The subject and the worker are picked (searched for), never listed; the service
        # checks the subject is the meeting's or on its agenda, the worker the authority's.
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "organisations": _organisations(self.object.authority_id),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Add an action", **kwargs)

    def service_arguments(self, form):
        return {"by": self.request.user, "meeting": self.object, **form.cleaned_data}


class MinutesView(_MeetingFormView):
    form_class = forms.MinutesForm
    service = staticmethod(services.minutes_draft)
    success_message = "Minutes drafted. The chair approves them before they are circulated."

    def get_initial(self):
        m = self.object
        initial = {"summary": m.minutes_summary, "next_meeting_on": m.next_meeting_on}
        for s in m.minutes.all()[: forms.MinutesForm.SECTIONS]:
            initial |= {
                f"heading_{s.position}": s.heading,
                f"text_{s.position}": s.text,
                f"shareable_{s.position}": s.shareable,
            }
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Write the minutes", **kwargs)

    def service_arguments(self, form):
        return {
            "by": self.request.user,
            "meeting": self.object,
            "summary": form.cleaned_data["summary"],
            "sections": form.sections(),
            "next_meeting_on": form.cleaned_data["next_meeting_on"],
        }


class IcpcHeldView(_MeetingFormView):
    form_class = forms.IcpcHeldForm
    service = staticmethod(services.icpc_held)
    success_message = "The conference is recorded as held."

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Initial child protection conference held", **kwargs)

    def service_arguments(self, form):
        return {"by": self.request.user, "meeting": self.object, **form.cleaned_data}


class _MeetingStepView(_MeetingMixin, View):
    """A button on the meeting page (POST only) that calls ``service(by=, meeting=)``."""

    action = visibility.CHANGE
    service = None
    done = ""

    def post(self, request, pk):
        try:
            type(self).service(by=request.user, meeting=self.object)
        except ApplicationError as error:
            messages.error(request, " ".join(error.messages))
        except NotAllowed as error:
            messages.error(request, str(error))
        except RecordNotFound:
            raise Http404("No such meeting") from None
        else:
            messages.success(request, self.done)
        return HttpResponseRedirect(self.object.get_absolute_url())


class MinutesApproveView(_MeetingStepView):
    service = staticmethod(services.minutes_approve)
    done = "Minutes approved. Circulate them to the invitees."


class MinutesCirculateView(_MeetingStepView):
    service = staticmethod(services.minutes_circulate)
    done = "Minutes circulated to the invitees."
