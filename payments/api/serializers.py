"""Payments, refunds and saved payment methods as the API shows and accepts them."""

from rest_framework import serializers

from billing.api.fields import (
    DateTextField,
    MetadataField,
    MoneyField,
    TimestampField,
    format_timestamp,
    money_at_precision,
)
from billing.api.serializers import StrictInputSerializer
from invoices.api.serializers import (
    AdvanceInvoiceSerializer,
    CreditNoteSerializer,
    InvoiceSerializer,
    ItemInputSerializer,
)
from invoices.lines import MAX_LINES
from invoices.services.credit_notes import ALLOCATION_TYPES
from payments.models import (
    EXTERNAL_TYPES,
    PaymentStatus,
    PaymentType,
    RefundDestination,
    RefundStatus,
)


class PaymentSerializer(serializers.Serializer):
    id = serializers.CharField()
    invoice_id = serializers.CharField(allow_null=True)
    credit_note_id = serializers.CharField(allow_null=True)
    advance_invoice_id = serializers.CharField(allow_null=True)
    amount = MoneyField()
    type = serializers.ChoiceField(choices=PaymentType.choices)
    date = TimestampField(help_text="The payment date, at midnight UTC.")
    reference = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    entity_id = serializers.CharField()
    metadata = MetadataField()
    created_at = TimestampField()
    updated_at = TimestampField()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    amount_refunded = MoneyField()
    gateway = serializers.CharField(allow_null=True, help_text="stripe or sandbox when charged.")
    payment_method_id = serializers.CharField(source="saved_payment_method_id", allow_null=True)
    failure_code = serializers.CharField(allow_null=True)
    failure_message = serializers.CharField(allow_null=True)
    next_action_url = serializers.CharField(allow_null=True)
    disputed = serializers.BooleanField()

    def to_representation(self, instance):
        """The fields above, read straight off the row.

        Every payment response and list row comes through here, and DRF's copying and
        walking of 22 declared fields per payment cost more CPU than the SQL behind the
        response; the declarations stay as the schema, and a test holds the two equal.
        """
        payment = instance
        currency = payment.currency
        return {
            "id": payment.pk,
            "invoice_id": payment.invoice_id,
            "credit_note_id": payment.credit_note_id,
            "advance_invoice_id": payment.advance_invoice_id,
            "amount": money_at_precision(payment.amount, currency),
            "type": payment.type,
            "date": format_timestamp(payment.date),
            "reference": payment.reference,
            "note": payment.note,
            "entity_id": payment.entity_id,
            "metadata": payment.metadata,
            "created_at": format_timestamp(payment.created_at),
            "updated_at": format_timestamp(payment.updated_at),
            "currency": currency,
            "status": payment.status,
            "amount_refunded": money_at_precision(payment.amount_refunded, currency),
            "gateway": payment.gateway or None,
            "payment_method_id": payment.saved_payment_method_id,
            "failure_code": payment.failure_code or None,
            "failure_message": payment.failure_message or None,
            "next_action_url": payment.next_action_url or None,
            "disputed": payment.disputed,
        }


class PaymentWithIncludesSerializer(PaymentSerializer):
    """A payment with the related documents asked for by `include`."""

    Invoice = InvoiceSerializer(source="invoice", required=False, allow_null=True)
    CreditNote = CreditNoteSerializer(source="credit_note", required=False, allow_null=True)
    AdvanceInvoice = AdvanceInvoiceSerializer(
        source="advance_invoice", required=False, allow_null=True
    )


PAYMENT_INCLUDES = {
    "Invoice": "invoice",
    "CreditNote": "credit_note",
    "AdvanceInvoice": "advance_invoice",
}


def serialize_payment(payment, includes=()) -> dict:
    data = PaymentSerializer(payment).data
    serializers_by_name = {
        "Invoice": InvoiceSerializer,
        "CreditNote": CreditNoteSerializer,
        "AdvanceInvoice": AdvanceInvoiceSerializer,
    }
    for name in includes:
        related = getattr(payment, PAYMENT_INCLUDES[name])
        data[name] = serializers_by_name[name](related).data if related is not None else None
    return data


class PaymentCreateSerializer(StrictInputSerializer):
    amount = MoneyField()
    type = serializers.ChoiceField(choices=PaymentType.choices)
    date = DateTextField(
        required=False, allow_null=True, help_text="Payment date in YYYY-MM-DD format"
    )
    invoice_id = serializers.CharField(required=False, allow_null=True)
    credit_note_id = serializers.CharField(required=False, allow_null=True)
    advance_invoice_id = serializers.CharField(required=False, allow_null=True)
    reference = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=250
    )
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=5000)
    metadata = MetadataField(
        required=False,
        help_text="Up to 50 keys; keys up to 40 characters; string values up to 250.",
    )


class PaymentUpdateSerializer(StrictInputSerializer):
    amount = MoneyField(required=False)
    type = serializers.ChoiceField(choices=[(t, t) for t in EXTERNAL_TYPES], required=False)
    date = DateTextField(required=False, help_text="Payment date in YYYY-MM-DD format")
    reference = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=250
    )
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=5000)
    metadata = MetadataField(required=False)


class RefundSerializer(serializers.Serializer):
    id = serializers.CharField()
    payment_id = serializers.CharField()
    amount = MoneyField()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=RefundStatus.choices)
    destination = serializers.ChoiceField(choices=RefundDestination.choices)
    reason = serializers.CharField()
    failure_message = serializers.CharField(allow_null=True)
    entity_id = serializers.CharField()
    created_at = TimestampField()
    updated_at = TimestampField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["failure_message"] = data["failure_message"] or None
        return data


class RefundCreateSerializer(StrictInputSerializer):
    amount = MoneyField(required=False, help_text="Default: everything still refundable.")
    destination = serializers.ChoiceField(
        choices=RefundDestination.choices, default=RefundDestination.ORIGINAL
    )
    reason = serializers.CharField(max_length=2000)


class ChargeSerializer(StrictInputSerializer):
    payment_method_id = serializers.CharField(help_text="A saved payment method (spm_…).")
    amount = MoneyField(required=False, help_text="Default: the amount due.")


class AllocationSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[(t, t) for t in ALLOCATION_TYPES])
    amount = MoneyField()
    payment_id = serializers.CharField(required=False, help_text="For type refund.")
    payment_type = serializers.ChoiceField(
        choices=[(t, t) for t in EXTERNAL_TYPES], required=False, help_text="For type outside."
    )


class CreditLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField()
    quantity = MoneyField(required=False)
    amount = MoneyField(required=False)


class CreditNoteCreateSerializer(StrictInputSerializer):
    invoice_id = serializers.CharField()
    reason = serializers.CharField(max_length=2000)
    amount = MoneyField(required=False, help_text="A single untaxed credit.")
    items = ItemInputSerializer(
        many=True, required=False, allow_empty=False, max_length=MAX_LINES, help_text="Free lines."
    )
    lines = CreditLineSerializer(many=True, required=False, allow_empty=False, max_length=MAX_LINES)
    date = serializers.DateField(required=False)
    metadata = MetadataField(required=False)
    allocations = AllocationSerializer(many=True, required=False, allow_empty=False)


class SavedPaymentMethodSerializer(serializers.Serializer):
    id = serializers.CharField()
    customer_id = serializers.CharField()
    gateway = serializers.CharField()
    brand = serializers.CharField()
    last4 = serializers.CharField()
    exp_month = serializers.IntegerField()
    exp_year = serializers.IntegerField()
    is_default = serializers.BooleanField()
    label = serializers.CharField()
    created_at = TimestampField()
