"""Serializer bases shared by every resource: strict input, and the kernel's resources."""

from rest_framework import serializers

from billing.api.fields import CurrencyField, MetadataField, MoneyField, TimestampField
from billing.models import BalanceTransaction


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


class CustomerSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    currency = serializers.CharField()
    balance = MoneyField(help_text="Money balance: credit the customer holds (never negative).")
    metadata = MetadataField()
    entity_id = serializers.CharField()
    created_at = TimestampField()
    updated_at = TimestampField()


class CustomerCreateSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    currency = CurrencyField(required=False, help_text="Default: the entity's currency.")
    metadata = MetadataField(required=False)


class BalanceTransactionSerializer(serializers.Serializer):
    id = serializers.CharField()
    customer_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=BalanceTransaction.Kind.choices)
    amount = MoneyField(help_text="Signed: positive adds credit, negative uses it.")
    currency = serializers.CharField()
    balance_after = MoneyField()
    reason = serializers.CharField()
    invoice_id = serializers.CharField(allow_null=True)
    credit_note_id = serializers.CharField(allow_null=True)
    payment_id = serializers.CharField(allow_null=True)
    refund_id = serializers.CharField(allow_null=True)
    created_at = TimestampField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in ("invoice_id", "credit_note_id", "payment_id", "refund_id"):
            data[field] = data[field] or None
        return data


class BalanceAdjustmentSerializer(StrictInputSerializer):
    amount = MoneyField(help_text="Positive adds credit, negative deducts it.")
    reason = serializers.CharField(max_length=2000)
