"""Signing in: the password page, then the second factor (set up, enter a code, or use a
recovery code), and the page where a person sees their second factor and makes new recovery
codes. The checks themselves are django-otp's (safeguarding/accounts/mfa.py); which pages a
session may reach before it passes is decided in one place, SecondFactorRequiredMiddleware.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView

from . import mfa
from .forms import AppCodeForm, RecoveryCodeForm
from .middleware import second_factor_passed
from .models import User

#: Session key: recovery codes just made, shown once on the next page and then forgotten.
NEW_CODES = "mfa_new_recovery_codes"
NEW_CODES_NEXT = "mfa_new_recovery_codes_next"


def _next_url(request, default: str = "") -> str:
    """The ``next`` address asked for, if it is on this site; otherwise ``default`` (home)."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response (``AXES_LOCKOUT_CALLABLE``): a GOV.UK page, status 429,
    saying for how long; it does not say whether the username exists."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
        },
        status=429,
    )


class SignInView(LoginView):
    """Step one: username and password (locked out by django-axes after repeated failures)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo_logins_without_second_factor"] = (
            not settings.PRODUCTION and User.objects.filter(mfa_exempt_demo=True).exists()
        )
        return context


class _CodeView(LoginRequiredMixin, FormView):
    """A page asking for one code; on success the session has passed its second factor."""

    def get_device(self):
        raise NotImplementedError

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"request": self.request, "device": self.device}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"next": _next_url(self.request)}


class EnrolView(_CodeView):
    """Set up an authenticator app: scan the QR code (or type the secret), enter a code from
    the app. Then the person is given their recovery codes (shown once)."""

    template_name = "accounts/mfa_enrol.html"
    form_class = AppCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if mfa.has_second_factor(request.user):
                if second_factor_passed(request.user):
                    return redirect("accounts:security")
                return redirect(f"{reverse('accounts:mfa-verify')}?{request.GET.urlencode()}")
            self.device = mfa.pending_authenticator(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "qr_code": mfa.qr_code_svg(self.device),
            "secret": mfa.secret_for_typing(self.device),
        }

    def form_valid(self, form):
        self.request.session[NEW_CODES] = mfa.new_recovery_codes(self.request.user)
        self.request.session[NEW_CODES_NEXT] = _next_url(self.request)
        messages.success(self.request, "Your authenticator app is set up")
        return redirect("accounts:recovery-codes-new")


class VerifyView(_CodeView):
    """Step two of signing in: the code from the person's authenticator app."""

    template_name = "accounts/mfa_verify.html"
    form_class = AppCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if second_factor_passed(request.user):
                return HttpResponseRedirect(_next_url(request))
            self.device = mfa.authenticator(request.user)
            if self.device is None:
                return redirect(f"{reverse('accounts:mfa-enrol')}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        return HttpResponseRedirect(_next_url(self.request))


class RecoveryView(_CodeView):
    """Step two without the app: one of the person's recovery codes, which then stops working."""

    template_name = "accounts/mfa_recovery.html"
    form_class = RecoveryCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if second_factor_passed(request.user):
                return HttpResponseRedirect(_next_url(request))
            self.device = mfa.recovery_device(request.user)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        left = mfa.recovery_codes_left(self.request.user)
        messages.info(
            self.request,
            f"You signed in with a recovery code. You have {left} left: make new ones from "
            "Your sign-in security if you are running out.",
        )
        return HttpResponseRedirect(_next_url(self.request))


class SecurityView(LoginRequiredMixin, TemplateView):
    """The person's second factor: when it was set up, how many recovery codes are left, and
    a button that replaces the recovery codes (the old ones stop working)."""

    template_name = "accounts/security.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "authenticator": mfa.authenticator(user),
            "recovery_codes_left": mfa.recovery_codes_left(user),
        }

    def post(self, request, *args, **kwargs):
        if not mfa.has_second_factor(request.user):
            return redirect("accounts:mfa-enrol")
        request.session[NEW_CODES] = mfa.new_recovery_codes(request.user)
        request.session[NEW_CODES_NEXT] = reverse("accounts:security")
        messages.success(request, "You have new recovery codes. The old ones no longer work")
        return redirect("accounts:recovery-codes-new")


class NewRecoveryCodesView(LoginRequiredMixin, TemplateView):
    """The recovery codes just made, shown this once."""

    template_name = "accounts/mfa_recovery_codes.html"

    def get(self, request, *args, **kwargs):
        codes = request.session.pop(NEW_CODES, None)
        next_url = request.session.pop(NEW_CODES_NEXT, None) or reverse("home")
        if not codes:
            return redirect("accounts:security")
        return self.render_to_response(
            self.get_context_data(codes=codes, next=next_url), headers={"Cache-Control": "no-store"}
        )
