"""The back office's payment side: the Payments list, and the money flows added to the
invoice pages and the customer profile (`payments` sits above `invoices` and `billing`,
so it re-registers their admins with what needs payments)."""

from django.contrib import admin

from billing.admin_scoping import ReadOnlyInline
from billing.models import Customer
from invoices.admin import AdvanceInvoiceAdmin, CreditNoteAdmin, InvoiceAdmin
from invoices.models import AdvanceInvoice, CreditNote, Invoice
from payments.admin.customers import CustomerProfileAdmin
from payments.admin.invoice_page import InvoicePageMixin
from payments.admin.payment_list import PaymentAdmin, RefundAdmin, SavedPaymentMethodAdmin
from payments.models import Payment, Refund, SavedPaymentMethod

admin.site.site_header = "Settle"
admin.site.site_title = "Settle back office"
admin.site.index_title = "Dashboard"
admin.site.site_url = "/portal/"  # "View site": the member portal (the site has no other page)

admin.site.register(Payment, PaymentAdmin)
admin.site.register(Refund, RefundAdmin)
admin.site.register(SavedPaymentMethod, SavedPaymentMethodAdmin)


class InvoiceBackOfficeAdmin(InvoicePageMixin, InvoiceAdmin):
    search_fields = [*InvoiceAdmin.search_fields, "payments__reference"]
    search_help_text = "Number, customer name or e-mail, or a payment's reference."


class AdvanceInvoiceBackOfficeAdmin(InvoicePageMixin, AdvanceInvoiceAdmin):
    search_fields = [*AdvanceInvoiceAdmin.search_fields, "advance_payments__reference"]


class CreditNoteApplicationInline(ReadOnlyInline):
    model = Payment
    fk_name = "credit_note"
    fields = ["date", "type", "invoice", "amount", "amount_refunded", "status", "is_deleted"]
    readonly_fields = fields
    verbose_name_plural = "applications"


class CreditNoteWithPaymentsAdmin(CreditNoteAdmin):
    inlines = [*CreditNoteAdmin.inlines, CreditNoteApplicationInline]


for model, model_admin in [
    (Invoice, InvoiceBackOfficeAdmin),
    (AdvanceInvoice, AdvanceInvoiceBackOfficeAdmin),
    (CreditNote, CreditNoteWithPaymentsAdmin),
    (Customer, CustomerProfileAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
