"""The two append-only ledgers, read-only: balance movements and the audit trail."""

from backoffice.api_keys import ApiKeyAdmin  # noqa: F401 (registers the admin)
from backoffice.scoping import (
    ENTITY_FILTER,
    EntityScopedAdmin,
    ReadOnlyAdminMixin,
)


class BalanceTransactionAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = ["created_at", "customer", "kind", "amount", "currency", "balance_after"]
    list_filter = ["kind", "currency", ENTITY_FILTER]
    search_fields = ["id", "customer__name", "customer__email", "reason", "invoice_id"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"


class AuditEventAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = ["created_at", "action", "source", "actor_label", "object_type", "object_id"]
    list_filter = ["source", "object_type", "action", ENTITY_FILTER]
    search_fields = ["object_id", "invoice_id", "customer_id", "actor_label", "reason"]
    date_hierarchy = "created_at"
