"""`GET /api/v1/reports/aged-receivables` (the entity's aging as of a date) and
`GET /api/v1/reports/collections` (money, refunds and credits per period), one currency
at a time (`payments.reports`); each also as CSV at `…/export`, every currency at once
(the back office's "Download CSV")."""

from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, SettleAPIView
from api.framework.csv_export import CSV_RESPONSES, CsvExportView
from api.framework.docs import ERROR_RESPONSES
from api.framework.fields import MoneyField, money_at_precision
from billing.money import validate_currency
from billing.validation import parse_date_param
from config.downloads import csv_download
from payments.reports import in_currency_order
from payments.reports.aged_receivables import BUCKETS, AgedReceivables, aged_receivables
from payments.reports.collections import (
    CREDIT_KINDS,
    GROUPINGS,
    METHODS,
    Collections,
    PeriodCollections,
    collections,
    empty_collections,
)
from payments.reports.exports import aged_receivables_csv_lines, collections_csv_lines


class AgingBucketSerializer(serializers.Serializer):
    amount = MoneyField()


BUCKET_AMOUNTS = inline_serializer(
    "AgingBuckets", {name: AgingBucketSerializer() for name in BUCKETS}
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


AS_OF = OpenApiParameter("as_of", {"type": "string", "format": "date"}, description="YYYY-MM-DD")


def _currency_parameter(default: str) -> OpenApiParameter:
    return OpenApiParameter("currency", str, description=f"ISO 4217 code. Default: {default}.")


def _chosen_currency(params) -> str | None:
    currency = params.get("currency")
    return validate_currency(currency) if currency else None


def _in_currencies(view, reports: dict, currency: str | None, empty) -> list:
    """The report of `currency` (an empty one if nothing is in it), or of every currency,
    the entity's default first."""
    if currency is None:
        return in_currency_order(reports, view.entity.default_currency)
    return [reports.get(currency) or empty(currency)]


def _aged_request(view, request):
    """(as_of, the currency asked for or None, the reports by currency)."""
    as_of = parse_date_param(request.query_params.get("as_of"), "as_of", timezone.localdate())
    currency = _chosen_currency(request.query_params)
    return as_of, currency, aged_receivables(entity_id=view.entity.pk, as_of=as_of)


class AgedReceivablesView(SettleAPIView):
    scope_resource = "reports"

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
        parameters=[ENTITY_HEADER, AS_OF, _currency_parameter("the entity's default currency")],
        responses={200: AGED_RECEIVABLES, **ERROR_RESPONSES},
    )
    def get(self, request):
        as_of, currency, reports = _aged_request(self, request)
        currency = currency or validate_currency(self.entity.default_currency)
        [report] = _in_currencies(
            self, reports, currency, lambda code: AgedReceivables(as_of, code)
        )
        return Response(aged_receivables_body(report, sorted(reports)))


class AgedReceivablesExportView(CsvExportView):
    scope_resource = "reports"

    @extend_schema(
        operation_id="export_aged_receivables",
        summary="Export aged receivables as CSV",
        description="The aged receivables as of `as_of` (default today) as CSV: a row per "
        "customer (`currency`, `customer_id`, `customer_name`, the buckets, `total`), then a "
        "`Total` row for each currency; every currency with something due (the entity's "
        "default first) unless `currency` names one.",
        parameters=[ENTITY_HEADER, AS_OF, _currency_parameter("every currency")],
        responses=CSV_RESPONSES,
    )
    def get(self, request):
        as_of, currency, reports = _aged_request(self, request)
        chosen = _in_currencies(self, reports, currency, lambda code: AgedReceivables(as_of, code))
        return csv_download(aged_receivables_csv_lines(chosen), f"aged-receivables-{as_of}")


class CollectedByMethodSerializer(serializers.Serializer):
    received = MoneyField()
    refunded = MoneyField()
    refunded_to_balance = MoneyField()
    net = MoneyField()


PERIOD_FIGURES = {
    "start": serializers.DateField(),
    "end": serializers.DateField(),
    "methods": inline_serializer(
        "CollectedMethods", {method: CollectedByMethodSerializer() for method in METHODS}
    ),
    "received": MoneyField(help_text="Money received: external payments and card charges."),
    "refunded": MoneyField(help_text="Money paid back to the customer."),
    "refunded_to_balance": MoneyField(
        help_text="Refunds moved to the customer's balance: kept, so not taken off `net`."
    ),
    "net": MoneyField(help_text="received − refunded"),
    "credits": inline_serializer("AppliedCredits", {kind: MoneyField() for kind in CREDIT_KINDS}),
    "credited": MoneyField(help_text="Σ credits: never money."),
}
COLLECTIONS = inline_serializer(
    "Collections",
    {
        "object": serializers.CharField(default="collections"),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "group_by": serializers.ChoiceField(choices=list(GROUPINGS)),
        "currency": serializers.CharField(),
        "currencies": serializers.ListField(
            child=serializers.CharField(),
            help_text="Every currency with something collected in the range.",
        ),
        "periods": inline_serializer("CollectionsPeriod", PERIOD_FIGURES, many=True),
        "totals": inline_serializer("CollectionsTotals", PERIOD_FIGURES),
    },
)


