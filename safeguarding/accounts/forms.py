"""Forms of the second-factor pages (safeguarding/accounts/views.py)."""

from django import forms
from django.template.defaultfilters import pluralize

from safeguarding import text

from . import mfa


class CodeForm(forms.Form):
    """One code typed by the person; checked against ``device`` when the form is cleaned.

    Errors (GOV.UK error summary and message on the field): empty, or wrong (the same words
    whether the code was wrong or the device is unknown), or too many wrong codes in a row
    (django-otp's throttling: wait the seconds said, then try again).
    """

    code = text.CharField(
        label="Code",
        max_length=40,
        strip=True,
        error_messages={"required": "Enter the code"},
    )

    wrong_message = "The code is not right: check it and try again"
    empty_message = "Enter the code"

    def __init__(self, *args, request, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not mfa.normalise(code):
            raise forms.ValidationError(self.empty_message)
        checked = mfa.check(self.request, self.device, code)
        if checked.ok:
            return code
        if checked.wait_until is not None:
            seconds = checked.wait_seconds
            raise forms.ValidationError(
                f"Too many wrong codes. Wait {seconds} second{pluralize(seconds)}, then try again"
            )
        raise forms.ValidationError(self.wrong_message)


def code_field(*, label: str, help_text: str, empty_message: str, width: int, **attrs):
    """The one text input of a code page: GOV.UK fixed width (``govuk-input--width-{width}``),
    no spell checking, and the browser hints in ``attrs`` (``autocomplete``, ``inputmode``...)."""
    return text.CharField(
        label=label,
        help_text=help_text,
        max_length=40,
        strip=True,
        error_messages={"required": empty_message},
        widget=forms.TextInput(
            attrs={"class": f"govuk-input--width-{width}", **attrs, "spellcheck": "false"}
        ),
    )


class AppCodeForm(CodeForm):
    empty_message = "Enter the 6-digit code from your authenticator app"
    wrong_message = "The code is not right: enter the code your authenticator app shows now"
    code = code_field(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now, for example 123456.",
        empty_message=empty_message,
        width=10,
        autocomplete="one-time-code",
        inputmode="numeric",
    )


class RecoveryCodeForm(CodeForm):
    empty_message = "Enter a recovery code"
    wrong_message = "The recovery code is not right, or it has been used already"
    code = code_field(
        label="Recovery code",
        help_text="One of the recovery codes you were given when you set up your app. "
        "Each works once.",
        empty_message=empty_message,
        width=20,
        autocomplete="off",
        autocapitalize="none",
    )
