"""The resources of `/api/v1`, in the order Django matches them."""

from django.urls import path

from api.resources import (
    audit_events,
    bank_statements,
    credit_notes,
    customer_statement,
    customers,
    document_emails,
    documents,
    events,
    explain,
    exports,
    invoice_actions,
    invoice_refunds,
    invoices,
    payment_export,
    payments,
    refunds,
    reports,
    webhook_endpoints,
)

urlpatterns = [
    path("customers", customers.CustomerListView.as_view(), name="customer-list"),
    path("customers/<str:pk>", customers.CustomerDetailView.as_view(), name="customer-detail"),
    path(
        "customers/<str:pk>/balance-transactions",
        customers.BalanceTransactionListView.as_view(),
        name="customer-balance-transactions",
    ),
    path(
        "customers/<str:pk>/balance/explain",
        explain.BalanceExplainView.as_view(),
        name="customer-balance-explain",
    ),
    path(
        "customers/<str:pk>/statement",
        customer_statement.CustomerStatementView.as_view(),
        name="customer-statement",
    ),
    path(
        "customers/<str:pk>/balance-adjustments",
        customers.BalanceAdjustmentView.as_view(),
        name="customer-balance-adjustments",
    ),
    path("invoices", invoices.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/export", exports.InvoiceExportView.as_view(), name="invoice-export"),
    path("invoices/<str:pk>", invoices.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<str:pk>/pdf", documents.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("invoices/<str:pk>/explain", explain.InvoiceExplainView.as_view(), name="invoice-explain"),
    path("advance-invoices", invoices.AdvanceInvoiceListView.as_view(), name="advance-list"),
    path(
        "advance-invoices/<str:pk>",
        invoices.AdvanceInvoiceDetailView.as_view(),
        name="advance-detail",
    ),
    path(
        "advance-invoices/<str:pk>/explain",
        explain.AdvanceInvoiceExplainView.as_view(),
        name="advance-explain",
    ),
    path(
        "advance-invoices/<str:pk>/pdf",
        documents.AdvanceInvoicePdfView.as_view(),
        name="advance-pdf",
    ),
    path("payments", payments.PaymentListView.as_view(), name="payment-list"),
    path("payments/export", payment_export.PaymentExportView.as_view(), name="payment-export"),
    path("payments/<str:pk>", payments.PaymentDetailView.as_view(), name="payment-detail"),
    path("payments/<str:pk>/refunds", refunds.PaymentRefundsView.as_view(), name="payment-refunds"),
    path("refunds", refunds.RefundListView.as_view(), name="refund-list"),
    path("refunds/export", exports.RefundExportView.as_view(), name="refund-export"),
    path("refunds/<str:pk>", refunds.RefundDetailView.as_view(), name="refund-detail"),
    path(
        "invoices/<str:pk>/issue", invoice_actions.InvoiceIssueView.as_view(), name="invoice-issue"
    ),
    path("invoices/<str:pk>/send", document_emails.InvoiceSendView.as_view(), name="invoice-send"),
    path(
        "advance-invoices/<str:pk>/send",
        document_emails.AdvanceSendView.as_view(),
        name="advance-send",
    ),
    path(
        "credit-notes/<str:pk>/send",
        document_emails.CreditNoteSendView.as_view(),
        name="credit-note-send",
    ),
    path("invoices/<str:pk>/void", invoice_actions.InvoiceVoidView.as_view(), name="invoice-void"),
    path(
        "invoices/<str:pk>/write-off",
        invoice_actions.InvoiceWriteOffView.as_view(),
        name="invoice-write-off",
    ),
    path(
        "invoices/<str:pk>/charge",
        invoice_actions.InvoiceChargeView.as_view(),
        name="invoice-charge",
    ),
    path(
        "invoices/<str:pk>/refunds",
        invoice_refunds.InvoiceRefundsView.as_view(),
        name="invoice-refunds",
    ),
    path(
        "invoices/<str:pk>/apply-balance",
        invoice_actions.InvoiceApplyBalanceView.as_view(),
        name="invoice-apply-balance",
    ),
    path(
        "invoices/<str:pk>/move-overpayment",
        invoice_actions.InvoiceMoveOverpaymentView.as_view(),
        name="invoice-move-overpayment",
    ),
    path(
        "advance-invoices/<str:pk>/issue",
        invoice_actions.AdvanceIssueView.as_view(),
        name="advance-issue",
    ),
    path(
        "advance-invoices/<str:pk>/void",
        invoice_actions.AdvanceVoidView.as_view(),
        name="advance-void",
    ),
    path(
        "advance-invoices/<str:pk>/charge",
        invoice_actions.AdvanceChargeView.as_view(),
        name="advance-charge",
    ),
    path("credit-notes", credit_notes.CreditNoteListView.as_view(), name="credit-note-list"),
    path("credit-notes/export", exports.CreditNoteExportView.as_view(), name="credit-note-export"),
    path(
        "credit-notes/<str:pk>",
        credit_notes.CreditNoteDetailView.as_view(),
        name="credit-note-detail",
    ),
    path(
        "credit-notes/<str:pk>/pdf",
        documents.CreditNotePdfView.as_view(),
        name="credit-note-pdf",
    ),
    path("bank-statements", bank_statements.BankStatementListView.as_view(), name="statement-list"),
    path(
        "bank-statements/<str:pk>",
        bank_statements.BankStatementDetailView.as_view(),
        name="statement-detail",
    ),
    path(
        "bank-statement-lines",
        bank_statements.BankStatementLineListView.as_view(),
        name="statement-line-list",
    ),
    path(
        "bank-statement-lines/<str:pk>",
        bank_statements.BankStatementLineDetailView.as_view(),
        name="statement-line-detail",
    ),
    path(
        "bank-statement-lines/<str:pk>/confirm",
        bank_statements.BankLineConfirmView.as_view(),
        name="statement-line-confirm",
    ),
    path(
        "bank-statement-lines/<str:pk>/ignore",
        bank_statements.BankLineIgnoreView.as_view(),
        name="statement-line-ignore",
    ),
    path(
        "bank-statement-lines/<str:pk>/undo",
        bank_statements.BankLineUndoView.as_view(),
        name="statement-line-undo",
    ),
    path(
        "customers/<str:pk>/payment-methods",
        customers.SavedPaymentMethodListView.as_view(),
        name="customer-payment-methods",
    ),
    path(
        "balance-transactions/export",
        exports.BalanceTransactionExportView.as_view(),
        name="balance-transaction-export",
    ),
    path("audit-events", audit_events.AuditEventListView.as_view(), name="audit-event-list"),
    path("audit-events/export", exports.AuditEventExportView.as_view(), name="audit-event-export"),
    path(
        "audit-events/<str:pk>",
        audit_events.AuditEventDetailView.as_view(),
        name="audit-event-detail",
    ),
    path(
        "reports/aged-receivables",
        reports.AgedReceivablesView.as_view(),
        name="report-aged-receivables",
    ),
    path(
        "reports/aged-receivables/export",
        reports.AgedReceivablesExportView.as_view(),
        name="report-aged-receivables-export",
    ),
    path("reports/collections", reports.CollectionsView.as_view(), name="report-collections"),
    path(
        "reports/collections/export",
        reports.CollectionsExportView.as_view(),
        name="report-collections-export",
    ),
    path(
        "webhook-endpoints",
        webhook_endpoints.WebhookEndpointListView.as_view(),
        name="webhook-endpoint-list",
    ),
    path(
        "webhook-endpoints/<str:pk>",
        webhook_endpoints.WebhookEndpointDetailView.as_view(),
        name="webhook-endpoint-detail",
    ),
    path(
        "webhook-endpoints/<str:pk>/roll-secret",
        webhook_endpoints.WebhookEndpointRollSecretView.as_view(),
        name="webhook-endpoint-roll-secret",
    ),
    path(
        "webhook-endpoints/<str:pk>/deliveries",
        webhook_endpoints.WebhookDeliveryListView.as_view(),
        name="webhook-endpoint-deliveries",
    ),
    path(
        "webhook-endpoints/<str:pk>/deliveries/<str:delivery_id>/resend",
        webhook_endpoints.WebhookDeliveryResendView.as_view(),
        name="webhook-delivery-resend",
    ),
    path("events", events.EventListView.as_view(), name="event-list"),
    path("events/<str:pk>", events.EventDetailView.as_view(), name="event-detail"),
]
