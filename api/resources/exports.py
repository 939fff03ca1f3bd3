"""CSV exports of refunds, credit notes, invoices, the balance ledger and the audit trail.

Each answers `GET /api/v1/<resource>/export` with the rows of the key's entity, bounded by
`from`/`to` on the row's natural date, filtered with its list's language where the
resource has a list, streamed as CSV (`api.framework.csv_export`).
"""

import django_filters
from drf_spectacular.utils import OpenApiParameter

from api.framework.csv_export import LIST_LANGUAGE_PARAMETERS, CsvExportView, export_schema
from api.resources.audit_events import (
    AUDIT_EVENT_FILTER_PARAMETERS,
    AUDIT_EVENT_LIST_SPEC,
    AuditEventFilter,
)
from api.resources.credit_notes import CREDIT_NOTE_LIST_SPEC
from api.resources.customers import BALANCE_TRANSACTION_LIST_SPEC
from api.resources.invoices import INVOICE_LIST_SPEC
from api.resources.refunds import REFUND_LIST_SPEC
from billing.exports import AUDIT_EVENT_EXPORT, BALANCE_TRANSACTION_EXPORT
from billing.models import BalanceTransaction
from invoices.exports import CREDIT_NOTE_EXPORT, INVOICE_EXPORT
from invoices.models import CreditNote, Invoice, InvoiceKind, InvoiceStatus
from payments.exports import REFUND_EXPORT
from payments.models import Refund, RefundDestination, RefundStatus


def _filter_parameters(*pairs):
    return [OpenApiParameter(name, str, description=text) for name, text in pairs]


class RefundFilter(django_filters.FilterSet):
    payment_id = django_filters.CharFilter(field_name="payment_id")
    status = django_filters.MultipleChoiceFilter(choices=RefundStatus.choices)
    destination = django_filters.MultipleChoiceFilter(choices=RefundDestination.choices)

    class Meta:
        model = Refund
        fields = []


class RefundExportView(CsvExportView):
    export = REFUND_EXPORT
    list_spec = REFUND_LIST_SPEC
    filterset = RefundFilter

    @export_schema(
        operation_id="export_refunds",
        summary="Export refunds as CSV",
        description="Every refund the list's `query`, `search` and `order_by` select, with "
        "its payment, invoice and customer; `from`/`to` bound the day it was made "
        "(`created_at`, in the site's time zone).",
        parameters=[
            *LIST_LANGUAGE_PARAMETERS,
            *_filter_parameters(
                ("payment_id", "Only this payment's refunds."),
                ("status", "Only these statuses (repeat the parameter for several)."),
                ("destination", "Only these destinations (original, customer_balance)."),
            ),
        ],
    )
    def get(self, request):
        return self.export_response(request)


class CreditNoteFilter(django_filters.FilterSet):
    invoice_id = django_filters.CharFilter(field_name="invoice_id")
    customer_id = django_filters.CharFilter(field_name="customer_id")

    class Meta:
        model = CreditNote
        fields = []


class CreditNoteExportView(CsvExportView):
    export = CREDIT_NOTE_EXPORT
    list_spec = CREDIT_NOTE_LIST_SPEC
    filterset = CreditNoteFilter

    @export_schema(
        operation_id="export_credit_notes",
        summary="Export credit notes as CSV",
        description="Every credit note the list's `query`, `search` and `order_by` select; "
        "`from`/`to` bound the credit note's date.",
        parameters=[
            *LIST_LANGUAGE_PARAMETERS,
            *_filter_parameters(
                ("invoice_id", "Only the credit notes of this invoice."),
                ("customer_id", "Only this customer's credit notes."),
            ),
        ],
    )
    def get(self, request):
        return self.export_response(request)


class InvoiceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=InvoiceKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=InvoiceStatus.choices)
    customer_id = django_filters.CharFilter(field_name="customer_id")

    class Meta:
        model = Invoice
        fields = []


class InvoiceExportView(CsvExportView):
    export = INVOICE_EXPORT
    list_spec = INVOICE_LIST_SPEC
    filterset = InvoiceFilter

    @export_schema(
        operation_id="export_invoices",
        summary="Export invoices and advance invoices as CSV",
        description="Invoices and advance invoices together, told apart by the `kind` column "
        "(`kind=invoice` or `kind=advance` keeps one); the invoices list's `query`, `search` "
        "and `order_by` apply; `from`/`to` bound the invoice date. Drafts have no number yet.",
        parameters=[
            *LIST_LANGUAGE_PARAMETERS,
            *_filter_parameters(
                ("kind", "invoice or advance; both when absent."),
                ("status", "Only these statuses (repeat the parameter for several)."),
                ("customer_id", "Only this customer's invoices."),
            ),
        ],
    )
    def get(self, request):
        return self.export_response(request)


class BalanceTransactionFilter(django_filters.FilterSet):
    customer_id = django_filters.CharFilter(field_name="customer_id")

    class Meta:
        model = BalanceTransaction
        fields = []


class BalanceTransactionExportView(CsvExportView):
    export = BALANCE_TRANSACTION_EXPORT
    list_spec = BALANCE_TRANSACTION_LIST_SPEC
    filterset = BalanceTransactionFilter

    @export_schema(
        operation_id="export_balance_transactions",
        summary="Export the customers' balance ledger as CSV",
        description="Every customer's balance movements (or one customer's, with "
        "`customer_id`), each with the balance after it; the ledger list's `query`, `search` "
        "and `order_by` apply; `from`/`to` bound the day of the movement (`created_at`).",
        parameters=[
            *LIST_LANGUAGE_PARAMETERS,
            *_filter_parameters(("customer_id", "Only this customer's ledger.")),
        ],
    )
    def get(self, request):
        return self.export_response(request)


class AuditEventExportView(CsvExportView):
    export = AUDIT_EVENT_EXPORT
    list_spec = AUDIT_EVENT_LIST_SPEC
    filterset = AuditEventFilter

    @export_schema(
        operation_id="export_audit_events",
        summary="Export the audit trail as CSV",
        description="Every audit event the list's `query`, `search`, `order_by` and filters "
        "select; `from`/`to` bound the day of the event. `before` and `after` are compact "
        "JSON.",
        parameters=[*LIST_LANGUAGE_PARAMETERS, *AUDIT_EVENT_FILTER_PARAMETERS],
    )
    def get(self, request):
        return self.export_response(request)
