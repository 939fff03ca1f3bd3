from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal.forms import QueuedPasswordResetForm
from portal.views import cards, documents, pay, pdfs, sandbox, statement

app_name = "portal"

auth = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("portal:home"),
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:login"), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="portal/password_reset.html",
            form_class=QueuedPasswordResetForm,  # the e-mail is rendered and sent by a task
            success_url=reverse_lazy("portal:password-reset-done"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="portal/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="portal/password_reset_confirm.html",
            success_url=reverse_lazy("portal:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="portal/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
]

urlpatterns = [
    *auth,
    path("", documents.home, name="home"),
    path("invoices/<str:invoice_id>/", documents.invoice_detail, name="invoice"),
    path("invoices/<str:invoice_id>/pdf", pdfs.invoice_pdf, name="invoice-pdf"),
    path("credit-notes/<str:credit_note_id>/pdf", pdfs.credit_note_pdf, name="credit-note-pdf"),
    path("invoices/<str:invoice_id>/pay", pay.invoice_pay, name="invoice-pay"),
    path("payments/", documents.history, name="history"),
    path("payments/return", pay.payment_return, name="payment-return"),
    path(
        "payments/<str:payment_id>/authenticate",
        pay.payment_authenticate,
        name="payment-authenticate",
    ),
    path("payments/<str:payment_id>/cancel", pay.payment_cancel, name="payment-cancel"),
    path("receipts/payments/<str:payment_id>", documents.payment_receipt, name="payment-receipt"),
    path(
        "receipts/payments/<str:payment_id>/pdf",
        pdfs.payment_receipt_pdf,
        name="payment-receipt-pdf",
    ),
    path("receipts/refunds/<str:refund_id>", documents.refund_receipt, name="refund-receipt"),
    path("balance/", documents.balance, name="balance"),
    path("statement/", statement.statement, name="statement"),
    path("statement/csv", statement.statement_csv, name="statement-csv"),
    path("statement/pdf", statement.statement_pdf_download, name="statement-pdf"),
    path("cards/", cards.cards, name="cards"),
    path("cards/add", cards.card_add, name="card-add"),
    path("cards/added", cards.card_added, name="card-added"),
    path("cards/<str:method_id>/remove", cards.card_remove, name="card-remove"),
    path("cards/<str:method_id>/default", cards.card_make_default, name="card-default"),
    path("sandbox/card/<str:reference>", sandbox.sandbox_card, name="sandbox-card"),
    path(
        "sandbox/authenticate/<str:reference>",
        sandbox.sandbox_authenticate,
        name="sandbox-authenticate",
    ),
]
