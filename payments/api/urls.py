from django.urls import path

from payments.api import customers, documents, export, views

urlpatterns = [
    path("payments", views.PaymentListView.as_view(), name="payment-list"),
    path("payments/export", export.PaymentExportView.as_view(), name="payment-export"),
    path("payments/<str:pk>", views.PaymentDetailView.as_view(), name="payment-detail"),
    path("payments/<str:pk>/refunds", views.PaymentRefundsView.as_view(), name="payment-refunds"),
    path("refunds", views.RefundListView.as_view(), name="refund-list"),
    path("refunds/<str:pk>", views.RefundDetailView.as_view(), name="refund-detail"),
    path("invoices/<str:pk>/issue", documents.InvoiceIssueView.as_view(), name="invoice-issue"),
    path("invoices/<str:pk>/void", documents.InvoiceVoidView.as_view(), name="invoice-void"),
    path(
        "invoices/<str:pk>/write-off",
        documents.InvoiceWriteOffView.as_view(),
        name="invoice-write-off",
    ),
    path("invoices/<str:pk>/charge", documents.InvoiceChargeView.as_view(), name="invoice-charge"),
    path(
        "invoices/<str:pk>/apply-balance",
        documents.InvoiceApplyBalanceView.as_view(),
        name="invoice-apply-balance",
    ),
    path(
        "invoices/<str:pk>/move-overpayment",
        documents.InvoiceMoveOverpaymentView.as_view(),
        name="invoice-move-overpayment",
    ),
    path(
        "advance-invoices/<str:pk>/issue",
        documents.AdvanceIssueView.as_view(),
        name="advance-issue",
    ),
    path(
        "advance-invoices/<str:pk>/void", documents.AdvanceVoidView.as_view(), name="advance-void"
    ),
    path(
        "advance-invoices/<str:pk>/charge",
        documents.AdvanceChargeView.as_view(),
        name="advance-charge",
    ),
    path("credit-notes", documents.CreditNoteListView.as_view(), name="credit-note-list"),
    path(
        "credit-notes/<str:pk>", documents.CreditNoteDetailView.as_view(), name="credit-note-detail"
    ),
    path(
        "customers/<str:pk>/payment-methods",
        customers.SavedPaymentMethodListView.as_view(),
        name="customer-payment-methods",
    ),
]
