"""The Invoices and Advance invoices lists and pages.

Documents are drafted, issued, voided and credited only through the services, so these
pages show them without a model form; `invoice_page` adds each document's money
sections and actions."""

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.db.models import Q
from django.utils import timezone

from backoffice.display import badge, money, short_date
from backoffice.invoice_page import InvoicePageMixin
from backoffice.labels import STATUS_LABELS
from backoffice.pagination import LargeTablePaginator
from backoffice.scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
)
from backoffice.search import any_of, search, values_of
from billing.models import Customer
from billing.money import CURRENCY_CHOICES
from invoices.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from payments.models import Payment

LINE_FIELDS = ["name", "quantity", "unit_price", "tax_rate", "amount", "tax_amount", "total"]


class InvoiceSituationFilter(admin.SimpleListFilter):
    """What needs attention, beyond the stored status."""

    title = "situation"
    parameter_name = "situation"

    def lookups(self, request, model_admin):
        return [("due", "Amount due"), ("overdue", "Overdue"), ("overpaid", "Overpaid")]

    def queryset(self, request, queryset):
        collecting = [InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID]
        if self.value() == "due":
            return queryset.filter(status__in=collecting, total_due__gt=0)
        if self.value() == "overdue":
            return queryset.filter(
                status__in=collecting, total_due__gt=0, due_date__lt=timezone.localdate()
            )
        if self.value() == "overpaid":
            return queryset.exclude(status=InvoiceStatus.VOID).filter(total_due__lt=0)
        return queryset


class CurrencyFilter(admin.SimpleListFilter):
    """The currencies Settle knows, not the distinct values of every invoice."""

    title = "currency"
    parameter_name = "currency__exact"

    def lookups(self, request, model_admin):
        return CURRENCY_CHOICES

    def queryset(self, request, queryset):
        return queryset.filter(currency=self.value()) if self.value() else queryset


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS


def document_fieldsets(totals: list[str]) -> list:
    return [
        (None, {"fields": ["id", "number", "entity", "customer", "status", "currency"]}),
        ("Dates", {"fields": ["date", "due_date", "issued_at"]}),
        ("Totals", {"fields": totals}),
        (
            "Void and write-off",
            {"fields": ["voided_at", "void_reason", "written_off_at", "write_off_reason"]},
        ),
        ("Notes", {"fields": ["note", "metadata", "created_at", "updated_at"]}),
    ]


class InvoiceAdmin(InvoicePageMixin, ReadOnlyAdminMixin, EntityScopedAdmin):
    kind = InvoiceKind.INVOICE
    list_display = [
        "document",
        "billed_to",
        "issued_on",
        "due_on",
        "total_amount",
        "amount_due",
        "situation",
    ]
    list_filter = [
        "status",
        InvoiceSituationFilter,
        "date",
        "due_date",
        ENTITY_FILTER,
        CurrencyFilter,
    ]
    # A hundred thousand invoices: no sidebar list computed from every invoice (customers,
    # currencies, years of a date hierarchy), no second count, an estimated count.
    show_full_result_count = False
    paginator = LargeTablePaginator
    # Searched by `get_search_results`, from indexes: the invoice's own columns, its
    # customer and its payments' references, each looked up in its own table.
    search_fields = ["number", "id", "note"]
    # The foreign key from Payment to the documents of this list.
    payment_document = "invoice_id"
    search_help_text = "Number, customer name or e-mail, or a payment's reference."
    list_select_related = ["customer"]
    inlines = [InvoiceLineInline]
    fieldsets = document_fieldsets(
        ["total_net", "total_tax", "total", "total_paid", "total_credited", "total_due"]
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=self.kind)

    def has_add_permission(self, request):
        # Drafts are added through the draft form and `invoice_create`; changes and deletes
        # of drafts have their own pages, so the model form and bulk delete stay closed.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('add', opts)}")

    def get_search_results(self, request, queryset, search_term):
        return search(queryset, search_term, self.search_condition), False

    def search_condition(self, term: str) -> Q:
        """An invoice matching `term`: its number, id or note, its customer's name or
        e-mail, or the reference of one of its payments."""
        customers = Customer.objects.filter(Q(name__icontains=term) | Q(email__icontains=term))
        # `search_text` (trigram-indexed) holds the reference: it narrows the payments to
        # the few whose reference may match, which the second condition then checks.
        payments = Payment.objects.filter(search_text__icontains=term, reference__icontains=term)
        return any_of(
            Q(number__icontains=term),
            Q(id__icontains=term),
            Q(note__icontains=term),
            Q(customer_id__in=values_of(customers)),
            Q(pk__in=values_of(payments, self.payment_document)),
        )

    def lookup_allowed(self, lookup, value, request=None):
        # The customer profile links to "this customer's invoices".
        return lookup == "customer__id__exact" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="number", ordering="number")
    def document(self, invoice: Invoice) -> str:
        return invoice.number or "Draft"

    @admin.display(description="customer", ordering="customer__name")
    def billed_to(self, invoice: Invoice) -> str:
        return invoice.customer.name

    @admin.display(description="issued", ordering="date")
    def issued_on(self, invoice: Invoice) -> str:
        return short_date(invoice.date)

    @admin.display(description="due", ordering="due_date")
    def due_on(self, invoice: Invoice) -> str:
        return short_date(invoice.due_date) if invoice.due_date else "—"

    @admin.display(description="total", ordering="total")
    def total_amount(self, invoice: Invoice) -> str:
        return money(invoice.total, invoice.currency)

    @admin.display(description="amount due", ordering="total_due")
    def amount_due(self, invoice: Invoice) -> str:
        if invoice.status == InvoiceStatus.VOID:
            return "—"
        return money(invoice.total_due, invoice.currency)

    @admin.display(description="status", ordering="status")
    def situation(self, invoice: Invoice):
        key = invoice.badge_status
        return badge(key, STATUS_LABELS[key])


class AdvanceInvoiceAdmin(InvoiceAdmin):
    kind = InvoiceKind.ADVANCE
    payment_document = "advance_invoice_id"
    search_help_text = None
    fieldsets = document_fieldsets(
        ["total_net", "total_tax", "total", "total_paid", "total_due", "total_applied"]
    )
