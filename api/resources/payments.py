"""`/api/v1/payments`: record, list, read, change and delete payments."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import (
    ENTITY_HEADER,
    IDEMPOTENCY_HEADER,
    SettleAPIView,
    list_response,
    parse_includes,
)
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.fields import (
    DateTextField,
    MetadataField,
    MoneyField,
    TimestampField,
    format_timestamp,
    money_at_precision,
)
from api.framework.filtering import apply_filterset
from api.framework.idempotency import idempotent
from api.framework.listing import Field, ListSpec, list_page
from api.framework.preview import previewable
from api.framework.serializers import StrictInputSerializer
from api.resources.credit_notes import CreditNoteSerializer
from api.resources.invoices import AdvanceInvoiceSerializer, InvoiceSerializer
from invoices.models import CreditNoteLine, InvoiceLine
from payments.models import (
    EXTERNAL_TYPES,
    Payment,
    PaymentStatus,
    PaymentType,
)
from payments.services import payment_delete, payment_record, payment_update


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
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why, kept in the audit trail; required to change the amount when the "
        "entity requires a reason.",
    )


class PaymentDeleteSerializer(StrictInputSerializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why, kept with the deleted payment and in the audit trail; required when "
        "the entity requires a reason. Also accepted as the `reason` query parameter.",
    )


PAYMENT_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("invoice_id", "invoice_id", "id"),
        Field("credit_note_id", "credit_note_id", "id"),
        Field("advance_invoice_id", "advance_invoice_id", "id"),
        Field("amount", "amount", "number"),
        Field("type", "type", "enum"),
        Field("status", "status", "enum"),
        Field("currency", "currency", "enum"),
        Field("date", "date", "date"),
        Field("reference", "reference", "string", orderable=False),
        Field("note", "note", "string", orderable=False),
        Field("metadata", "metadata", "metadata", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("reference", "note", "id"),
    metadata_path="metadata",
    default_order="-created_at",
    search_document="search_text",
)


class PaymentFilter(django_filters.FilterSet):
    invoice_id = django_filters.CharFilter(field_name="invoice_id")
    credit_note_id = django_filters.CharFilter(field_name="credit_note_id")
    advance_invoice_id = django_filters.CharFilter(field_name="advance_invoice_id")
    customer_id = django_filters.CharFilter(field_name="customer_id")
    type = django_filters.MultipleChoiceFilter(choices=PaymentType.choices)
    status = django_filters.MultipleChoiceFilter(choices=PaymentStatus.choices)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = []


INCLUDE_PARAMETER = OpenApiParameter(
    "include",
    str,
    description=(
        "Comma-separated relations to embed. Allowed: Invoice, CreditNote, AdvanceInvoice. "
        "A restricted key needs invoices:read (Invoice, AdvanceInvoice) or credit_notes:read "
        "(CreditNote) to include them: 403 insufficient_scope otherwise."
    ),
)


FILTER_PARAMETERS = [
    OpenApiParameter(name, str, description=description)
    for name, description in (
        ("invoice_id", "Only payments on this invoice."),
        ("credit_note_id", "Only payments referencing this credit note."),
        ("advance_invoice_id", "Only payments referencing this advance invoice."),
        ("customer_id", "Only this customer's payments."),
        ("type", "Only these types (repeat the parameter for several)."),
        ("status", "Only these statuses (repeat the parameter for several)."),
        ("date_from", "Payment date on or after (YYYY-MM-DD)."),
        ("date_to", "Payment date on or before (YYYY-MM-DD)."),
    )
]


def payments_with_includes(queryset, includes: dict[str, str]):
    """Embed related documents with a constant number of queries, whatever the page size."""
    relations = list(includes.values())
    if not relations:
        return queryset
    queryset = queryset.select_related(*relations)
    for relation in relations:
        line_model = CreditNoteLine if relation == "credit_note" else InvoiceLine
        queryset = queryset.prefetch_related(
            Prefetch(f"{relation}__lines", queryset=line_model.objects.order_by("position", "id"))
        )
    return queryset


class PaymentListView(SettleAPIView):
    scope_resource = "payments"

    @extend_schema(
        operation_id="list_payments",
        summary="List all payments",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS, INCLUDE_PARAMETER, *FILTER_PARAMETERS],
        responses={200: list_envelope(PaymentWithIncludesSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        includes = parse_includes(request, PAYMENT_INCLUDES)
        queryset = apply_filterset(
            PaymentFilter,
            Payment.objects.filter(entity_id=self.entity.pk, is_deleted=False),
            request.query_params,
        )
        page = list_page(
            payments_with_includes(queryset, includes), request.query_params, PAYMENT_LIST_SPEC
        )
        return list_response(page, lambda payment: serialize_payment(payment, includes))

    @previewable
    @extend_schema(
        operation_id="create_payment",
        summary="Create a new payment",
        description="Record a payment against an invoice, credit note, or both. At least one "
        "document reference is required. For type credit_note, both invoice_id and "
        "credit_note_id are required (applying credit to invoice). Document payment totals "
        "are automatically updated. Credit note payments cannot exceed the credit note's "
        "remaining amount.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def post(self, request):
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = payment_record(entity=self.entity, actor=self.actor, **serializer.validated_data)
        return Response(serialize_payment(payment), status=status.HTTP_201_CREATED)


class PaymentDetailView(SettleAPIView):
    scope_resource = "payments"

    def get_payment(self, pk, queryset=None):
        # `queryset or …` would evaluate the queryset: every payment of every entity.
        source = Payment.objects if queryset is None else queryset
        return self.find(source.filter(is_deleted=False), pk, "payment")

    @extend_schema(
        operation_id="get_payment",
        summary="Get payment by ID",
        parameters=[ENTITY_HEADER, INCLUDE_PARAMETER],
        responses={200: PaymentWithIncludesSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        includes = parse_includes(request, PAYMENT_INCLUDES)
        payment = self.get_payment(pk, payments_with_includes(Payment.objects, includes))
        return Response(serialize_payment(payment, includes))

    @extend_schema(
        operation_id="update_payment",
        summary="Update a payment",
        description="Only the provided fields are updated. Document references cannot be "
        "changed. If amount changes, totals of all linked documents are recalculated.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=PaymentUpdateSerializer,
        responses={200: PaymentSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def patch(self, request, pk):
        payment = self.get_payment(pk)
        serializer = PaymentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = payment_update(payment=payment, actor=self.actor, **serializer.validated_data)
        return Response(serialize_payment(payment))

    @extend_schema(
        operation_id="delete_payment",
        summary="Delete a payment",
        description="Totals of the linked documents are recalculated. The payment is kept, "
        "marked deleted, in the audit trail. Charged payments are refunded instead.",
        parameters=[
            ENTITY_HEADER,
            IDEMPOTENCY_HEADER,
            OpenApiParameter("reason", str, description="Why (or in the body)."),
        ],
        request=PaymentDeleteSerializer,
        responses={204: OpenApiResponse(description="Deleted."), **ERROR_RESPONSES},
    )
    @idempotent()
    def delete(self, request, pk):
        payment = self.get_payment(pk)
        serializer = PaymentDeleteSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data.get("reason") or request.query_params.get("reason", "")
        payment_delete(payment=payment, actor=self.actor, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)
