"""The front door: making a referral in the browser, the triage queue and deciding a
referral."""

import re
import uuid

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView

from cases import selectors, services
from cases.casework.views import TeamManagerMixin
from cases.forms import (
    TriageDecisionForm,
)
from cases.front_door.forms import (
    ADD_YOUNG_PERSON,
    MAX_REFERRED_YOUNG_PEOPLE,
    REMOVE_YOUNG_PERSON,
    ReferralForm,
    ReferredYoungPeopleFormSet,
)
from cases.models import (
    Referral,
    YoungPerson,
)
from safeguarding import duplicates
from safeguarding.accounts import visibility
from safeguarding.audit.registry import record_read
from safeguarding.duplicates import PossibleDuplicates
from safeguarding.errors import ApplicationError, NotAllowed
from safeguarding.formsets import rearranged, unchecked
from safeguarding.pagination import paginate
from safeguarding.views import (
    AllowedUsersMixin,
    RecordActionView,
    RecordDetailView,
    RecordMixin,
    ServiceFormView,
    add_service_errors,
)


class ReferralDetailView(RecordDetailView):
    model = Referral
    queryset = Referral.objects.select_related("source_organisation", "decided_by")

    def get_context_data(self, **kwargs):
        from cases.models import ReferralSubject
        from cases.restrictions.selectors import people_shown, text_shown

        # A restricted young person is shown only to whoever may see their record
        # (people_shown: the one place that decides it for referrals and concerns), and is
        # not named in the narrative to anyone else (text_shown).
        rows = ReferralSubject.objects.filter(referral=self.object)
        return super().get_context_data(
            about=people_shown(self.request.user, rows),
            narrative=text_shown(self.request.user, rows, self.object.narrative),
            **kwargs,
        )


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


class TriageDecideView(TeamManagerMixin, ServiceFormView):
    """Decide a referral waiting at the front door (received or being screened): the people
    and places it may be about, and the decision. Opening it is an audited read."""

    queryset = Referral.objects.select_related("source_organisation").prefetch_related(
        "harm_categories"
    )
    action = visibility.CHANGE
    template_name = "cases/triage_decide.html"
    form_class = TriageDecisionForm
    service = services.referral_decide
    success_url = reverse_lazy("cases:triage")

    def get_queryset(self):
        statuses = [Referral.Status.RECEIVED, Referral.Status.SCREENING]
        return super().get_queryset().filter(status__in=statuses)

    def get_object(self):
        referral = super().get_object()
        record_read(referral)
        self.known = selectors.known_for_referral(user=self.request.user, referral=referral)
        return referral

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "known": self.known}

    def get_error_fields(self, form):
        # What the service says of the links ("nothing to work on") is said at the first
        # person's or place's field, so the error summary links to where it is put right.
        first = next((name for name in form.fields if name.startswith("link_")), None)
        return {"links": first} if first else {}

    def get_context_data(self, **kwargs):
        from cases.models import ReferralSubject
        from cases.restrictions.selectors import Withheld, people_shown, text_shown

        # The people linked to a restricted record the manager may not see: said, not named
        # (in the list, and in the referrer's words).
        rows = ReferralSubject.objects.filter(referral=self.object)
        shown = people_shown(self.request.user, rows)
        withheld = [row for row in shown if isinstance(row, Withheld)]
        return super().get_context_data(
            referral=self.object,
            narrative=text_shown(self.request.user, rows, self.object.narrative),
            known=self.known,
            withheld=withheld,
            time_left=self.object.decision_due_at - timezone.now(),
            **kwargs,
        )

    def service_arguments(self, form):
        return {
            "referral": self.object,
            "decision": form.cleaned_data["decision"],
            "reason": form.cleaned_data["reason"],
            "decided_by": self.request.user,
            "links": form.links(),
            "confirmed_new": form.confirmed_new(),
        }

    def perform(self, form):
        try:
            return super().perform(form)
        except PossibleDuplicates as possible:
            # Said at each row's link, naming what is on record (the radios offer it).
            raise ApplicationError(
                {
                    f"link_{row_id}": "Already on record: "
                    + "; ".join(_label(record) for record in found)
                    + ". Link to it, or confirm that a new record is needed."
                    for row_id, found in possible.matches.items()
                }
            ) from None

    def get_success_message(self, form):
        decision = Referral.Decision(form.cleaned_data["decision"]).label
        return f"Referral {self.object.reference}: {decision}."


def _label(record) -> str:
    if isinstance(record, YoungPerson):
        return duplicates.young_person_label(record)
    return duplicates.place_label(record)


class TriageStartScreeningView(TeamManagerMixin, RecordActionView):
    """POST: a team manager starts screening a referral just received, and goes on to it."""

    model = Referral
    action = visibility.CHANGE
    service = services.referral_start_screening

    def service_arguments(self):
        return {"referral": self.object, "by": self.request.user}

    def get_redirect_url(self):
        return reverse("cases:triage-decide", args=[self.object.pk])


triage_start_screening = TriageStartScreeningView.as_view()


#: Where each of the service's problems is shown on the referral form (the API's field paths,
#: ``ApplicationError`` keys of ``referral_receive``, to the form's fields).
REFERRAL_FORM_FIELDS = {
    "contexts[0].reference": "place",
    "contexts[0].name": "place_name",
    "contexts[0].kind": "place_kind",
    "referrer.name": "referrer_name",
    "referrer.email": "referrer_email",
}
#: The form's fields that describe a place (any of them typed: the referral names a place).
PLACE_DESCRIBED = ("place_name", "place_kind", "place_address", "place_postcode")
_PERSON_PROBLEM = re.compile(r"^young_people\[(\d+)\]\.(\w+)$")


