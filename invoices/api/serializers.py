"""Invoices, advance invoices and credit notes as the API shows them."""

from rest_framework import serializers

from billing.api.fields import (
    CurrencyField,
    DecimalNumberField,
    MetadataField,
    MoneyField,
    TimestampField,
)
from billing.api.serializers import StrictInputSerializer
from invoices.lines import MAX_LINES
from invoices.models import InvoiceStatus


class LineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    quantity = DecimalNumberField()
    price = DecimalNumberField(source="unit_price")
    tax_rate = DecimalNumberField()
    amount = MoneyField(help_text="quantity × price, rounded to the currency.")
    tax_amount = MoneyField()
    total = MoneyField()


class InvoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField(allow_null=True, help_text="Assigned when issued.")
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    display_status = serializers.CharField(help_text="status, or overdue / overpaid.")
    customer_id = serializers.CharField()
    entity_id = serializers.CharField()
    currency = serializers.CharField()
    date = serializers.DateField()
    due_date = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    metadata = MetadataField()
    items = LineSerializer(source="lines.all", many=True)
    subtotal = MoneyField(source="total_net")
    total_tax = MoneyField()
    total = MoneyField()
    total_paid = MoneyField(help_text="Succeeded payments and applications, net of refunds.")
    total_credited = MoneyField(help_text="The part of total_paid applied from credit notes.")
    total_due = MoneyField(help_text="total − total_paid; negative when overpaid.")
    total_reserved = MoneyField(
        help_text="Held by card charges in progress or awaiting the card holder's "
        "authentication (3-D Secure); total_due − total_reserved is what can still be charged "
        "or applied."
    )
    paid_in_full = serializers.BooleanField()
    issued_at = TimestampField(allow_null=True, help_text="null while a draft.")
    voided_at = TimestampField(allow_null=True, help_text="null unless void.")
    created_at = TimestampField()
    updated_at = TimestampField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["number"] = data["number"] or None
        return data


class AdvanceInvoiceSerializer(InvoiceSerializer):
    total_applied = MoneyField(help_text="Applied to final invoices by advance payments.")


class ItemInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    quantity = MoneyField(required=False, default=1)
    price = MoneyField()
    tax_rate = MoneyField(required=False, default=0)


class InvoiceCreateSerializer(StrictInputSerializer):
    customer_id = serializers.CharField()
    currency = CurrencyField(required=False, help_text="Default: the customer's currency.")
    date = serializers.DateField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    items = ItemInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    metadata = MetadataField(required=False)


class CreditNoteLineSerializer(LineSerializer):
    invoice_line_id = serializers.IntegerField(allow_null=True)


class CreditNoteSerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField()
    status = serializers.CharField()
    invoice_id = serializers.CharField()
    customer_id = serializers.CharField()
    entity_id = serializers.CharField()
    currency = serializers.CharField()
    date = serializers.DateField()
    reason = serializers.CharField()
    metadata = MetadataField()
    items = CreditNoteLineSerializer(source="lines.all", many=True)
    subtotal = MoneyField(source="total_net")
    total_tax = MoneyField()
    total = MoneyField()
    total_applied = MoneyField(help_text="Applied to invoices, the balance or paid out.")
    total_remaining = MoneyField()
    created_at = TimestampField()
    updated_at = TimestampField()
