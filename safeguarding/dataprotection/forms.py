"""The access log's filters and the unusual-access review's note."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from safeguarding import text

#: How far back the unusual-access report looks when no dates are given (days, today included).
DEFAULT_DAYS = 7


class DateInput(forms.DateInput):
    input_type = "date"  # yyyy-mm-dd in the query string: a link can give a day


class LogFilterForm(forms.Form):
    """``since`` and ``until`` (days, inclusive; either may be left out) and, on a young
    person's, place's or group's log, ``user`` (one of the authority's users)."""

    user = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Everyone", label="Who"
    )
    since = forms.DateField(required=False, label="From", widget=DateInput)
    until = forms.DateField(required=False, label="To", widget=DateInput)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is None:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = users

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be the same as or after the start date.")
        return data


class UnusualAccessForm(LogFilterForm):
    """The report's days: the last :data:`DEFAULT_DAYS` days when none are given."""

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        data = data.copy() if data is not None else {}
        if not data.get("since"):
            data["since"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        if not data.get("until"):
            data["until"] = today.isoformat()
        super().__init__(data, **kwargs)


class ReviewForm(forms.Form):
    """Marking one person's day of unusual access reviewed."""

    user = forms.IntegerField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.HiddenInput)
    note = text.CharField(
        label="Review note", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
