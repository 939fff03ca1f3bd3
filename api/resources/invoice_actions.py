"""Invoice and advance invoice actions: issue, void, write off, charge, apply the balance,
move an overpayment. Each view validates input and calls one service."""

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, IDEMPOTENCY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES
from api.framework.fields import (
    MoneyField,
)
from api.framework.idempotency import idempotent
from api.framework.preview import previewable
from api.framework.serializers import StrictInputSerializer
from api.resources.invoices import AdvanceInvoiceSerializer, InvoiceSerializer
from api.resources.payments import PaymentSerializer, serialize_payment
from api.resources.refunds import RefundSerializer
from invoices.models import Invoice, InvoiceKind
from invoices.services import invoice_write_off
from payments.models import Payment, PaymentStatus
from payments.services import (
    balance_apply,
    invoice_issue,
    invoice_void,
    overpayment_move_to_balance,
    payment_charge,
)


class ChargeSerializer(StrictInputSerializer):
    payment_method_id = serializers.CharField(help_text="A saved payment method (spm_…).")
    amount = MoneyField(required=False, help_text="Default: the amount due.")


class IssueSerializer(StrictInputSerializer):
    apply_balance = serializers.BooleanField(
        default=True, help_text="Use the customer's positive money balance on it at once."
    )


class ReasonSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2000)


class OptionalAmountSerializer(StrictInputSerializer):
    amount = MoneyField(required=False, help_text="Default: as much as possible.")


class DocumentActionView(SettleAPIView):
    scope_resource = "invoices"
    kind = InvoiceKind.INVOICE

    def document(self, pk) -> Invoice:
        noun = "invoice" if self.kind == InvoiceKind.INVOICE else "advance invoice"
        return self.find(Invoice.objects.filter(kind=self.kind), pk, noun)

    def present(self, invoice: Invoice) -> dict:
        invoice = Invoice.objects.prefetch_related("lines").get(pk=invoice.pk)
        serializer = AdvanceInvoiceSerializer if invoice.is_advance else InvoiceSerializer
        return serializer(invoice).data

    def read_input(self, serializer_class):
        serializer = serializer_class(data=request_data(self.request))
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def request_data(request):
    return request.data if request.data is not None else {}


def _action_schema(name: str, summary: str, request, response=InvoiceSerializer, code=200):
    return extend_schema(
        operation_id=name,
        summary=summary,
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=request,
        responses={code: response, **ERROR_RESPONSES},
    )


class InvoiceIssueView(DocumentActionView):
    @_action_schema(
        "issue_invoice", "Issue a draft invoice (number it; apply the balance)", IssueSerializer
    )
    @idempotent()
    def post(self, request, pk):
        data = self.read_input(IssueSerializer)
        invoice = invoice_issue(invoice=self.document(pk), actor=self.actor, **data)
        return Response(self.present(invoice))


class InvoiceVoidView(DocumentActionView):
    @_action_schema("void_invoice", "Void an invoice with nothing settled", ReasonSerializer)
    @idempotent()
    def post(self, request, pk):
        data = self.read_input(ReasonSerializer)
        return Response(
            self.present(invoice_void(invoice=self.document(pk), actor=self.actor, **data))
        )


class InvoiceWriteOffView(DocumentActionView):
    @_action_schema("write_off_invoice", "Write off an invoice as uncollectible", ReasonSerializer)
    @idempotent()
    def post(self, request, pk):
        data = self.read_input(ReasonSerializer)
        return Response(
            self.present(invoice_write_off(invoice=self.document(pk), actor=self.actor, **data))
        )


CardErrorSerializer = inline_serializer(
    "CardError",
    {
        "error": inline_serializer(
            "CardErrorDetail",
            {
                "type": serializers.CharField(help_text="card_error"),
                "code": serializers.CharField(help_text="card_declined"),
                "decline_code": serializers.CharField(
                    help_text="The gateway's reason, e.g. insufficient_funds, expired_card."
                ),
                "message": serializers.CharField(help_text="The decline reason, for people."),
                "param": serializers.CharField(help_text="payment_method_id"),
                "payment": PaymentSerializer(help_text="The failed payment, as recorded."),
            },
        )
    },
)


