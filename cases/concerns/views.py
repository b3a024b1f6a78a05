"""Logging a concern, a concern's page, the borough's themes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from cases import selectors, services
from cases.concerns.forms import (
    ADD_YOUNG_PERSON,
    MAX_YOUNG_PEOPLE,
    REMOVE_YOUNG_PERSON,
    born_by_the_concern,
    offer_matches,
)
from cases.forms import (
    ConcernForm,
    InvolvementFormSet,
)
from cases.models import (
    Concern,
    Referral,
    YoungPerson,
)
from contexts.models import Context
from peers.models import PeerGroup
from safeguarding import duplicates
from safeguarding.accounts import visibility
from safeguarding.duplicates import PossibleDuplicates
from safeguarding.errors import ApplicationError
from safeguarding.exports import csv_response
from safeguarding.formsets import rearranged, unchecked
from safeguarding.views import (
    AllowedUsersMixin,
    RecordDetailView,
    add_service_errors,
)


class ConcernDetailView(RecordDetailView):
    model = Concern
    queryset = Concern.objects.select_related("logged_by").prefetch_related("harm_categories")

    def get_context_data(self, **kwargs):
        from cases.models import ConcernSubject
        from cases.restrictions.selectors import text_shown

        return super().get_context_data(
            involvements=selectors.involvements_for_concern(
                user=self.request.user, concern=self.object
            ),
            # A restricted young person the user may not see is not named in it either.
            narrative=text_shown(
                self.request.user,
                ConcernSubject.objects.filter(concern=self.object),
                self.object.narrative,
            ),
            **kwargs,
        )


class ConcernLogView(AllowedUsersMixin, TemplateView):
    """Log a concern: one page, one submit. Can start from a young person, a place or a group.

    The people, the place and the group are pickers (:mod:`safeguarding.pickers`): without
    JavaScript, a Find button posts the page back as typed, with matches to choose from, and
    nothing is saved until "Log concern".

    The young people start as one row: "Add another young person" and each row's "Remove"
    send the page back with a row more or less, as typed, unchecked and unsaved
    (:mod:`safeguarding.formsets`).
    """

    allowed_users = visibility.logs_concerns
    template_name = "cases/concern_form.html"
    extra_context = {
        "page_top_fields": ["narrative", "occurred_on", "occurred_time"],
        "add_row": ADD_YOUNG_PERSON,
        "remove_row": REMOVE_YOUNG_PERSON,
        "max_rows": MAX_YOUNG_PEOPLE,
    }

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
        rows = rearranged(
            request.POST,
            prefix="people",
            add=ADD_YOUNG_PERSON,
            remove=REMOVE_YOUNG_PERSON,
            max_rows=MAX_YOUNG_PEOPLE,
        )
        if rows is not None:
            form = ConcernForm(rows, user=request.user)
            formset = InvolvementFormSet(rows, user=request.user, prefix="people")
            unchecked(form, formset)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        form = ConcernForm(request.POST, user=request.user)
        formset = InvolvementFormSet(request.POST, user=request.user, prefix="people")
        if form.is_valid() and formset.is_valid() and born_by_the_concern(form, formset):
            rows = [f.cleaned_data for f in formset.forms if not f.is_blank]
            new_rows = [
                f for f in formset.forms if not f.is_blank and not f.cleaned_data["young_person"]
            ]
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
                    born_after_confirmed=data["born_after_confirmed"],
                    new_place=services.NewPlace(
                        name=data["new_place_name"],
                        kind=data["new_place_kind"],
                        postcode=data["new_place_postcode"],
                        confirmed_new=data["new_place_confirmed"],
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
                            confirmed_new=r["confirmed_new"],
                        )
                        for r in (f.cleaned_data for f in new_rows)
                    ],
                )
            except PossibleDuplicates as possible:
                self.offer_matches(form, new_rows, possible.matches)
            except ApplicationError as error:
                # What the service says of the young people ("who or where", "named once") is
                # said at the first person's field; the rest at the form's own fields.
                errors = dict(error.message_dict)
                for message in errors.pop("young_people", []):
                    formset.forms[0].add_error("young_person", message)
                if errors:
                    add_service_errors(
                        form, ApplicationError(errors), {"occurred_at": "occurred_on"}
                    )
            else:
                messages.success(request, f"Concern {concern.reference} logged.")
                return redirect(concern)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    @staticmethod
    def offer_matches(form, new_rows, matches) -> None:
        """Ask, at each new record that may be a known one, whether it is (the matches, the
        user may pick them) or is new (safeguarding/duplicates.py). Nothing else is said: the
        rest of the form was valid."""
        for key, found in matches.items():
            if key == "new_place":
                field, row, message = "new_place_same_as", form, services.SAME_PLACE
                label, new_label = duplicates.place_label, "No, it is a new place"
            else:
                field, row, message = "same_as", new_rows[key], services.SAME_YOUNG_PERSON
                label, new_label = duplicates.young_person_label, "No, add them as someone new"
            offer_matches(row.fields[field], found, label, new_label)
            row.add_error(field, message)


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
        from cases import figures

        worked_out = selectors.figures_for(user=request.user)  # None until first counted
        tables = selectors.themes(user=request.user, as_of=worked_out and worked_out.as_of)
        export = request.GET.get("export")
        if export:
            table = next((t for t in tables if t.key == export), None)
            if table is None:
                raise Http404("No such table")
            return csv_response(
                user=request.user,
                model=self.EXPORT_MODELS[table.key],
                name=table.key,
                filename=f"{table.key}.csv",
                header=[table.row_heading, *(m.strftime("%Y-%m") for m in table.months), "Total"],
                rows=([label, *counts, total] for label, counts, total in table.rows),
            )
        return self.render_to_response(
            self.get_context_data(
                tables=tables, figures=worked_out, figures_every=figures.refresh_minutes()
            )
        )