def _period_body(figures: PeriodCollections, currency: str) -> dict:
    def amount(value):
        return money_at_precision(value, currency)

    return {
        "start": figures.start.isoformat(),
        "end": figures.end.isoformat(),
        "methods": {
            method: {
                "received": amount(f.received),
                "refunded": amount(f.refunded),
                "refunded_to_balance": amount(f.refunded_to_balance),
                "net": amount(f.net),
            }
            for method, f in figures.methods.items()
        },
        "received": amount(figures.received),
        "refunded": amount(figures.refunded),
        "refunded_to_balance": amount(figures.refunded_to_balance),
        "net": amount(figures.net),
        "credits": {kind: amount(value) for kind, value in figures.credits.items()},
        "credited": amount(figures.credited),
    }


def collections_body(report: Collections, currencies: list[str]) -> dict:
    return {
        "object": "collections",
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "group_by": report.group_by,
        "currency": report.currency,
        "currencies": currencies,
        "periods": [_period_body(period, report.currency) for period in report.periods],
        "totals": _period_body(report.totals, report.currency),
    }


COLLECTIONS_PARAMETERS = [
    OpenApiParameter("from", {"type": "string", "format": "date"}, description="YYYY-MM-DD"),
    OpenApiParameter("to", {"type": "string", "format": "date"}, description="YYYY-MM-DD"),
    OpenApiParameter(
        "group_by", {"type": "string", "enum": list(GROUPINGS)}, description="Default: month."
    ),
]


def _collections_request(view, request):
    """(from, to, group_by, the currency asked for or None, the reports by currency)."""
    params = request.query_params
    end = parse_date_param(params.get("to"), "to", timezone.localdate())
    start = parse_date_param(params.get("from"), "from", end.replace(day=1))
    group_by = params.get("group_by") or "month"
    currency = _chosen_currency(params)
    reports = collections(entity_id=view.entity.pk, start=start, end=end, group_by=group_by)
    return start, end, group_by, currency, reports


class CollectionsView(SettleAPIView):
    scope_resource = "reports"

    @extend_schema(
        operation_id="report_collections",
        summary="Collections per day, week or month",
        description="For each period from `from` to `to` (both included; default: this month "
        "to today): money received by method (external payments and card charges, by payment "
        "date), money refunded (by the day the refund was made, under the refunded payment's "
        "method), `net` = received − refunded, and apart from money the credits applied "
        "(credit notes, balance used, advances), never counted as money. Refunds moved to the "
        "customer's balance are shown as `refunded_to_balance` and not taken off `net`. Weeks "
        "start on Monday; the first and last period are cut to the range; at most 400 "
        "periods. One currency per response: `currency`, or else the entity's default "
        "currency; `currencies` lists every currency with something collected.",
        parameters=[
            ENTITY_HEADER,
            *COLLECTIONS_PARAMETERS,
            _currency_parameter("the entity's default currency"),
        ],
        responses={200: COLLECTIONS, **ERROR_RESPONSES},
    )
    def get(self, request):
        start, end, group_by, currency, reports = _collections_request(self, request)
        currency = currency or validate_currency(self.entity.default_currency)
        [report] = _in_currencies(
            self, reports, currency, lambda code: empty_collections(code, start, end, group_by)
        )
        return Response(collections_body(report, sorted(reports)))


class CollectionsExportView(CsvExportView):
    scope_resource = "reports"

    @extend_schema(
        operation_id="export_collections",
        summary="Export collections as CSV",
        description="The collections from `from` to `to` per `group_by` period as CSV: a "
        "`period` row for each period, then a `total` row, for every currency with something "
        "collected (the entity's default first) unless `currency` names one; the columns are "
        "those of the JSON report.",
        parameters=[ENTITY_HEADER, *COLLECTIONS_PARAMETERS, _currency_parameter("every currency")],
        responses=CSV_RESPONSES,
    )
    def get(self, request):
        start, end, group_by, currency, reports = _collections_request(self, request)
        chosen = _in_currencies(
            self, reports, currency, lambda code: empty_collections(code, start, end, group_by)
        )
        return csv_download(collections_csv_lines(chosen), f"collections-{start}-{end}")
