"""Billing → Payments: every payment with filters, search and Export CSV; refunds; saved cards.

Payments and refunds are never added or deleted here (the invoice page's flows
do that through the services); a payment's reference and note can be edited,
through `payment_update`, so the change is audited like any other.
"""

from functools import partial, update_wrapper

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html

from backoffice.display import badge, money, short_date
from backoffice.document_downloads import payment_receipt_view
from backoffice.filters import HiddenByDefaultFilter
from backoffice.labels import GATEWAY_LABELS, method_label, payment_state
from backoffice.pagination import LargeTablePaginator
from backoffice.scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
)
from backoffice.search import any_of, search, values_of
from billing.actors import Actor
from billing.errors import SettleError
from billing.models import Customer
from config.downloads import csv_download
from invoices.models import CreditNote, Invoice
from payments.exports import payment_csv_lines
from payments.models import EXTERNAL_TYPES, KIND_TYPES, Payment, PaymentKind, Refund
from payments.services import payment_update

EDITABLE_PAYMENT_FIELDS = ["reference", "note"]


class PaymentForm(forms.ModelForm):
    note = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)

    class Meta:
        model = Payment
        fields = EDITABLE_PAYMENT_FIELDS


class DeletedFilter(HiddenByDefaultFilter):
    """Deleted payments are kept for the record but hidden unless asked for."""

    title = "deleted"
    parameter_name = "deleted"
    default_label = "Not deleted"

    def lookups(self, request, model_admin):
        return [("include", "Including deleted"), ("only", "Only deleted")]

    def queryset(self, request, queryset):
        if self.value() == "include":
            return queryset
        if self.value() == "only":
            return queryset.filter(is_deleted=True)
        return queryset.filter(is_deleted=False)


class PaymentKindFilter(admin.SimpleListFilter):
    """The kinds of the list's Kind column, money received split into its two ways in."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [
            (PaymentKind.MONEY_RECEIVED, PaymentKind.MONEY_RECEIVED.label),
            ("charge", "Money received · card charges"),
            ("external", "Money received · external payments"),
            *((kind, kind.label) for kind in PaymentKind if kind != PaymentKind.MONEY_RECEIVED),
        ]

    def queryset(self, request, queryset):
        if self.value() == "charge":
            return queryset.exclude(gateway="")
        if self.value() == "external":
            return queryset.filter(gateway="", type__in=EXTERNAL_TYPES)
        if self.value() in KIND_TYPES:
            return queryset.filter(type__in=KIND_TYPES[self.value()])
        return queryset


class GatewayFilter(admin.SimpleListFilter):
    """The gateways Settle knows, not the distinct values of a million rows."""

    title = "gateway"
    parameter_name = "gateway__exact"

    def lookups(self, request, model_admin):
        return list(GATEWAY_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(gateway=self.value()) if self.value() else queryset


def payment_search_condition(term: str) -> Q:
    """A payment matching `term`: its id, reference, note or a metadata value (the
    trigram-indexed `search_text`), its gateway reference, its customer's name, or the
    number of its invoice, advance invoice or credit note."""
    documents = values_of(Invoice.objects.filter(number__icontains=term))
    return any_of(
        Q(search_text__icontains=term),
        Q(gateway_reference__icontains=term),
        Q(customer_id__in=values_of(Customer.objects.filter(name__icontains=term))),
        Q(invoice_id__in=documents),
        Q(advance_invoice_id__in=documents),
        Q(credit_note_id__in=values_of(CreditNote.objects.filter(number__icontains=term))),
    )


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["id", "created_at", "amount", "status", "destination", "reason"]
    readonly_fields = fields


class PaymentAdmin(EntityScopedAdmin):
    form = PaymentForm
    change_list_template = "admin/settle/payment_change_list.html"
    change_form_template = "admin/settle/payment_change_form.html"
    list_display = [
        "paid_on",
        "document",
        "payment_kind",
        "method",
        "amount_paid",
        "state",
        "reference",
    ]
    list_filter = [
        DeletedFilter,
        PaymentKindFilter,
        "type",
        "status",
        "date",
        GatewayFilter,
        ENTITY_FILTER,
    ]
    # Over a million payments: no sidebar list computed from the payments themselves
    # (customers, years of the date hierarchy), no second count, an estimated count.
    show_full_result_count = False
    paginator = LargeTablePaginator
    # Searched by `get_search_results`: `search_text` holds the id, reference, note and
    # metadata values; customers and documents are looked up in their own tables first.
    search_fields = ["search_text"]
    search_help_text = "Reference, note, customer, document number or payment id."
    list_select_related = [
        "customer",
        "invoice",
        "advance_invoice",
        "credit_note",
        "saved_payment_method",
    ]
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

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        # A date range's payments sit together, far down the list's order (newest first).
        paginator.sort_matches = any(key.startswith("date__") for key in request.GET)
        return paginator

    def get_search_results(self, request, queryset, search_term):
        return search(queryset, search_term, payment_search_condition), False

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

    # --- columns ---

    @admin.display(description="date", ordering="date")
    def paid_on(self, payment: Payment) -> str:
        return short_date(payment.date)

    @admin.display(description="invoice · customer")
    def document(self, payment: Payment):
        target = payment.invoice or payment.advance_invoice
        if target is None:
            label, url = str(payment.credit_note), ""
        else:
            name = "advanceinvoice" if target.is_advance else "invoice"
            label = target.number or "Draft"
            url = reverse(f"admin:invoices_{name}_change", args=[quote(target.pk)])
        link = format_html('<a href="{}">{}</a>', url, label) if url else label
        return format_html('{}<div class="settle-muted">{}</div>', link, payment.customer.name)

    @admin.display(description="kind")
    def payment_kind(self, payment: Payment) -> str:
        return PaymentKind(payment.kind).label

    @admin.display(description="method")
    def method(self, payment: Payment) -> str:
        return method_label(payment)

    @admin.display(description="amount", ordering="amount")
    def amount_paid(self, payment: Payment):
        amount = money(payment.amount, payment.currency)
        if not payment.amount_refunded:
            return amount
        refunded = money(payment.amount_refunded, payment.currency)
        return format_html('{}<div class="settle-muted">{} refunded</div>', amount, refunded)

    @admin.display(description="status", ordering="status")
    def state(self, payment: Payment):
        return badge(*payment_state(payment))

    # --- Export CSV ---

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="payments_payment_export",
        )
        receipt_view = update_wrapper(partial(payment_receipt_view, self), payment_receipt_view)
        receipt = path(
            "<path:object_id>/receipt.pdf",
            self.admin_site.admin_view(receipt_view),
            name="payments_payment_receipt_pdf",
        )
        return [export, receipt, *super().get_urls()]

    def export_view(self, request):
        """The change list as filtered and searched on screen, streamed as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, "These filters are not valid; nothing was exported.")
            return redirect("admin:payments_payment_changelist")
        lines = payment_csv_lines(changelist.queryset.select_related(None))
        return csv_download(lines, "payments")


class RefundAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = ["id", "created_at", "payment", "amount_refunded", "status", "destination"]
    list_filter = ["status", "destination", ENTITY_FILTER, "created_at"]
    search_fields = ["id", "payment__id", "payment__invoice__number", "reason", "gateway_reference"]
    date_hierarchy = "created_at"

    @admin.display(description="amount", ordering="amount")
    def amount_refunded(self, refund: Refund) -> str:
        return money(refund.amount, refund.currency)


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
