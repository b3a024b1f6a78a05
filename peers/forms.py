from django import forms

from cases.forms import YoungPersonChoiceField
from cases.models import YoungPerson
from safeguarding import text
from safeguarding.pickers import PickerField, PickerFormMixin
from safeguarding.subjects.models import InformationSource, Reliability
from safeguarding.widgets import GovukDateField

from .models import Confidence, Relationship
from .services import LABEL_MESSAGE, labelling_word

SOURCE_CHOICES = [("", "Choose"), *InformationSource.choices]


class PeerGroupCreateForm(forms.Form):
    """A new peer group (``peers.services.peer_group_create``): a neutral name (a label such as
    "gang" is refused at the field: ``peers.services.LABELS`` says why), why it is recorded,
    and a description."""

    name = text.CharField(
        label="Name of the group",
        help_text="A neutral working name: where or how the group meets, for example "
        "“Friends at Northside park” or “Year 10 group, Eastbrook Academy”.",
        max_length=200,
        error_messages={"required": "Enter a name for the group"},
    )
    purpose = text.CharField(
        label="Why are you recording this group?",
        help_text="Peer groups are recorded to plan for young people's safety or to coordinate "
        "work already held with them.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why the group is being recorded"},
    )
    description = text.CharField(
        label="Description (optional)",
        help_text="Where and when they meet, what brings them together, their strengths.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )

    def clean_name(self):
        name = self.cleaned_data["name"]
        word = labelling_word(name)
        if word:
            raise forms.ValidationError(LABEL_MESSAGE.format(word=word), code="label")
        return name


class MembershipEndForm(forms.Form):
    """A member has left the group: when and why (the membership is kept as history)."""

    left_on = GovukDateField(
        label="When did they leave? (optional)",
        help_text="Leave empty for today. For example, 27 3 2026",
        required=False,
    )
    reason = text.CharField(
        label="Why are they no longer a member?",
        help_text="For example, moved school, no longer seen with the group, recorded in error.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Say why they are no longer a member"},
    )


class MembershipForm(PickerFormMixin, forms.Form):
    """A young person joins a group. Give it ``user=``: the young person is picked from those
    the rule lets them pick (searched for: see :mod:`safeguarding.pickers`)."""

    young_person = PickerField(
        "young-people", label="Young person", error_messages={"required": "Choose a young person"}
    )
    joined_on = GovukDateField(label="When did they join? (optional)", required=False)
    confidence = forms.ChoiceField(
        label="How confident are you that they are a member?",
        choices=Confidence.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how confident you are"},
    )
    source = forms.ChoiceField(
        label="Where did the information come from?",
        choices=SOURCE_CHOICES,
        error_messages={"required": "Say where the information came from"},
    )
    source_detail = text.CharField(
        label="Source details (optional)", required=False, max_length=200
    )


class RelationshipForm(forms.Form):
    """Two members of a group (``people``: the group's members, a short list: selects)."""

    from_person = YoungPersonChoiceField(
        label="First young person",
        queryset=YoungPerson.objects.none(),
        empty_label="Choose a young person",
        error_messages={"required": "Choose the first young person"},
    )
    kind = forms.ChoiceField(
        label="Relationship",
        choices=[("", "Choose"), *Relationship.Kind.choices],
        help_text="For “exploits”, the first young person exploits the second.",
        error_messages={"required": "Choose the kind of relationship"},
    )
    to_person = YoungPersonChoiceField(
        label="Second young person",
        queryset=YoungPerson.objects.none(),
        empty_label="Choose a young person",
        error_messages={"required": "Choose the second young person"},
    )
    source = forms.ChoiceField(
        label="Where did the information come from?",
        choices=SOURCE_CHOICES,
        error_messages={"required": "Say where the information came from"},
    )
    reliability = forms.ChoiceField(
        label="How reliable is it?",
        choices=Reliability.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how reliable the information is"},
    )
    notes = text.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_person"].queryset = people
        self.fields["to_person"].queryset = people

    def clean(self):
        data = super().clean()
        if data.get("from_person") and data.get("from_person") == data.get("to_person"):
            self.add_error("to_person", "Choose two different young people")
        return data