def declined_charge(payment: Payment) -> Response:
    """A decline as a 402 card error, so no client can take it for a success.

    The failed attempt is recorded (it is listed on the invoice, can be retried and
    is in the audit trail), so the error carries it. The view returns this answer
    instead of raising: the Idempotency-Key then replays it, and a repeated request
    never charges the card a second time.
    """
    body = {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": payment.failure_code or "card_declined",
            "message": payment.failure_message or "The card was declined.",
            "param": "payment_method_id",
            "payment": serialize_payment(payment),
        }
    }
    return Response(body, status=status.HTTP_402_PAYMENT_REQUIRED)


class InvoiceChargeView(DocumentActionView):
    @previewable
    @extend_schema(
        operation_id="charge_invoice",
        summary="Charge a saved payment method for the amount due",
        description=(
            "201 with the payment when the charge succeeded, is waiting for the card "
            "holder's authentication (`requires_action`) or for the gateway's answer "
            "(`pending`). A declined card answers 402 with a `card_error` whose "
            "`payment` is the failed attempt, recorded on the invoice."
        ),
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=ChargeSerializer,
        responses={
            201: PaymentSerializer,
            (402, "application/json"): OpenApiResponse(
                CardErrorSerializer,
                description="The card was declined; the failed payment is in `error.payment`.",
            ),
            **ERROR_RESPONSES,
        },
    )
    @idempotent(atomic=False)
    def post(self, request, pk):
        data = self.read_input(ChargeSerializer)
        document = self.document(pk)
        target = {"advance_invoice_id" if document.is_advance else "invoice_id": document.pk}
        payment = payment_charge(entity=self.entity, actor=self.actor, **target, **data)
        if payment.status == PaymentStatus.FAILED:
            return declined_charge(payment)
        return Response(serialize_payment(payment), status=status.HTTP_201_CREATED)


class InvoiceApplyBalanceView(DocumentActionView):
    @previewable
    @_action_schema(
        "apply_balance_to_invoice",
        "Use the customer's money balance on an invoice",
        OptionalAmountSerializer,
        PaymentSerializer,
        201,
    )
    @idempotent()
    def post(self, request, pk):
        data = self.read_input(OptionalAmountSerializer)
        payment = balance_apply(
            entity=self.entity, invoice_id=self.document(pk).pk, actor=self.actor, **data
        )
        return Response(serialize_payment(payment), status=status.HTTP_201_CREATED)


class InvoiceMoveOverpaymentView(DocumentActionView):
    @previewable
    @_action_schema(
        "move_invoice_overpayment",
        "Move an overpayment to the customer's money balance",
        OptionalAmountSerializer,
        inline_serializer(
            "OverpaymentMoved",
            {"invoice": InvoiceSerializer(), "refunds": RefundSerializer(many=True)},
        ),
    )
    @idempotent()
    def post(self, request, pk):
        data = self.read_input(OptionalAmountSerializer)
        invoice = self.document(pk)
        refunds = overpayment_move_to_balance(invoice=invoice, actor=self.actor, **data)
        return Response(
            {"invoice": self.present(invoice), "refunds": RefundSerializer(refunds, many=True).data}
        )


class AdvanceActionMixin:
    kind = InvoiceKind.ADVANCE


@extend_schema_view(
    post=extend_schema(
        operation_id="issue_advance_invoice",
        summary="Issue a draft advance invoice",
        responses={200: AdvanceInvoiceSerializer, **ERROR_RESPONSES},
    )
)
class AdvanceIssueView(AdvanceActionMixin, InvoiceIssueView):
    pass


@extend_schema_view(
    post=extend_schema(
        operation_id="void_advance_invoice",
        summary="Void an advance invoice with nothing paid",
        responses={200: AdvanceInvoiceSerializer, **ERROR_RESPONSES},
    )
)
class AdvanceVoidView(AdvanceActionMixin, InvoiceVoidView):
    pass


@extend_schema_view(
    post=extend_schema(
        operation_id="charge_advance_invoice",
        summary="Charge a saved payment method for an advance",
    )
)
class AdvanceChargeView(AdvanceActionMixin, InvoiceChargeView):
    pass
