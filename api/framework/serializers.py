"""The base of every input serializer: unknown fields are an error, not ignored."""

from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """Input that names an unknown field (say `status` or `total_paid`) is a 400, not ignored."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        serializers.ErrorDetail(
                            "The body must be a JSON object.", code="invalid_body"
                        )
                    ]
                }
            )
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    unknown[0]: [
                        serializers.ErrorDetail(
                            f"{unknown[0]} is not a field you can set here.", code="unknown_field"
                        )
                    ]
                }
            )
        return super().to_internal_value(data)
