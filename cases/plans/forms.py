"""Plan forms. The services check the rest (ranges, dates, who may record): their errors land
on these fields, and nothing typed is lost."""

from django import forms

from cases.casework.forms import ActionForm
from cases.models import Measure, PlanReview
from safeguarding import text
from safeguarding.pickers import PickerField, PickerFormMixin
from safeguarding.widgets import ConditionalRadioSelect, GovukDateField


class StartForm(forms.Form):
    """Start a plan, from one of the subject's approved assessments or from none."""

    source_assessment = forms.ChoiceField(
        label="Start it from an approved assessment?",
        widget=forms.RadioSelect,
        help_text="Its goals are drafted from the assessment: change them as you agree the plan.",
        error_messages={"required": "Choose an assessment, or none"},
    )

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessments = {str(a.pk): a for a in assessments}
        self.fields["source_assessment"].choices = [
            (str(a.pk), f"{a} , approved {a.completed_on:%-d %B %Y}".replace(" ,", ","))
            for a in assessments
        ] + [("none", "No: start with no goals")]

    def clean_source_assessment(self):
        value = self.cleaned_data["source_assessment"]
        return self.assessments.get(value)


class GoalForm(forms.Form):
    statement = text.CharField(
        label="What is the goal?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a place, group or school, say what a safe context looks like, for "
        "example: adults who look out for young people are at the station after school.",
        error_messages={"required": "Say what the goal is"},
    )


class MeasureForm(PickerFormMixin, forms.Form):
    """A goal's measure: what, its kind and direction, baseline and target, and who records
    it (a worker, picked; or a partner organisation, a select: give ``organisations=``)."""

    WORKER, ORGANISATION = "worker", "organisation"

    name = text.CharField(
        label="What is measured?",
        max_length=200,
        help_text="For example: red marks on young people's safety maps for the place.",
        error_messages={"required": "Say what is measured"},
    )
    kind = forms.ChoiceField(
        label="What kind of measure is it?",
        choices=Measure.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of measure it is"},
    )
    direction = forms.ChoiceField(
        label="Which way is better?",
        choices=Measure.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether higher or lower is better"},
    )
    baseline_value = text.CharField(
        label="Baseline",
        help_text="Where it starts. For yes or no, enter 1 for yes and 0 for no.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={"required": "Enter the baseline"},
    )
    baseline_on = GovukDateField(
        label="Date of the baseline",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the baseline"},
    )
    target_value = text.CharField(
        label="Target",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={"required": "Enter the target"},
    )
    recorder_kind = forms.ChoiceField(
        label="Who records it?",
        choices=[(WORKER, "A worker of the council"), (ORGANISATION, "A partner organisation")],
        widget=ConditionalRadioSelect(
            reveals={WORKER: ["recorder_user"], ORGANISATION: ["recorder_organisation"]}
        ),
        error_messages={"required": "Choose who records it"},
    )
    recorder_user = PickerField("workers", label="Worker", required=False)
    recorder_organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        required=False,
        empty_label="Choose an organisation",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorder_organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        if data.get("recorder_kind") == self.WORKER:
            data["recorder_organisation"] = None
            self._errors.pop("recorder_organisation", None)
            if not data.get("recorder_user") and "recorder_user" not in self.errors:
                self.add_error("recorder_user", "Choose the worker who records it")
        elif data.get("recorder_kind") == self.ORGANISATION:
            data["recorder_user"] = None
            self._errors.pop("recorder_user", None)
            if not data.get("recorder_organisation") and "recorder_organisation" not in self.errors:
                self.add_error("recorder_organisation", "Choose the organisation that records it")
        return data

    @property
    def recorder_field(self) -> str:
        kind = self.cleaned_data.get("recorder_kind") if hasattr(self, "cleaned_data") else None
        return "recorder_organisation" if kind == self.ORGANISATION else "recorder_user"


class MeasureValueForm(forms.Form):
    value = text.CharField(
        label="Value",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={"required": "Enter the value"},
    )
    recorded_on = GovukDateField(
        label="When was it measured?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it was measured"},
    )
    note = text.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How it was measured, or what lies behind it. The council reads it.",
    )


