"""Warning note forms: they collect and check input; the services write."""

from django import forms
from django.utils import timezone

from safeguarding import text
from safeguarding.subjects.models import Subject
from safeguarding.widgets import ConditionalRadioSelect, GovukDateField

from .models import SUMMARY_MAX_LENGTH, WarningNote


def _future(value):
    if value and value <= timezone.localdate():
        raise forms.ValidationError("The review date must be in the future")
    return value


def _review_on(label="Review date", **kwargs):
    return GovukDateField(
        label=label,
        help_text="A date in the future, for example 27 3 2027",
        error_messages={"required": "Enter the review date"},
        **kwargs,
    )


class WarningProposeForm(forms.Form):
    """Propose a warning note on a subject (``subject=``: a place or a group may answer "does
    not apply" to whether they were told; a young person may not)."""

    category = forms.ChoiceField(
        label="What kind of warning is it?",
        choices=WarningNote.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of warning"},
    )
    summary = text.CharField(
        label="Summary",
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"What everyone opening the record must know at a glance, in "
        f"{SUMMARY_MAX_LENGTH} characters or fewer. Put the details in a case note.",
        error_messages={
            "required": "Enter a summary of the warning",
            "max_length": f"The summary must be {SUMMARY_MAX_LENGTH} characters or fewer",
        },
    )
    review_on = _review_on()
    told = forms.ChoiceField(
        label="Have they been told of the warning?",
        choices=WarningNote.Told.choices,
        widget=forms.RadioSelect,
        help_text="For a young person: the young person or their parents or carers.",
        error_messages={"required": "Say whether they were told of the warning"},
    )

    def __init__(self, *args, subject: Subject, **kwargs):
        super().__init__(*args, **kwargs)
        if subject.kind == Subject.Kind.YOUNG_PERSON:
            self.fields["told"].choices = [
                c for c in WarningNote.Told.choices if c[0] != WarningNote.Told.NOT_APPLICABLE
            ]

    def clean_review_on(self):
        return _future(self.cleaned_data["review_on"])


class WarningDecisionForm(forms.Form):
    """A team manager authorises a proposed warning note (keeping or changing its review date)
    or declines it with a reason."""

    AUTHORISE, DECLINE = "authorise", "decline"

    decision = forms.ChoiceField(
        label="Do you authorise this warning note?",
        choices=[(AUTHORISE, "Authorise it"), (DECLINE, "Decline it")],
        widget=ConditionalRadioSelect(reveals={AUTHORISE: ["review_on"], DECLINE: ["reason"]}),
        error_messages={"required": "Choose whether to authorise or decline the warning note"},
    )
    review_on = _review_on(required=False)
    reason = text.CharField(
        label="Why is it declined?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == self.AUTHORISE:
            self._errors.pop("reason", None)
            if "review_on" not in self.errors:
                if not data.get("review_on"):
                    self.add_error("review_on", "Enter the review date")
                else:
                    try:
                        _future(data["review_on"])
                    except forms.ValidationError as error:
                        self.add_error("review_on", error)
        elif decision == self.DECLINE:
            self._errors.pop("review_on", None)
            data["review_on"] = None
            if not (data.get("reason") or "").strip() and "reason" not in self.errors:
                self.add_error("reason", "Say why the warning note is declined")
        return data


class WarningReviewForm(forms.Form):
    """A team manager reviews a warning in force: keep it (why it still applies, the next
    review date) or end it (why)."""

    KEEP, END = "keep", "end"

    decision = forms.ChoiceField(
        label="Does the warning still apply?",
        choices=[(KEEP, "Yes: keep it and set the next review date"), (END, "No: end it")],
        widget=ConditionalRadioSelect(reveals={KEEP: ["review_on", "note"], END: ["reason"]}),
        error_messages={"required": "Choose whether to keep or end the warning note"},
    )
    review_on = _review_on("Next review date", required=False)
    note = text.CharField(
        label="Why does it still apply?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = text.CharField(
        label="Why is it ended?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == self.KEEP:
            self._errors.pop("reason", None)
            if "review_on" not in self.errors:
                if not data.get("review_on"):
                    self.add_error("review_on", "Enter the next review date")
                else:
                    try:
                        _future(data["review_on"])
                    except forms.ValidationError as error:
                        self.add_error("review_on", error)
            if not (data.get("note") or "").strip() and "note" not in self.errors:
                self.add_error("note", "Say why the warning still applies")
        elif decision == self.END:
            self._errors.pop("review_on", None)
            self._errors.pop("note", None)
            if not (data.get("reason") or "").strip() and "reason" not in self.errors:
                self.add_error("reason", "Say why the warning note is ended")
        return data
