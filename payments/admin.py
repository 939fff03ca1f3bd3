"""Admin pages of payments, refunds and saved cards, and the payments shown on each document.

Money moves only through the services: payments and refunds are never added
or deleted here, and the only edit is a payment's reference and note, saved
through `payment_update` so that it is audited like any other change.
"""

from django import forms
from django.contrib import admin, messages

from billing.actors import Actor
from billing.admin_scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
)
from billing.errors import SettleError
from invoices.admin import AdvanceInvoiceAdmin, CreditNoteAdmin, InvoiceAdmin
from invoices.models import AdvanceInvoice, CreditNote, Invoice
from payments.models import Payment, Refund, SavedPaymentMethod
from payments.services import payment_update

EDITABLE_PAYMENT_FIELDS = ["reference", "note"]
PAYMENT_ROW_FIELDS = [
    "date",
    "method_label",
    "amount",
    "amount_refunded",
    "currency",
    "status",
    "reference",
    "is_deleted",
]


class PaymentForm(forms.ModelForm):
    note = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)

    class Meta:
        model = Payment
        fields = EDITABLE_PAYMENT_FIELDS


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["id", "created_at", "amount", "status", "destination", "reason"]
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(EntityScopedAdmin):
    form = PaymentForm
    list_display = [
        "id",
        "date",
        "customer",
        "document",
        "method_label",
        "amount",
        "amount_refunded",
        "currency",
        "status",
        "is_deleted",
    ]
    list_filter = ["status", "type", "gateway", "is_deleted", ENTITY_FILTER, "date"]
    search_fields = [
        "id",
        "reference",
        "note",
        "gateway_reference",
        "customer__name",
        "invoice__number",
        "advance_invoice__number",
        "credit_note__number",
    ]
    list_select_related = [
        "customer",
        "invoice",
        "advance_invoice",
        "credit_note",
        "saved_payment_method",
    ]
    date_hierarchy = "date"
    inlines = [RefundInline]
    fieldsets = [
        (None, {"fields": ["id", "entity", "customer", "type", "status", "date"]}),
        ("Documents", {"fields": ["invoice", "advance_invoice", "credit_note"]}),
        ("Amounts", {"fields": ["amount", "amount_refunded", "currency"]}),
        ("Description", {"fields": EDITABLE_PAYMENT_FIELDS}),
        (
            "Gateway",
            {
                "fields": [
                    "gateway",
                    "saved_payment_method",
                    "gateway_reference",
                    "failure_code",
                    "failure_message",
                    "next_action_url",
                    "retry_of",
                ]
            },
        ),
        (
            "Record",
            {
                "fields": [
                    "metadata",
                    "is_deleted",
                    "deleted_at",
                    "delete_reason",
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        shown = [field for _title, options in self.fieldsets for field in options["fields"]]
        return [field for field in shown if field not in EDITABLE_PAYMENT_FIELDS]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_deleted:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        changes = {field: form.cleaned_data[field] or None for field in form.changed_data}
        if not changes:
            return
        try:
            payment_update(payment=obj, actor=Actor.admin(request.user), **changes)
        except SettleError as error:
            messages.error(request, error.message)

    @admin.display(description="document")
    def document(self, payment: Payment):
        documents = (payment.invoice, payment.advance_invoice, payment.credit_note)
        return " → ".join(str(document) for document in documents if document is not None)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = ["id", "created_at", "payment", "amount", "currency", "status", "destination"]
    list_filter = ["status", "destination", ENTITY_FILTER, "created_at"]
    search_fields = ["id", "payment__id", "payment__invoice__number", "reason", "gateway_reference"]
    date_hierarchy = "created_at"


@admin.register(SavedPaymentMethod)
class SavedPaymentMethodAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    """Cards are saved through the gateway; only a reference and display details are kept."""

    list_display = [
        "label",
        "customer",
        "gateway",
        "exp_month",
        "exp_year",
        "is_default",
        "detached_at",
    ]
    list_filter = ["gateway", "brand", ENTITY_FILTER]
    search_fields = ["id", "customer__name", "customer__email", "last4"]
    list_select_related = ["customer"]


# --- payments on each document's page ----------------------------------------------------------


class DocumentPaymentInline(ReadOnlyInline):
    model = Payment
    fields = PAYMENT_ROW_FIELDS
    readonly_fields = PAYMENT_ROW_FIELDS
    show_change_link = True
    verbose_name_plural = "payments"


class InvoicePaymentInline(DocumentPaymentInline):
    fk_name = "invoice"


class AdvancePaymentInline(DocumentPaymentInline):
    fk_name = "advance_invoice"
    verbose_name_plural = "payments and applications"


class CreditNotePaymentInline(DocumentPaymentInline):
    fk_name = "credit_note"
    verbose_name_plural = "applications"


class InvoiceWithPaymentsAdmin(InvoiceAdmin):
    inlines = [*InvoiceAdmin.inlines, InvoicePaymentInline]


class AdvanceInvoiceWithPaymentsAdmin(AdvanceInvoiceAdmin):
    inlines = [*AdvanceInvoiceAdmin.inlines, AdvancePaymentInline]


class CreditNoteWithPaymentsAdmin(CreditNoteAdmin):
    inlines = [*CreditNoteAdmin.inlines, CreditNotePaymentInline]


for model, model_admin in [
    (Invoice, InvoiceWithPaymentsAdmin),
    (AdvanceInvoice, AdvanceInvoiceWithPaymentsAdmin),
    (CreditNote, CreditNoteWithPaymentsAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
