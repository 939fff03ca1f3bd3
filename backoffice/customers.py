"""The customer profile: money balance (with Adjust balance) and its ledger, saved cards and
invoices above the form."""

from django.contrib import admin
from django.contrib.admin.utils import quote, unquote
from django.db.models import Sum
from django.urls import path, reverse

from backoffice.balance import ADJUST_PERMISSION, balance_adjust_view
from backoffice.display import badge, money
from backoffice.labels import STATUS_LABELS
from backoffice.scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
)
from billing.models import (
    BalanceTransaction,
    Customer,
)
from invoices.models import Invoice, InvoiceStatus
from payments.models import SavedPaymentMethod

LEDGER_ROWS = 25

PROFILE_INVOICES = 50


def invoice_admin_url(invoice: Invoice) -> str:
    name = "advanceinvoice" if invoice.is_advance else "invoice"
    return reverse(f"admin:invoices_{name}_change", args=[quote(invoice.pk)])


class CustomerAdmin(EntityScopedAdmin):
    """The customer profile: panels above the form (`profile_panels`) show the money balance
    with its ledger and Adjust balance, the saved cards and the invoices."""

    change_form_template = "admin/settle/customer_change_form.html"
    list_display = ["name", "email", "entity", "currency", "money_balance", "user", "created_at"]
    list_filter = [ENTITY_FILTER, "currency"]
    search_fields = ["name", "email", "id"]
    list_select_related = ["entity", "user"]
    raw_id_fields = ["user"]
    # The gateway id is written by Settle alone (`customer_ensure_gateway`): a typed one
    # could name another entity's Stripe customer and route its cards here.
    readonly_fields = ["id", "balance", "gateway_customer_id", "created_at", "updated_at"]
    fields = [
        "id",
        "entity",
        "name",
        "email",
        "currency",
        "balance",
        "user",
        "gateway_customer_id",
        "metadata",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["entity", "currency"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="money balance", ordering="balance")
    def money_balance(self, customer: Customer) -> str:
        return money(customer.balance, customer.currency)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/adjust-balance/",
                self.admin_site.admin_view(self.adjust_balance_view),
                name="billing_customer_adjust_balance",
            ),
            *super().get_urls(),
        ]

    def adjust_balance_view(self, request, object_id):
        return balance_adjust_view(self, request, object_id)

    def profile_panels(self, request, customer: Customer) -> list[dict]:
        return [
            self.balance_panel(request, customer),
            self.cards_panel(customer),
            self.invoices_panel(customer),
        ]

    def balance_panel(self, request, customer: Customer) -> dict:
        ledger = list(
            BalanceTransaction.objects.filter(customer=customer)
            .select_related("created_by")
            .order_by("-created_at", "-id")[: LEDGER_ROWS + 1]
        )
        return {
            "template": "admin/settle/panels/customer_balance.html",
            "customer": customer,
            "ledger": ledger[:LEDGER_ROWS],
            "ledger_more": len(ledger) > LEDGER_ROWS,
            "can_adjust": request.user.has_perm(ADJUST_PERMISSION),
        }

    def cards_panel(self, customer: Customer) -> dict:
        cards = SavedPaymentMethod.objects.filter(customer=customer).order_by(
            "detached_at", "-is_default", "-created_at"
        )
        return {"template": "admin/settle/panels/customer_cards.html", "cards": list(cards)}

    def invoices_panel(self, customer: Customer) -> dict:
        invoices = Invoice.objects.filter(customer=customer).order_by("-date", "-id")
        outstanding = invoices.filter(
            status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID], total_due__gt=0
        ).aggregate(s=Sum("total_due"))["s"]
        rows = [
            {
                "invoice": invoice,
                "url": invoice_admin_url(invoice),
                "badge": badge(invoice.badge_status, STATUS_LABELS[invoice.badge_status]),
            }
            for invoice in invoices[:PROFILE_INVOICES]
        ]
        return {
            "template": "admin/settle/panels/customer_invoices.html",
            "customer": customer,
            "rows": rows,
            "more": invoices.count() > PROFILE_INVOICES,
            "outstanding": outstanding or 0,
            "list_url": reverse("admin:invoices_invoice_changelist")
            + f"?customer__id__exact={customer.pk}",
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if customer is not None:
            extra["profile_panels"] = self.profile_panels(request, customer)
        return super().change_view(request, object_id, form_url, extra)
