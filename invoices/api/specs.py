"""What may be filtered, searched and sorted in invoice and credit-note lists."""

from billing.api.listing import Field, ListSpec

INVOICE_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("number", "number", "string"),
        Field("customer_id", "customer_id", "id"),
        Field("status", "status", "enum"),
        Field("currency", "currency", "enum"),
        Field("date", "date", "date"),
        Field("due_date", "due_date", "date", orderable=False),
        Field("total", "total", "number"),
        Field("total_paid", "total_paid", "number"),
        Field("total_due", "total_due", "number"),
        Field("total_reserved", "total_reserved", "number"),
        Field("note", "note", "string", orderable=False),
        Field("customer.name", "customer__name", "string", orderable=False),
        Field("metadata", "metadata", "metadata", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("number", "note", "customer__name", "customer__email", "id"),
    metadata_path="metadata",
    default_order="-created_at",
)

CREDIT_NOTE_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("number", "number", "string"),
        Field("invoice_id", "invoice_id", "id"),
        Field("customer_id", "customer_id", "id"),
        Field("date", "date", "date"),
        Field("total", "total", "number"),
        Field("total_remaining", "total_remaining", "number"),
        Field("reason", "reason", "string", orderable=False),
        Field("metadata", "metadata", "metadata", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("number", "reason", "id"),
    metadata_path="metadata",
    default_order="-created_at",
)
