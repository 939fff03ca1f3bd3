"""The invoices and credit notes exports: columns and rows of the CSVs the API and the back
office stream (the stream itself is `billing.csv_export`).

Invoices and advance invoices share one export, told apart by `kind`; a draft has no
number yet. Each document's natural date is its own `date`.
"""

from billing.csv_export import CsvExport, safe
from billing.formats import format_timestamp
from invoices.models import CreditNote, Invoice


def _day(value) -> str:
    return value.isoformat() if value else ""


def _invoice_row(invoice) -> list:
    return [
        invoice.pk,
        invoice.kind,
        invoice.number,
        invoice.status,
        _day(invoice.date),
        _day(invoice.due_date),
        invoice.customer_id,
        safe(invoice.customer.name),
        invoice.currency,
        invoice.total_net,
        invoice.total_tax,
        invoice.total,
        invoice.total_paid,
        invoice.total_credited,
        invoice.total_due,
        invoice.total_applied,
        format_timestamp(invoice.issued_at) or "",
        format_timestamp(invoice.voided_at) or "",
        format_timestamp(invoice.written_off_at) or "",
        safe(invoice.note),
        format_timestamp(invoice.created_at),
    ]


INVOICE_EXPORT = CsvExport(
    name="invoices",
    columns=[
        "id",
        "kind",  # invoice or advance
        "number",
        "status",
        "date",
        "due_date",
        "customer_id",
        "customer_name",
        "currency",
        "subtotal",
        "total_tax",
        "total",
        "total_paid",
        "total_credited",
        "total_due",
        "total_applied",  # advance invoices: what was applied to final invoices
        "issued_at",
        "voided_at",
        "written_off_at",
        "note",
        "created_at",
    ],
    row=_invoice_row,
    source=lambda: Invoice.objects.all(),
    period_field="date",
    related=("customer",),
    fields=(
        "id",
        "kind",
        "number",
        "status",
        "date",
        "due_date",
        "customer_id",
        "customer__name",
        "currency",
        "total_net",
        "total_tax",
        "total",
        "total_paid",
        "total_credited",
        "total_due",
        "total_applied",
        "issued_at",
        "voided_at",
        "written_off_at",
        "note",
        "created_at",
    ),
)


def _credit_note_row(credit_note) -> list:
    return [
        credit_note.pk,
        credit_note.number,
        credit_note.status,
        _day(credit_note.date),
        credit_note.invoice_id,
        credit_note.invoice.number,
        credit_note.customer_id,
        safe(credit_note.customer.name),
        credit_note.currency,
        credit_note.total_net,
        credit_note.total_tax,
        credit_note.total,
        credit_note.total_applied,
        credit_note.total_remaining,
        safe(credit_note.reason),
        format_timestamp(credit_note.created_at),
    ]


CREDIT_NOTE_EXPORT = CsvExport(
    name="credit-notes",
    columns=[
        "id",
        "number",
        "status",
        "date",
        "invoice_id",
        "invoice_number",
        "customer_id",
        "customer_name",
        "currency",
        "subtotal",
        "total_tax",
        "total",
        "total_applied",
        "total_remaining",
        "reason",
        "created_at",
    ],
    row=_credit_note_row,
    source=lambda: CreditNote.objects.all(),
    period_field="date",
    related=("customer", "invoice"),
    fields=(
        "id",
        "number",
        "status",
        "date",
        "invoice_id",
        "invoice__number",
        "customer_id",
        "customer__name",
        "currency",
        "total_net",
        "total_tax",
        "total",
        "total_applied",
        "total_remaining",
        "reason",
        "created_at",
    ),
)
