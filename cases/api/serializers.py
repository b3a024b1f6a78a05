"""Referrals and actions as the partner API reads and writes them.

Input serializers only check shapes and formats; the services decide (and list every problem at
once). Output serializers say what a referrer needs to know — reference, status, decision and
dates — and nothing of the council's case content (no decision reason, no linked records).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.young_people.dates import check_date_of_birth
from contexts.models import Context
from safeguarding.api.serializers import (
    NameField,
    PostcodeField,
    StrictDateField,
    StrictEmailField,
    StrictSerializer,
    TextField,
    text_pattern,
)

from ..models import Action, HarmCategory, Referral
from ..services import (
    ACTION_PROGRESS_STATUSES,
    ReferralMessages,
    ReferredPlace,
    ReferredYoungPerson,
)

#: References are a prefix and ten characters of Crockford's base32 (subjects.new_reference).
_REFERENCE_CHARS = "[0-9A-HJKMNP-TV-Z]{10}"
YOUNG_PERSON_REFERENCE = RegexValidator(
    f"^YP-{_REFERENCE_CHARS}$", "Give a young person's reference, like YP-7K2M9QDX4T."
)
PLACE_REFERENCE = RegexValidator(
    f"^CTX-{_REFERENCE_CHARS}$", "Give a place's reference, like CTX-7K2M9QDX4T."
)
HARM_CATEGORY_SLUG = RegexValidator(r"^[-a-zA-Z0-9_]+$", "Give a harm category's slug.")


class YoungPersonInSerializer(StrictSerializer):
    """A young person, described (name, date of birth, address)."""

    schema_rules = [[{"required": ["name"]}, {"required": ["reference"]}]]

    name = NameField(
        required=False,
        max_length=200,
        help_text="Full name, as known to you: kept as given (white space made single spaces). "
        "A new record's given and family names are split from it at the last space.",
    )
    date_of_birth = StrictDateField(required=False, allow_null=True)
    address = TextField(required=False, allow_blank=True, max_length=1000, multiline=True)
    postcode = PostcodeField(required=False, allow_blank=True)
    reference = TextField(
        required=False,
        max_length=16,
        validators=[YOUNG_PERSON_REFERENCE],
        help_text="Council staff only: the reference of a young person you may choose. Partner "
        "agencies describe young people instead (a reference from a partner is refused, "
        "whether or not it exists).",
    )

    def rule_errors(self, data):
        if "name" not in data and "reference" not in data:
            return {"name": ReferralMessages.PERSON_NAME}
        return {}

    def validate_date_of_birth(self, value):
        try:  # cases/young_people/dates.py: the one rule for dates of birth
            check_date_of_birth(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages[0], code=error.code) from None
        return value


class PlaceInSerializer(StrictSerializer):
    """A place: a known one by its reference (GET /api/v1/contexts/), or described."""

    schema_rules = [[{"required": ["reference"]}, {"required": ["name", "kind"]}]]

    reference = TextField(required=False, max_length=16, validators=[PLACE_REFERENCE])
    name = NameField(required=False, max_length=200)
    kind = serializers.ChoiceField(choices=Context.Kind.choices, required=False)
    address = TextField(required=False, allow_blank=True, max_length=1000, multiline=True)
    postcode = PostcodeField(required=False, allow_blank=True)

    def rule_errors(self, data):
        errors = {}
        if "reference" not in data:
            if "name" not in data:
                errors["name"] = ReferralMessages.PLACE_NAME
            if "kind" not in data:
                errors["kind"] = ReferralMessages.PLACE_KIND
        return errors


class ReferrerSerializer(StrictSerializer):
    """The person making the referral, whom the front door will contact."""

    schema_rules = [[{"required": ["email"]}, {"required": ["phone"]}]]

    name = NameField(max_length=200)
    role = TextField(required=False, allow_blank=True, max_length=200)
    email = StrictEmailField(required=False, max_length=254)
    phone = TextField(required=False, max_length=40)

    def rule_errors(self, data):
        if "email" not in data and "phone" not in data:
            return {"email": ReferralMessages.CONTACT}
        return {}


CONSENT_GIVEN = Referral.Consent.GIVEN.value


class ReferralCreateSerializer(StrictSerializer):
    """A referral about one or more young people and/or places (at least one of either)."""

    schema_rules = [
        # Someone or somewhere.
        [
            {"required": ["young_people"], "properties": {"young_people": {"minItems": 1}}},
            {"required": ["contexts"], "properties": {"contexts": {"minItems": 1}}},
        ],
        # Without consent, say why the information is shared, on a basis other than consent.
        # (Patterns, not enums: drf-spectacular would merge enums into the fields' own.)
        [
            {"properties": {"consent": {"type": "string", "pattern": f"^{CONSENT_GIVEN}$"}}},
            {
                "required": ["lawful_basis_detail"],
                "properties": {
                    "lawful_basis": {
                        "type": "string",
                        "pattern": "^({})$".format(
                            "|".join(
                                b for b in Referral.LawfulBasis if b != Referral.LawfulBasis.CONSENT
                            )
                        ),
                    },
                    "lawful_basis_detail": {
                        "type": "string",
                        "pattern": text_pattern(multiline=True),
                    },
                },
            },
        ],
    ]

    young_people = YoungPersonInSerializer(many=True, required=False, max_length=20)
    contexts = PlaceInSerializer(many=True, required=False, max_length=10)
    harm_categories = serializers.ListField(
        child=TextField(max_length=64, validators=[HARM_CATEGORY_SLUG]),
        min_length=1,
        max_length=20,
        help_text="Slugs of harm categories (GET /api/v1/harm-categories/).",
    )
    narrative = TextField(
        max_length=20000,
        multiline=True,
        help_text="What happened, and why you are worried. Plain text.",
    )
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices)
    referrer = ReferrerSerializer()
    consent = serializers.ChoiceField(
        choices=Referral.Consent.choices, help_text="Whether the young person (or carer) agreed."
    )
    lawful_basis = serializers.ChoiceField(
        choices=Referral.LawfulBasis.choices,
        help_text="The UK GDPR basis for sharing. `consent` only when consent was given.",
    )
    lawful_basis_detail = TextField(
        required=False,
        allow_blank=True,
        max_length=5000,
        multiline=True,
        help_text="Required when consent was not given: why the information is shared anyway.",
    )

    def rule_errors(self, data):
        errors = {}
        if not data.get("young_people") and not data.get("contexts"):
            errors["young_people"] = ReferralMessages.NOBODY
        consent, basis = data.get("consent"), data.get("lawful_basis")
        without_consent = consent in Referral.Consent.values and consent != Referral.Consent.GIVEN
        if basis == Referral.LawfulBasis.CONSENT and without_consent:
            errors["lawful_basis"] = ReferralMessages.CONSENT_BASIS
        if without_consent:
            detail = data.get("lawful_basis_detail")
            if not (isinstance(detail, str) and detail.strip()):
                errors["lawful_basis_detail"] = ReferralMessages.WHY_WITHOUT_CONSENT
        return errors

    def validate_harm_categories(self, slugs):
        wanted = list(dict.fromkeys(slugs))
        found = {c.slug: c for c in HarmCategory.objects.filter(slug__in=wanted, is_active=True)}
        unknown = [slug for slug in wanted if slug not in found]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown harm categories: {', '.join(unknown)}. See GET /api/v1/harm-categories/."
            )
        return [found[slug] for slug in wanted]

    def service_arguments(self) -> dict:
        data = self.validated_data
        referrer = data["referrer"]
        return {
            "young_people": [ReferredYoungPerson(**p) for p in data.get("young_people", [])],
            "places": [ReferredPlace(**p) for p in data.get("contexts", [])],
            "harm_categories": data["harm_categories"],
            "narrative": data["narrative"],
            "urgency": data["urgency"],
            "referrer_name": referrer["name"],
            "referrer_role": referrer.get("role", ""),
            "referrer_email": referrer.get("email", ""),
            "referrer_phone": referrer.get("phone", ""),
            "consent": data["consent"],
            "lawful_basis": data["lawful_basis"],
            "lawful_basis_detail": data.get("lawful_basis_detail", ""),
        }


class ReferralSerializer(serializers.Serializer):
    """What the referrer may know about its referral: where it is, and what was decided."""

    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    decision = serializers.ChoiceField(
        choices=Referral.Decision.choices,
        allow_null=True,
        help_text="The front door's decision, once made (status `decided` or `closed`).",
    )
    decision_label = serializers.SerializerMethodField()
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices)
    harm_categories = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField()
    decision_due_at = serializers.DateTimeField(
        help_text="A decision is due within one working day."
    )
    decided_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["decision"] = data["decision"] or None
        return data

    @extend_schema_field({"type": "string", "nullable": True})
    def get_decision_label(self, referral) -> str | None:
        return referral.get_decision_display() if referral.decision else None

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_harm_categories(self, referral) -> list[str]:
        return [category.slug for category in referral.harm_categories.all()]


class HarmCategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class ActionSubjectSerializer(serializers.Serializer):
    kind = serializers.CharField()
    reference = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    subject = ActionSubjectSerializer(help_text="What the action is about, by reference.")
    status = serializers.ChoiceField(choices=Action.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    due_on = serializers.DateField()
    overdue = serializers.BooleanField(source="is_overdue")
    progress_note = serializers.CharField(allow_blank=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


#: The statuses a partner may set (named in the schema as ActionProgressStatusEnum).
ACTION_PROGRESS_CHOICES = [(s.value, s.label) for s in ACTION_PROGRESS_STATUSES]


class ActionProgressSerializer(StrictSerializer):
    """Progress on an action: either field, or both."""

    status = serializers.ChoiceField(
        choices=ACTION_PROGRESS_CHOICES,
        required=False,
        help_text="Cancelling an action is the council's decision, not available here.",
    )
    progress_note = TextField(
        required=False,
        allow_blank=True,
        max_length=5000,
        multiline=True,
        help_text="What has been done so far (replaces the previous note).",
    )
