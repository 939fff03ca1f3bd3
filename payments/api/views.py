"""`/api/v1/payments` and `/api/v1/refunds`: parse, call the one service, present."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from billing.api.base import (
    ENTITY_HEADER,
    IDEMPOTENCY_HEADER,
    SettleAPIView,
    list_response,
    parse_includes,
)
from billing.api.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from billing.api.filtering import apply_filterset
from billing.api.idempotency import idempotent
from billing.api.listing import list_page
from invoices.models import CreditNoteLine, InvoiceLine
from payments.api.filters import PaymentFilter
from payments.api.serializers import (
    PAYMENT_INCLUDES,
    PaymentCreateSerializer,
    PaymentSerializer,
    PaymentUpdateSerializer,
    PaymentWithIncludesSerializer,
    RefundCreateSerializer,
    RefundSerializer,
    serialize_payment,
)
from payments.api.specs import PAYMENT_LIST_SPEC, REFUND_LIST_SPEC
from payments.models import Payment, Refund
from payments.services import payment_delete, payment_record, payment_update, refund_create

INCLUDE_PARAMETER = OpenApiParameter(
    "include",
    str,
    description="Comma-separated relations to embed. Allowed: Invoice, CreditNote, AdvanceInvoice",
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
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=None,
        responses={204: OpenApiResponse(description="Deleted."), **ERROR_RESPONSES},
    )
    @idempotent()
    def delete(self, request, pk):
        payment_delete(
            payment=self.get_payment(pk), actor=self.actor, reason="Deleted through the API"
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PaymentRefundsView(SettleAPIView):
    @extend_schema(
        operation_id="list_payment_refunds",
        summary="List a payment's refunds",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(RefundSerializer), **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        payment = self.find(Payment.objects.filter(is_deleted=False), pk, "payment")
        page = list_page(
            Refund.objects.filter(payment=payment), request.query_params, REFUND_LIST_SPEC
        )
        return list_response(page, lambda refund: RefundSerializer(refund).data)

    @extend_schema(
        operation_id="create_refund",
        summary="Refund a payment",
        description="Refund all or part of a payment. A charged card payment is refunded to "
        "the card through the gateway (status pending until it answers); an external payment "
        "is recorded as paid back outside; destination customer_balance credits the "
        "customer's money balance instead.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=RefundCreateSerializer,
        responses={201: RefundSerializer, **ERROR_RESPONSES},
    )
    @idempotent(atomic=False)
    def post(self, request, pk):
        payment = self.find(Payment.objects.filter(is_deleted=False), pk, "payment")
        serializer = RefundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund = refund_create(payment=payment, actor=self.actor, **serializer.validated_data)
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)


class RefundListView(SettleAPIView):
    @extend_schema(
        operation_id="list_refunds",
        summary="List all refunds",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(RefundSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        page = list_page(
            Refund.objects.filter(entity_id=self.entity.pk), request.query_params, REFUND_LIST_SPEC
        )
        return list_response(page, lambda refund: RefundSerializer(refund).data)


class RefundDetailView(SettleAPIView):
    @extend_schema(
        operation_id="get_refund",
        summary="Get refund by ID",
        parameters=[ENTITY_HEADER],
        responses={200: RefundSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return Response(RefundSerializer(self.find(Refund.objects, pk, "refund")).data)
