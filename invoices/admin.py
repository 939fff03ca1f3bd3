"""Admin pages of documents: invoices, advance invoices and credit notes.

Documents are drafted, issued, voided and credited only through the services,
so these pages list and show them without forms. `payments.admin` adds each
document's payments to its page.
"""

from django.contrib import admin
from django.utils import timezone

from billing.admin_display import badge, money, short_date
from billing.admin_scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
)
from invoices.models import (
    AdvanceInvoice,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)

LINE_FIELDS = ["name", "quantity", "unit_price", "tax_rate", "amount", "tax_amount", "total"]
STATUS_LABELS = {**dict(InvoiceStatus.choices), "overdue": "Overdue", "overpaid": "Overpaid"}


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


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
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
        ("customer", admin.RelatedOnlyFieldListFilter),
        "date",
        "due_date",
        ENTITY_FILTER,
        ("currency", admin.AllValuesFieldListFilter),
    ]
    search_fields = ["number", "id", "customer__name", "customer__email", "note"]
    list_select_related = ["customer"]
    date_hierarchy = "date"
    inlines = [InvoiceLineInline]
    fieldsets = document_fieldsets(
        ["total_net", "total_tax", "total", "total_paid", "total_credited", "total_due"]
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=self.kind)

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
        key = invoice.display_status
        return badge(key, STATUS_LABELS[key])


@admin.register(AdvanceInvoice)
class AdvanceInvoiceAdmin(InvoiceAdmin):
    kind = InvoiceKind.ADVANCE
    fieldsets = document_fieldsets(
        ["total_net", "total_tax", "total", "total_paid", "total_due", "total_applied"]
    )


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = [
        "number",
        "customer",
        "invoice",
        "status",
        "date",
        "total_amount",
        "applied",
        "remaining",
    ]
    list_filter = ["status", ENTITY_FILTER, ("currency", admin.AllValuesFieldListFilter), "date"]
    search_fields = ["number", "id", "customer__name", "invoice__number", "reason"]
    list_select_related = ["customer", "invoice"]
    date_hierarchy = "date"
    inlines = [CreditNoteLineInline]
    fields = [
        "id",
        "number",
        "entity",
        "customer",
        "invoice",
        "status",
        "currency",
        "date",
        "reason",
        "total_net",
        "total_tax",
        "total",
        "total_applied",
        "total_remaining",
        "metadata",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="total", ordering="total")
    def total_amount(self, credit_note: CreditNote) -> str:
        return money(credit_note.total, credit_note.currency)

    @admin.display(description="applied", ordering="total_applied")
    def applied(self, credit_note: CreditNote) -> str:
        return money(credit_note.total_applied, credit_note.currency)

    @admin.display(description="remaining", ordering="total_remaining")
    def remaining(self, credit_note: CreditNote) -> str:
        return money(credit_note.total_remaining, credit_note.currency)
