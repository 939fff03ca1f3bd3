"""What may be filtered, searched and sorted in payment, refund and saved card lists."""

from billing.api.listing import Field, ListSpec

PAYMENT_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("invoice_id", "invoice_id", "id"),
        Field("credit_note_id", "credit_note_id", "id"),
        Field("advance_invoice_id", "advance_invoice_id", "id"),
        Field("amount", "amount", "number"),
        Field("type", "type", "enum"),
        Field("status", "status", "enum"),
        Field("currency", "currency", "enum"),
        Field("date", "date", "date"),
        Field("reference", "reference", "string", orderable=False),
        Field("note", "note", "string", orderable=False),
        Field("metadata", "metadata", "metadata", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("reference", "note", "id"),
    metadata_path="metadata",
    default_order="-created_at",
    search_document="search_text",
)

REFUND_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("payment_id", "payment_id", "id"),
        Field("amount", "amount", "number"),
        Field("status", "status", "enum"),
        Field("destination", "destination", "enum"),
        Field("reason", "reason", "string", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("reason", "id"),
    metadata_path=None,
    default_order="-created_at",
)

SAVED_PAYMENT_METHOD_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("brand", "brand", "string"),
        Field("last4", "last4", "string"),
        Field("exp_month", "exp_month", "number"),
        Field("exp_year", "exp_year", "number"),
        Field("is_default", "is_default", "boolean"),
        Field("created_at", "created_at", "datetime"),
    ),
    search_paths=("brand", "last4", "id"),
    metadata_path=None,
    default_order="-is_default",  # the default card first, then the newest
)
