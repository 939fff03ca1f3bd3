"""`POST /api/v1/invoices/{id}/refunds`: refund an invoice, spread over its payments."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, IDEMPOTENCY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES
from api.framework.fields import MoneyField
from api.framework.idempotency import idempotent
from api.framework.preview import previewable
from api.framework.serializers import StrictInputSerializer
from api.resources.refunds import RefundSerializer
from billing.money import ZERO
from invoices.models import Invoice, InvoiceKind
from payments.models import PaymentType, RefundDestination
from payments.services import invoice_refund
from payments.services.invoice_refunds import CARD_FIRST, NEWEST_FIRST


class InvoiceRefundSerializer(StrictInputSerializer):
    amount = MoneyField(
        required=False, help_text="Default: everything the invoice's payments can refund."
    )
    reason = serializers.CharField(max_length=2000)
    order = serializers.ChoiceField(
        choices=[NEWEST_FIRST, CARD_FIRST],
        default=NEWEST_FIRST,
        help_text="newest_first: the newest payment first, each given back whole before the "
        "next; card_first: card charges (back through the gateway) before external payments.",
    )
    destination = serializers.ChoiceField(
        choices=RefundDestination.choices, default=RefundDestination.ORIGINAL
    )


class RefundPartSerializer(serializers.Serializer):
    refund_id = serializers.CharField()
    payment_id = serializers.CharField()
    payment_type = serializers.ChoiceField(choices=PaymentType.choices)
    through_gateway = serializers.BooleanField(
        help_text="Sent back to the card through the gateway."
    )
    amount = MoneyField()


InvoiceRefundsSerializer = inline_serializer(
    "InvoiceRefunds",
    {
        "object": serializers.CharField(help_text="list"),
        "data": RefundSerializer(many=True),
        "amount": MoneyField(help_text="The sum of the refunds."),
        "currency": serializers.CharField(),
        "split": RefundPartSerializer(many=True),
    },
)


def present_refunds(refunds, currency: str) -> dict:
    return {
        "object": "list",
        "data": RefundSerializer(refunds, many=True).data,
        "amount": sum((refund.amount for refund in refunds), ZERO),
        "currency": currency,
        "split": [
            {
                "refund_id": refund.pk,
                "payment_id": refund.payment_id,
                "payment_type": refund.payment.type,
                "through_gateway": refund.payment.is_gateway
                and refund.destination == RefundDestination.ORIGINAL,
                "amount": refund.amount,
            }
            for refund in refunds
        ],
    }


class InvoiceRefundsView(SettleAPIView):
    scope_resource = "refunds"

    @previewable
    @extend_schema(
        operation_id="refund_invoice",
        summary="Refund an invoice over its payments",
        description="Spread an amount over the invoice's refundable payments (succeeded money "
        "payments, less what is already refunded or being refunded; credit note, advance and "
        "balance applications are not refunded here) and record one refund per payment "
        "touched, linked by one `invoice.refunded` audit event. All or nothing: an amount "
        "above what the payments can refund is a 409 `amount_exceeds_refundable`. Card "
        "refunds go to the gateway after the others are recorded (status `pending` until "
        "it answers).",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=InvoiceRefundSerializer,
        responses={201: InvoiceRefundsSerializer, **ERROR_RESPONSES},
    )
    @idempotent(atomic=False)
    def post(self, request, pk):
        invoice = self.find(Invoice.objects.filter(kind=InvoiceKind.INVOICE), pk, "invoice")
        serializer = InvoiceRefundSerializer(data=request.data if request.data is not None else {})
        serializer.is_valid(raise_exception=True)
        refunds = invoice_refund(invoice=invoice, actor=self.actor, **serializer.validated_data)
        return Response(present_refunds(refunds, invoice.currency), status=status.HTTP_201_CREATED)
