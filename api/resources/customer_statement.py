"""`GET /api/v1/customers/{id}/statement?from=&to=&currency=`: the customer's statement of
account over a period as JSON, the same rows the back office and the portal show (see
`payments.customer_statement` for what the balance means), with its check against the
stored figures."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES
from api.framework.fields import MoneyField
from api.resources.explain import serialize_figure
from billing.errors import ValidationError
from billing.models import Customer
from billing.money import round_money
from billing.validation import parse_date_param
from config.statement_period import default_period
from payments.customer_statement import (
    CustomerStatement,
    customer_statement,
    statement_currencies,
)

STATEMENT = inline_serializer(
    "CustomerStatement",
    {
        "object": serializers.CharField(default="customer_statement"),
        "customer_id": serializers.CharField(),
        "currency": serializers.CharField(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "opening_balance": MoneyField(),
        "closing_balance": MoneyField(),
        "opening_money_balance": MoneyField(),
        "closing_money_balance": MoneyField(),
        "total_debits": MoneyField(),
        "total_credits": MoneyField(),
        "rows": serializers.ListField(child=serializers.DictField()),
        "stored": serializers.DictField(),
        "reconciliation": serializers.DictField(),
    },
)
PARAMETERS = [
    ENTITY_HEADER,
    OpenApiParameter("from", str, description="First day, YYYY-MM-DD (default: 1 January)."),
    OpenApiParameter("to", str, description="Last day, YYYY-MM-DD (default: today)."),
    OpenApiParameter("currency", str, description="ISO 4217 (default: the customer's currency)."),
]


def serialize_statement(statement: CustomerStatement) -> dict:
    position = statement.position

    def m(value):
        return None if value is None else round_money(value, statement.currency)

    return {
        "object": "customer_statement",
        "customer_id": statement.customer.pk,
        "currency": statement.currency,
        "from": statement.start.isoformat(),
        "to": statement.end.isoformat(),
        "opening_balance": m(statement.opening_balance),
        "closing_balance": m(statement.closing_balance),
        "opening_money_balance": m(statement.opening_money_balance),
        "closing_money_balance": m(statement.closing_money_balance),
        "total_debits": m(statement.total_debits),
        "total_credits": m(statement.total_credits),
        "rows": [
            {
                "date": row.date.isoformat(),
                "kind": row.kind,
                "balance_kind": row.balance_kind or None,
                "description": row.description,
                "document_number": row.number or None,
                "reference": row.reference or None,
                "source_id": row.source_id,
                "amount": m(row.amount),
                "effect": m(row.effect),
                "balance": m(row.balance),
                "money_balance_change": m(row.money_change),
                "money_balance": m(row.money_balance),
            }
            for row in statement.rows
        ],
        "stored": {
            "invoices_due": m(position.invoices_due),
            "advances_unapplied": m(position.advances_unapplied),
            "credit_notes_remaining": m(position.credit_notes_remaining),
            "money_balance": m(position.money_balance),
            "balance": m(position.balance),
            "later_effect": m(statement.later_effect),
        },
        "reconciliation": serialize_figure(statement.reconciliation),
    }


class CustomerStatementView(SettleAPIView):
    scope_resource = "reports"

    @extend_schema(
        operation_id="customer_statement",
        summary="A customer's statement of account over a period",
        description="The balance is what the customer owes, net of every credit they hold "
        "(money balance, unused credit notes, advance payments not yet applied). Each row's "
        "`effect` is its signed change of the balance (0: credit moved, not gained). "
        "`reconciliation` compares the closing balance with the stored figures less what "
        "is dated after the period.",
        parameters=PARAMETERS,
        responses={200: STATEMENT, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        customer = self.find(Customer.objects.select_related("entity"), pk, "customer")
        first, today = default_period()
        start = parse_date_param(request.query_params.get("from"), "from", first)
        end = parse_date_param(request.query_params.get("to"), "to", today)
        if start > end:
            raise ValidationError("to must be on or after from.", code="invalid_period", param="to")
        currencies = statement_currencies(customer)
        currency = request.query_params.get("currency") or customer.currency
        if currency not in currencies:
            raise ValidationError(
                f"currency must be one of {', '.join(currencies)} for this customer.",
                code="invalid_currency",
                param="currency",
            )
        return Response(serialize_statement(customer_statement(customer, start, end, currency)))
