"""Admin pages of the shared kernel: entities, customers, API keys and the two ledgers."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.urls import path

from billing.admin_api_keys import ApiKeyAdmin  # noqa: F401 (registers the admin)
from billing.admin_balance import ADJUST_PERMISSION, balance_adjust_view
from billing.admin_display import money
from billing.admin_scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
    ReadOnlyAdminMixin,
)
from billing.models import (
    AuditEvent,
    BalanceTransaction,
    Customer,
    Entity,
    EntityMembership,
)


class EntityMembershipInline(admin.TabularInline):
    model = EntityMembership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Entity)
class EntityAdmin(EntityScopedAdmin):
    entity_lookup = "pk"
    list_display = ["name", "id", "default_currency", "created_at"]
    list_filter = ["default_currency"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at"]
    fields = ["id", "name", "default_currency", "created_at"]
    inlines = [EntityMembershipInline]

    def has_add_permission(self, request):
        # A new tenant is created by a superuser (or `manage.py create_entity`).
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


LEDGER_ROWS = 25


@admin.register(Customer)
class CustomerAdmin(EntityScopedAdmin):
    """The customer profile: money balance (with Adjust balance) and its ledger above the form.

    `profile_panels` is the hook the apps above add their sections through
    (saved payment methods and invoices come from `payments.admin`).
    """

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
        ledger = list(
            BalanceTransaction.objects.filter(customer=customer)
            .select_related("created_by")
            .order_by("-created_at", "-id")[: LEDGER_ROWS + 1]
        )
        return [
            {
                "template": "admin/settle/panels/customer_balance.html",
                "customer": customer,
                "ledger": ledger[:LEDGER_ROWS],
                "ledger_more": len(ledger) > LEDGER_ROWS,
                "can_adjust": request.user.has_perm(ADJUST_PERMISSION),
            }
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if customer is not None:
            extra["profile_panels"] = self.profile_panels(request, customer)
        return super().change_view(request, object_id, form_url, extra)


@admin.register(BalanceTransaction)
class BalanceTransactionAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = ["created_at", "customer", "kind", "amount", "currency", "balance_after"]
    list_filter = ["kind", "currency", ENTITY_FILTER]
    search_fields = ["id", "customer__name", "customer__email", "reason", "invoice_id"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = ["created_at", "action", "source", "actor_label", "object_type", "object_id"]
    list_filter = ["source", "object_type", "action", ENTITY_FILTER]
    search_fields = ["object_id", "invoice_id", "customer_id", "actor_label", "reason"]
    date_hierarchy = "created_at"
