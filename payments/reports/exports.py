"""The reports as CSV, line by line: what the back office's "Download CSV" streams. The CSV
machinery (and the neutralising of spreadsheet formulas) is the payments export's."""

import csv

from billing.money import round_money
from payments.exports import _Echo, _safe
from payments.reports.aged_receivables import BUCKETS, AgedReceivables
from payments.reports.collections import CREDIT_KINDS, METHODS, Collections, PeriodCollections


def _amounts(values, currency: str) -> list:
    """Amounts at the currency's precision (EUR 0.00, JPY 0), as the API renders them."""
    return [round_money(value, currency) for value in values]


AGED_RECEIVABLES_COLUMNS = ["currency", "customer_id", "customer_name", *BUCKETS, "total"]


def aged_receivables_csv_lines(reports: list[AgedReceivables]):
    """One row per customer and currency, then a total row for each currency."""
    writer = csv.writer(_Echo())
    yield writer.writerow(AGED_RECEIVABLES_COLUMNS)
    for report in reports:
        currency = report.currency
        for row in report.customers:
            amounts = _amounts([*(row.buckets[name] for name in BUCKETS), row.total], currency)
            yield writer.writerow([currency, row.customer_id, _safe(row.customer_name), *amounts])
        totals = _amounts([*(report.buckets[name] for name in BUCKETS), report.total], currency)
        yield writer.writerow([currency, "", "Total", *totals])


def collections_columns() -> list[str]:
    return [
        "row",
        "currency",
        "period_start",
        "period_end",
        *(f"{method}_received" for method in METHODS),
        *(f"{method}_refunded" for method in METHODS),
        "received",
        "refunded",
        "refunded_to_balance",
        "net",
        *CREDIT_KINDS,
    ]


def _collections_row(label: str, currency: str, figures: PeriodCollections) -> list:
    amounts = [
        *(figures.methods[method].received for method in METHODS),
        *(figures.methods[method].refunded for method in METHODS),
        figures.received,
        figures.refunded,
        figures.refunded_to_balance,
        figures.net,
        *(figures.credits[kind] for kind in CREDIT_KINDS),
    ]
    period = [label, currency, figures.start.isoformat(), figures.end.isoformat()]
    return [*period, *_amounts(amounts, currency)]


def collections_csv_lines(reports: list[Collections]):
    """One row per period and currency, then a total row for each currency."""
    writer = csv.writer(_Echo())
    yield writer.writerow(collections_columns())
    for report in reports:
        for period in report.periods:
            yield writer.writerow(_collections_row("period", report.currency, period))
        yield writer.writerow(_collections_row("total", report.currency, report.totals))
