"""The reports as CSV, line by line: what the back office's "Download CSV" streams. The CSV
machinery (and the neutralising of spreadsheet formulas) is the payments export's."""

import csv

from payments.exports import _Echo, _safe
from payments.reports.aged_receivables import BUCKETS, AgedReceivables

AGED_RECEIVABLES_COLUMNS = ["currency", "customer_id", "customer_name", *BUCKETS, "total"]


def aged_receivables_csv_lines(reports: list[AgedReceivables]):
    """One row per customer and currency, then a total row for each currency."""
    writer = csv.writer(_Echo())
    yield writer.writerow(AGED_RECEIVABLES_COLUMNS)
    for report in reports:
        for row in report.customers:
            amounts = [row.buckets[name] for name in BUCKETS]
            yield writer.writerow(
                [report.currency, row.customer_id, _safe(row.customer_name), *amounts, row.total]
            )
        totals = [report.buckets[name] for name in BUCKETS]
        yield writer.writerow([report.currency, "", "Total", *totals, report.total])