class PlanActionForm(ActionForm):
    """A response to one of the plan's goals (``goals=``): the action form with the goal."""

    field_order = ["goal", "description", "due_on", "owner_kind"]

    goal = forms.ChoiceField(
        label="Which goal does it serve?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the goal it serves"},
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = {str(g.pk): g for g in goals}
        self.fields["goal"].choices = [
            (str(g.pk), f"Goal {n}: {g.statement}") for n, g in enumerate(goals, 1)
        ]

    def clean_goal(self):
        return self.goals.get(self.cleaned_data["goal"])


class SafetyForm(forms.Form):
    """A young person's plan: safe places, trusted adults, if unsafe, places to avoid, in their
    words, and the places on our records (``places=``: those the user may see) linked."""

    safe_places = text.CharField(
        label="Where do they feel safe?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    safe_place_links = forms.ModelMultipleChoiceField(
        label="Safe places on our records (optional)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trusted_adults = text.CharField(
        label="Which adults do they trust?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Their role and how to reach them, not only a name.",
    )
    if_unsafe = text.CharField(
        label="What will they do if they feel unsafe?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    places_to_avoid = text.CharField(
        label="Which places should they avoid?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The red areas of their safety map.",
    )
    places_to_avoid_links = forms.ModelMultipleChoiceField(
        label="Places to avoid on our records (optional)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["safe_place_links"].queryset = places
        self.fields["places_to_avoid_links"].queryset = places


class ReviewForm(forms.Form):
    """A review: when, per goal how it has gone and a note, each measure's value that day,
    what changes, and the next review. Give it ``goals=`` (from ``selectors.plan_goals``: the
    measures each ``measures_seen``)."""

    held_on = GovukDateField(
        label="When was the review held?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the review"},
    )
    changes = text.CharField(
        label="What changes in the plan?",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Goals, responses or measures added, changed or stopped, and why.",
    )
    next_review_on = GovukDateField(
        label="When is the next review?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the next review"},
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_fields = []
        for n, goal in enumerate(goals, 1):
            progress = f"goal_{goal.pk}"
            self.fields[progress] = forms.ChoiceField(
                label=f"Goal {n}: how has it gone?",
                help_text=goal.statement,
                choices=PlanReview.PROGRESS_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                error_messages={"required": f"Say how goal {n} has gone"},
            )
            self.fields[f"note_{goal.pk}"] = text.CharField(
                label=f"Goal {n}: what shows it (optional)",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            values = []
            for measure in goal.measures_seen:
                name = f"value_{measure.pk}"
                self.fields[name] = text.CharField(
                    label=f"{measure.name}: value on the review's date (optional)",
                    required=False,
                    help_text=f"Baseline {measure.shown(measure.baseline_value)}, target "
                    f"{measure.shown(measure.target_value)}.",
                    widget=forms.TextInput(
                        attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}
                    ),
                )
                values.append(name)
            self.goal_fields.append((goal, progress, f"note_{goal.pk}", values))

    def progress(self) -> dict:
        return {
            goal.pk: {"progress": self.cleaned_data.get(p), "note": self.cleaned_data.get(n)}
            for goal, p, n, _ in self.goal_fields
        }

    def values(self) -> dict:
        return {
            int(name.removeprefix("value_")): self.cleaned_data.get(name)
            for *_, names in self.goal_fields
            for name in names
        }


class EndForm(forms.Form):
    reason = text.CharField(
        label="Why should the plan end?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A team manager signs it off. Say what has changed, and what happens next "
        "(for example, universal services carry on).",
        error_messages={"required": "Say why the plan should end"},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "End the plan"), ("return", "Return it: the plan carries on")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your decision"},
    )
    comments = text.CharField(
        label="Comments",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you return it: say what needs to change.",
    )


class LinkForm(forms.Form):
    reference = text.CharField(
        label="Reference of the plan to link",
        max_length=12,
        help_text="For example, PLN-000123: the plan of a young person this context affects, "
        "or of the place, group or school that affects this young person.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"required": "Enter the plan's reference"},
    )

    def clean_reference(self):
        value = self.cleaned_data["reference"].strip().upper()
        digits = value.removeprefix("PLN-")
        if not digits.isdigit():
            raise forms.ValidationError("Enter a reference like PLN-000123")
        return int(digits)
