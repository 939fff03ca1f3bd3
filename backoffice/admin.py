"""The back office's one registry: every model page of `/admin/`, registered once.

Django's admin autodiscovery imports this module; the pages themselves live in a module
per concern beside it.
"""

from django.contrib import admin

from backoffice.api_keys import ApiKeyAdmin
from backoffice.audit import AuditEventAdmin, BalanceTransactionAdmin
from backoffice.bank_statements import BankStatementAdmin
from backoffice.credit_notes import CreditNoteAdmin
from backoffice.customers import CustomerAdmin
from backoffice.entities import EntityAdmin
from backoffice.invoices import AdvanceInvoiceAdmin, InvoiceAdmin
from backoffice.payment_list import PaymentAdmin, RefundAdmin, SavedPaymentMethodAdmin
from backoffice.reports.menu import add_reports_to_app_list
from backoffice.webhooks import WebhookEndpointAdmin
from banking.models import BankStatement
from billing.models import ApiKey, AuditEvent, BalanceTransaction, Customer, Entity
from invoices.models import AdvanceInvoice, CreditNote, Invoice
from payments.models import Payment, Refund, SavedPaymentMethod
from webhooks.models import WebhookEndpoint

admin.site.site_header = "Settle"
admin.site.site_title = "Settle back office"
admin.site.index_title = "Dashboard"
admin.site.site_url = "/portal/"  # "View site": the member portal (the site has no other page)

for model, model_admin in [
    (Entity, EntityAdmin),
    (Customer, CustomerAdmin),
    (BalanceTransaction, BalanceTransactionAdmin),
    (AuditEvent, AuditEventAdmin),
    (ApiKey, ApiKeyAdmin),
    (Invoice, InvoiceAdmin),
    (AdvanceInvoice, AdvanceInvoiceAdmin),
    (CreditNote, CreditNoteAdmin),
    (Payment, PaymentAdmin),
    (Refund, RefundAdmin),
    (SavedPaymentMethod, SavedPaymentMethodAdmin),
    (BankStatement, BankStatementAdmin),
    (WebhookEndpoint, WebhookEndpointAdmin),
]:
    admin.site.register(model, model_admin)

add_reports_to_app_list(admin.site)
