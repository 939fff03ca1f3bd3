"""`GET /api/v1/invoices/{id}/explain`, `GET /api/v1/advance-invoices/{id}/explain` and
`GET /api/v1/customers/{id}/balance/explain`: every row that makes an invoice's paid, credited
and due amounts, an advance invoice's paid, applied and remaining amounts, or a customer's
money balance, in order, with running sums ending at the figures, beside the stored figures."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES
from api.framework.fields import MoneyField
from billing.formats import format_timestamp
from billing.models import Customer
from invoices.models import Invoice, InvoiceKind
from payments.explain import (
    Figure,
    advance_explanation,
    balance_explanation,
    invoice_explanation,
)

EXPLANATION = inline_serializer(
    "InvoiceExplanation",
    {
        "object": serializers.CharField(default="invoice_explanation"),
        "invoice_id": serializers.CharField(),
        "currency": serializers.CharField(),
        "total": MoneyField(),
        "rows": serializers.ListField(child=serializers.DictField()),
        "figures": serializers.ListField(child=serializers.DictField()),
        "matches": serializers.BooleanField(),
    },
)

ADVANCE_EXPLANATION = inline_serializer(
    "AdvanceInvoiceExplanation",
    {
        "object": serializers.CharField(default="advance_invoice_explanation"),
        "advance_invoice_id": serializers.CharField(),
        "currency": serializers.CharField(),
        "total": MoneyField(),
        "rows": serializers.ListField(child=serializers.DictField()),
        "figures": serializers.ListField(child=serializers.DictField()),
        "matches": serializers.BooleanField(),
    },
)

BALANCE_EXPLANATION = inline_serializer(
    "BalanceExplanation",
    {
        "object": serializers.CharField(default="balance_explanation"),
        "customer_id": serializers.CharField(),
        "currency": serializers.CharField(),
        "rows": serializers.ListField(child=serializers.DictField()),
        "figure": serializers.DictField(),
        "matches": serializers.BooleanField(),
    },
)


def serialize_figure(figure: Figure) -> dict:
    return {
        "name": figure.name,
        "computed": figure.computed,
        "stored": figure.stored,
        "matches": figure.matches,
        "drift": figure.drift,
    }


def payment_cells(row) -> dict:
    """What every explained payment row says of its payment, whichever figure it explains."""
    return {
        "payment_id": row.payment.pk,
        "type": row.payment.type,
        "date": row.payment.date.isoformat(),
        "created_at": format_timestamp(row.payment.created_at),
        "amount": row.payment.amount,
        "amount_refunded": row.payment.amount_refunded,
        "net": row.net,
    }


def figures_cells(figures) -> dict:
    return {
        "figures": [serialize_figure(figure) for figure in figures],
        "matches": all(figure.matches for figure in figures),
    }


class InvoiceExplainView(SettleAPIView):
    scope_resource = "invoices"

    @extend_schema(
        operation_id="explain_invoice",
        summary="The rows behind an invoice's paid, credited and due amounts",
        parameters=[ENTITY_HEADER],
        responses={200: EXPLANATION, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        invoice = self.find(Invoice.objects.filter(kind=InvoiceKind.INVOICE), pk, "invoice")
        rows, figures = invoice_explanation(invoice)
        return Response(
            {
                "object": "invoice_explanation",
                "invoice_id": invoice.pk,
                "currency": invoice.currency,
                "total": invoice.total,
                "rows": [
                    {
                        **payment_cells(row),
                        "kind": row.kind,
                        "running_paid": row.running_paid,
                        "running_credited": row.running_credited,
                    }
                    for row in rows
                ],
                **figures_cells(figures),
            }
        )


class AdvanceInvoiceExplainView(SettleAPIView):
    scope_resource = "invoices"

    @extend_schema(
        operation_id="explain_advance_invoice",
        summary="The rows behind an advance invoice's paid, applied and remaining amounts",
        description="Each row is money paid into the advance (`direction: in`) or an "
        "application of it to a final invoice (`direction: out`), net of refunds.",
        parameters=[ENTITY_HEADER],
        responses={200: ADVANCE_EXPLANATION, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        advance = self.find(Invoice.objects.filter(kind=InvoiceKind.ADVANCE), pk, "advance_invoice")
        rows, figures = advance_explanation(advance)
        return Response(
            {
                "object": "advance_invoice_explanation",
                "advance_invoice_id": advance.pk,
                "currency": advance.currency,
                "total": advance.total,
                "rows": [
                    {
                        **payment_cells(row),
                        "direction": "in" if row.into else "out",
                        "invoice_id": row.payment.invoice_id,
                        "running_paid": row.running_paid,
                        "running_applied": row.running_applied,
                        "running_remaining": row.running_remaining,
                    }
                    for row in rows
                ],
                **figures_cells(figures),
            }
        )


class BalanceExplainView(SettleAPIView):
    scope_resource = "balance"

    @extend_schema(
        operation_id="explain_customer_balance",
        summary="The ledger rows behind a customer's money balance",
        parameters=[ENTITY_HEADER],
        responses={200: BALANCE_EXPLANATION, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        customer = self.find(Customer.objects.all(), pk, "customer")
        rows, figure = balance_explanation(customer)
        return Response(
            {
                "object": "balance_explanation",
                "customer_id": customer.pk,
                "currency": customer.currency,
                "rows": [
                    {
                        "balance_transaction_id": movement.pk,
                        "kind": movement.kind,
                        "created_at": format_timestamp(movement.created_at),
                        "amount": movement.amount,
                        "running_balance": running,
                        "invoice_id": movement.invoice_id or None,
                        "payment_id": movement.payment_id or None,
                    }
                    for movement, running in rows
                ],
                "figure": serialize_figure(figure),
                "matches": figure.matches,
            }
        )
