"""The site's URLs plus pages built on the view bases whose services refuse the reader, and
views that let a domain error escape to the middleware (tests/test_view_bases.py)."""

from django import forms
from django.urls import include, path

from cases import services
from cases.models import Case
from safeguarding import text
from safeguarding.errors import NotAllowed, RecordNotFound
from safeguarding.views import RecordActionView, ServiceFormView


class ReasonForm(forms.Form):
    reason = text.CharField(widget=forms.Textarea)


class CloseCaseForm(ServiceFormView):
    """Close a case read with VIEW: ``case_close`` asks CHANGE, so a reader is refused by the
    service, not by the page."""

    model = Case
    form_class = ReasonForm
    service = services.case_close
    success_url = "/"

    def service_arguments(self, form):
        return {
            "case": self.object,
            "closed_by": self.request.user,
            "reason": form.cleaned_data["reason"],
        }


class CloseCaseButton(RecordActionView):
    """The same as a button."""

    model = Case
    service = services.case_close

    def service_arguments(self):
        return {"case": self.object, "closed_by": self.request.user, "reason": "Work finished"}

    def get_redirect_url(self):
        return "/"


def escapes_record_not_found(request):
    raise RecordNotFound()


def escapes_not_allowed(request):
    raise NotAllowed("Your role does not do this.")


urlpatterns = [
    path("test/cases/<int:pk>/close/", CloseCaseForm.as_view(), name="test-close-form"),
    path("test/cases/<int:pk>/close-now/", CloseCaseButton.as_view(), name="test-close-button"),
    path("test/record-not-found/", escapes_record_not_found),
    path("test/not-allowed/", escapes_not_allowed),
    path("", include("safeguarding.urls")),
]
