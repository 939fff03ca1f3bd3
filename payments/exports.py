"""The payments export: the columns and rows of the CSV that the API and the back office stream.

`kind` (money_received, credit_applied, balance_used, advance_applied) tells money that
came in from credit, balance or an advance applied; it is the last column.

Rows are read with a server-side cursor in chunks and written as they come,
so memory stays flat whatever the number of rows.
"""

import csv

from billing.formats import format_timestamp

COLUMNS = [
    "id",
    "date",
    "type",
    "status",
    "amount",
    "amount_refunded",
    "currency",
    "invoice_id",
    "invoice_number",
    "credit_note_id",
    "advance_invoice_id",
    "customer_id",
    "customer_name",
    "reference",
    "note",
    "created_at",
    "kind",  # last, so readers of the older columns keep their positions
]
EXPORTED_FIELDS = (
    "id",
    "date",
    "type",
    "status",
    "amount",
    "amount_refunded",
    "currency",
    "invoice_id",
    "credit_note_id",
    "advance_invoice_id",
    "customer_id",
    "reference",
    "note",
    "created_at",
)
CHUNK = 2000


class _Echo:
    """A file that hands back what is written, so csv.writer can feed a generator."""

    def write(self, value):
        return value


def _safe(value) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def payment_csv_lines(queryset):
    """The CSV of `queryset`'s payments, line by line, header first."""
    queryset = queryset.select_related("invoice", "customer").only(
        *EXPORTED_FIELDS, "invoice__number", "customer__name"
    )
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for payment in queryset.iterator(chunk_size=CHUNK):
        yield writer.writerow(
            [
                payment.pk,
                payment.date.isoformat(),
                payment.type,
                payment.status,
                payment.amount,
                payment.amount_refunded,
                payment.currency,
                payment.invoice_id or "",
                getattr(payment.invoice, "number", "") if payment.invoice_id else "",
                payment.credit_note_id or "",
                payment.advance_invoice_id or "",
                payment.customer_id,
                _safe(payment.customer.name),
                _safe(payment.reference),
                _safe(payment.note),
                format_timestamp(payment.created_at),
                payment.kind,
            ]
        )
