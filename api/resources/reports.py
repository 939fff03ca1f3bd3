"""`GET /api/v1/reports/aged-receivables`: the entity's aging as of a date, one currency at a
time (`payments.reports.aged_receivables`)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES
from api.framework.fields import MoneyField, money_at_precision
from billing.money import validate_currency
from billing.validation import parse_date_param
from payments.reports.aged_receivables import BUCKETS, AgedReceivables, aged_receivables

BUCKET_AMOUNTS = inline_serializer(
    "AgingBuckets",
    {name: inline_serializer(f"AgingBucket_{name}", {"amount": MoneyField()}) for name in BUCKETS},
)
AGED_RECEIVABLES = inline_serializer(
    "AgedReceivables",
    {
        "object": serializers.CharField(default="aged_receivables"),
        "as_of": serializers.DateField(),
        "currency": serializers.CharField(),
        "currencies": serializers.ListField(
            child=serializers.CharField(),
            help_text="Every currency with something due as of the date; ask for each with "
            "`currency`.",
        ),
        "buckets": BUCKET_AMOUNTS,
        "total": MoneyField(help_text="Σ of the buckets: what the open invoices had due."),
        "invoice_count": serializers.IntegerField(),
        "customers": inline_serializer(
            "CustomerAging",
            {
                "customer_id": serializers.CharField(),
                "customer_name": serializers.CharField(),
                "buckets": BUCKET_AMOUNTS,
                "total": MoneyField(),
            },
            many=True,
        ),
    },
)


def _buckets(amounts: dict, currency: str) -> dict:
    return {name: {"amount": money_at_precision(amounts[name], currency)} for name in BUCKETS}


def aged_receivables_body(report: AgedReceivables, currencies: list[str]) -> dict:
    currency = report.currency
    return {
        "object": "aged_receivables",
        "as_of": report.as_of.isoformat(),
        "currency": currency,
        "currencies": currencies,
        "buckets": _buckets(report.buckets, currency),
        "total": money_at_precision(report.total, currency),
        "invoice_count": report.invoice_count,
        "customers": [
            {
                "customer_id": row.customer_id,
                "customer_name": row.customer_name,
                "buckets": _buckets(row.buckets, currency),
                "total": money_at_precision(row.total, currency),
            }
            for row in report.customers
        ],
    }


class AgedReceivablesView(SettleAPIView):
    @extend_schema(
        operation_id="report_aged_receivables",
        summary="Aged receivables as of a date",
        description="What the entity's issued final invoices had due on `as_of` (default "
        "today), rebuilt from the payments, credits and refunds dated up to then, in buckets "
        "by days past due: `current` (not yet due), `1_30`, `31_60`, `61_90`, `over_90`; the "
        "same per customer, largest total first. Advance invoices are prepayment requests and "
        "not counted; void invoices never, written-off ones only before their write-off. "
        "One currency per response: `currency`, or else the entity's default currency; "
        "`currencies` lists every currency with something due, so a client asks for each.",
        parameters=[
            ENTITY_HEADER,
            OpenApiParameter(
                "as_of", {"type": "string", "format": "date"}, description="YYYY-MM-DD"
            ),
            OpenApiParameter(
                "currency",
                str,
                description="ISO 4217 code. Default: the entity's default currency.",
            ),
        ],
        responses={200: AGED_RECEIVABLES, **ERROR_RESPONSES},
    )
    def get(self, request):
        params = request.query_params
        as_of = parse_date_param(params.get("as_of"), "as_of", timezone.localdate())
        currency = validate_currency(params.get("currency") or self.entity.default_currency)
        reports = aged_receivables(entity_id=self.entity.pk, as_of=as_of)
        report = reports.get(currency) or AgedReceivables(as_of, currency)
        return Response(aged_receivables_body(report, sorted(reports)))
