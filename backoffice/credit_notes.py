"""The Credit notes list and page, with where each credit went and, while some is left,
"Apply to an invoice" (`backoffice.credit_apply`)."""

from functools import partial, update_wrapper

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Q
from django.urls import path

from backoffice.credit_apply import credit_note_apply_view, credit_note_source
from backoffice.display import money
from backoffice.document_downloads import credit_note_pdf_view
from backoffice.document_emails import credit_note_send_view, document_emails
from backoffice.invoices import LINE_FIELDS, CurrencyFilter
from backoffice.pagination import LargeTablePaginator
from backoffice.scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
)
from backoffice.search import any_of, search, values_of
from billing.models import Customer
from invoices.models import (
    CreditNote,
    CreditNoteLine,
    Invoice,
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


def credit_note_search_condition(term: str) -> Q:
    """A credit note matching `term`: its number, id or reason, its customer's name or the
    number of the invoice it corrects."""
    return any_of(
        Q(number__icontains=term),
        Q(id__icontains=term),
        Q(reason__icontains=term),
        Q(customer_id__in=values_of(Customer.objects.filter(name__icontains=term))),
        Q(invoice_id__in=values_of(Invoice.objects.filter(number__icontains=term))),
    )


class CreditNoteAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    change_form_template = "admin/settle/credit_note_change_form.html"
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
    list_filter = ["status", ENTITY_FILTER, CurrencyFilter, "date"]
    # Many thousands of credit notes: no second count, an estimated one past 10,000 rows.
    show_full_result_count = False
    paginator = LargeTablePaginator
    # Searched by `get_search_results`: the credit note's own columns, then its customer
    # and its invoice, each looked up in its own table.
    search_fields = ["number", "id", "reason"]
    search_help_text = "Number, customer, invoice number or reason."
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

    def get_search_results(self, request, queryset, search_term):
        return search(queryset, search_term, credit_note_search_condition), False

    def get_urls(self):
        opts = self.opts
        flows = []
        for route, view in (
            ("apply", credit_note_apply_view),
            ("send", credit_note_send_view),
            ("pdf", credit_note_pdf_view),
        ):
            bound = update_wrapper(partial(view, self), view)
            flows.append(
                path(
                    f"<path:object_id>/{route}/",
                    self.admin_site.admin_view(bound),
                    name=f"{opts.app_label}_{opts.model_name}_{route}",
                )
            )
        return [*flows, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        credit_note = self.get_object(request, unquote(object_id))
        can_apply = (
            credit_note is not None
            and request.user.has_perm("payments.record_payment")
            and credit_note_source(credit_note).available > 0
        )
        context = {
            "can_apply": can_apply,
            "can_send": request.user.has_perm("invoices.issue_credit_note"),
            "emails": document_emails(credit_note_id=credit_note.pk) if credit_note else [],
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="total", ordering="total")
    def total_amount(self, credit_note: CreditNote) -> str:
        return money(credit_note.total, credit_note.currency)

    @admin.display(description="applied", ordering="total_applied")
    def applied(self, credit_note: CreditNote) -> str:
        return money(credit_note.total_applied, credit_note.currency)

    @admin.display(description="remaining", ordering="total_remaining")
    def remaining(self, credit_note: CreditNote) -> str:
        return money(credit_note.total_remaining, credit_note.currency)
