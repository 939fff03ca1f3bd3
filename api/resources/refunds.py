"""`/api/v1/refunds` and `/api/v1/payments/{id}/refunds`: refund a payment, list and read refunds."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import (
    ENTITY_HEADER,
    IDEMPOTENCY_HEADER,
    SettleAPIView,
    list_response,
)
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.fields import (
    MoneyField,
    TimestampField,
)
from api.framework.idempotency import idempotent
from api.framework.listing import Field, ListSpec, list_page
from api.framework.preview import previewable
from api.framework.serializers import StrictInputSerializer
from payments.models import (
    Payment,
    Refund,
    RefundDestination,
    RefundStatus,
)
from payments.services import refund_create


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


REFUND_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("payment_id", "payment_id", "id"),
        Field("amount", "amount", "number"),
        Field("status", "status", "enum"),
        Field("destination", "destination", "enum"),
        Field("reason", "reason", "string", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("reason", "id"),
    metadata_path=None,
    default_order="-created_at",
)


class PaymentRefundsView(SettleAPIView):
    scope_resource = "refunds"

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

    @previewable
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
    scope_resource = "refunds"

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
    scope_resource = "refunds"

    @extend_schema(
        operation_id="get_refund",
        summary="Get refund by ID",
        parameters=[ENTITY_HEADER],
        responses={200: RefundSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return Response(RefundSerializer(self.find(Refund.objects, pk, "refund")).data)