class ReferralMakeView(AllowedUsersMixin, TemplateView):
    """Make a referral to the front door in the browser: partner agencies, and staff who refer
    (``visibility.refers``). It creates what ``POST /api/v1/referrals/`` creates, through the
    same service (``referral_receive``), refused with the same rules and messages, shown the
    GOV.UK way (the error summary, and each message at its field) with everything typed kept.

    A one-time token in the form makes a second sending (a double click, a reload) show the
    referral the first made instead of making another (``referral_receive_once``, as the
    API's ``Idempotency-Key``). "Add another young person" and "Remove" send the page back
    with a row more or less, unchecked and unsaved (:mod:`safeguarding.formsets`).
    """

    allowed_users = visibility.refers
    template_name = "cases/referral_form.html"
    extra_context = {
        "add_row": ADD_YOUNG_PERSON,
        "remove_row": REMOVE_YOUNG_PERSON,
        "max_rows": MAX_REFERRED_YOUNG_PEOPLE,
    }

    def get(self, request, *args, **kwargs):
        user = request.user
        form = ReferralForm(
            user=user,
            # The name only: a user record's other fields are not the partner's to read
            # (disclosure.PARTNER_READS), and the address to reply to is the referrer's choice.
            initial={"form_token": uuid.uuid4().hex, "referrer_name": user.get_full_name()},
        )
        formset = ReferredYoungPeopleFormSet(prefix="people")
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        rows = rearranged(
            request.POST,
            prefix="people",
            add=ADD_YOUNG_PERSON,
            remove=REMOVE_YOUNG_PERSON,
            max_rows=MAX_REFERRED_YOUNG_PEOPLE,
        )
        if rows is not None:
            form = ReferralForm(rows, user=request.user)
            formset = ReferredYoungPeopleFormSet(rows, prefix="people")
            unchecked(form, formset)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        form = ReferralForm(request.POST, user=request.user)
        formset = ReferredYoungPeopleFormSet(request.POST, prefix="people")
        if form.finding:  # a place searched for: the page again, as typed, nothing checked
            unchecked(formset)
        elif form.is_valid() and formset.is_valid():
            people = [row for row in formset.forms if not row.is_blank]
            data = form.cleaned_data
            try:
                referral, _ = services.referral_receive_once(
                    form_token=data["form_token"],
                    referred_by=request.user,
                    **self.service_arguments(data, people),
                )
            except ApplicationError as error:
                self.show_problems(error, form, formset, people)
            except NotAllowed:
                raise Http404("No such page") from None
            else:
                return redirect("cases:referral-sent", pk=referral.pk)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    @staticmethod
    def service_arguments(data: dict, people: list) -> dict:
        """What ``referral_receive`` takes, from the form as the API's serializer gives it."""
        if data["place"] is not None:
            places = [services.ReferredPlace(reference=data["place"].reference)]
        elif any(data[name] for name in PLACE_DESCRIBED):
            places = [
                services.ReferredPlace(
                    name=data["place_name"],
                    kind=data["place_kind"],
                    address=data["place_address"],
                    postcode=data["place_postcode"],
                )
            ]
        else:
            places = []
        return {
            "young_people": [
                services.ReferredYoungPerson(
                    name=row.cleaned_data["name"],
                    date_of_birth=row.cleaned_data["date_of_birth"],
                    address=row.cleaned_data["address"],
                    postcode=row.cleaned_data["postcode"],
                )
                for row in people
            ],
            "places": places,
            "harm_categories": list(data["harm_categories"]),
            "narrative": data["narrative"],
            "urgency": data["urgency"],
            "referrer_name": data["referrer_name"],
            "referrer_role": data["referrer_role"],
            "referrer_email": data["referrer_email"],
            "referrer_phone": data["referrer_phone"],
            "consent": data["consent"],
            "lawful_basis": data["lawful_basis"],
            "lawful_basis_detail": data["lawful_basis_detail"],
        }

    @staticmethod
    def show_problems(error: ApplicationError, form, formset, people: list) -> None:
        """The service's problems at their fields: a young person's at that row's field
        (``young_people[1].name``: the second row typed in), "who or where" at the first
        row's name; the rest at the form's fields (:data:`REFERRAL_FORM_FIELDS`)."""
        rest = {}
        for key, messages_ in error.message_dict.items():
            person = _PERSON_PROBLEM.match(key)
            if key == "young_people":
                target, field = formset.forms[0], "name"
            elif person and int(person.group(1)) < len(people):
                target, field = people[int(person.group(1))], person.group(2)
                if field not in target.fields:
                    field = "name"
            else:
                rest[key] = messages_
                continue
            for message in messages_:
                target.add_error(field, message)
        if rest:
            add_service_errors(form, ApplicationError(rest), REFERRAL_FORM_FIELDS)


class ReferralSentView(RecordMixin, TemplateView):
    """The confirmation after a referral is made in the browser: its reference (GOV.UK
    panel) and what happens next. Only for the person who made it."""

    model = Referral
    template_name = "cases/referral_sent.html"

    def get_queryset(self):
        return Referral.objects.filter(referred_by=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(referral=self.object, **kwargs)
