"""The payments and refunds exports: the columns and rows of the CSVs the API and the back
office stream (the stream itself is `billing.csv_export`).

A payment's `kind` (money_received, credit_applied, balance_used, advance_applied) tells
money that came in from credit, balance or an advance applied; it is the last column.
A refund's natural date is when it was made (`created_at`): refunds have no other date.
"""

from billing.csv_export import CHUNK, CsvExport
from billing.csv_export import Echo as _Echo  # noqa: F401 (kept for older importers)
from billing.csv_export import safe as _safe
from billing.formats import format_timestamp
from payments.models import Payment, Refund

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
__all__ = ["CHUNK", "COLUMNS", "PAYMENT_EXPORT", "REFUND_EXPORT", "payment_csv_lines"]


def _payment_row(payment) -> list:
    return [
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


PAYMENT_EXPORT = CsvExport(
    name="payments",
    columns=COLUMNS,
    row=_payment_row,
    source=lambda: Payment.objects.filter(is_deleted=False),
    period_field="date",
    related=("invoice", "customer"),
    fields=(*EXPORTED_FIELDS, "invoice__number", "customer__name"),
)


def payment_csv_lines(queryset, *, start=None, end=None):
    """The CSV of `queryset`'s payments (dated `start` … `end` if given), line by line."""
    return PAYMENT_EXPORT.lines(queryset, start=start, end=end)


def _refund_row(refund) -> list:
    payment = refund.payment
    return [
        refund.pk,
        format_timestamp(refund.created_at),
        refund.status,
        refund.destination,
        refund.amount,
        refund.currency,
        refund.payment_id,
        payment.type,
        payment.invoice_id or "",
        getattr(payment.invoice, "number", "") if payment.invoice_id else "",
        payment.advance_invoice_id or "",
        payment.customer_id,
        _safe(payment.customer.name),
        _safe(refund.reason),
        _safe(refund.failure_message),
        format_timestamp(refund.updated_at),
    ]


REFUND_EXPORT = CsvExport(
    name="refunds",
    columns=[
        "id",
        "created_at",
        "status",
        "destination",
        "amount",
        "currency",
        "payment_id",
        "payment_type",
        "invoice_id",
        "invoice_number",
        "advance_invoice_id",
        "customer_id",
        "customer_name",
        "reason",
        "failure_message",
        "updated_at",
    ],
    row=_refund_row,
    source=lambda: Refund.objects.all(),
    period_field="created_at",
    related=("payment__invoice", "payment__customer"),
    fields=(
        "id",
        "created_at",
        "updated_at",
        "status",
        "destination",
        "amount",
        "currency",
        "reason",
        "failure_message",
        "payment_id",
        "payment__type",
        "payment__invoice_id",
        "payment__advance_invoice_id",
        "payment__customer_id",
        "payment__invoice__number",
        "payment__customer__name",
    ),
)
