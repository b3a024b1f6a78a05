"""Places as the partner API lists them: name, kind and reference, nothing more."""

from rest_framework import serializers

from ..models import Context


class ContextSerializer(serializers.Serializer):
    reference = serializers.CharField(source="subject.reference")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Context.Kind.choices)
