"""The Credit notes list and page, with where each credit went."""

from django.contrib import admin

from backoffice.display import money
from backoffice.invoices import LINE_FIELDS
from backoffice.scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
)
from invoices.models import (
    CreditNote,
    CreditNoteLine,
)
from payments.models import Payment


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS


class CreditNoteApplicationInline(ReadOnlyInline):
    model = Payment
    fk_name = "credit_note"
    fields = ["date", "type", "invoice", "amount", "amount_refunded", "status", "is_deleted"]
    readonly_fields = fields
    verbose_name_plural = "applications"


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
    inlines = [CreditNoteLineInline, CreditNoteApplicationInline]
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
