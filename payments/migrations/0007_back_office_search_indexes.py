"""Indexes for the back office's searches and filters over large tables.

The searches (backoffice/search.py) match `UPPER(column) LIKE UPPER('%term%')`, which is
what Django's `icontains` is on PostgreSQL: trigram (pg_trgm) GIN indexes on those
expressions serve them, and PostgreSQL combines them with the foreign-key indexes in a
BitmapOr. They are PostgreSQL only (SQLite has neither pg_trgm nor the need); the ones on
invoices and customers live here, with the payments' own, so that those apps' migrations
stay as they are.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = {
    # name: (table, column)
    "payments_payment_gateway_ref_trgm": ("payments_payment", "gateway_reference"),
    "invoices_invoice_number_trgm": ("invoices_invoice", "number"),
    "invoices_invoice_id_trgm": ("invoices_invoice", "id"),
    "invoices_invoice_note_trgm": ("invoices_invoice", "note"),
    "invoices_creditnote_number_trgm": ("invoices_creditnote", "number"),
    "invoices_creditnote_id_trgm": ("invoices_creditnote", "id"),
    "invoices_creditnote_reason_trgm": ("invoices_creditnote", "reason"),
    "billing_customer_name_trgm": ("billing_customer", "name"),
    "billing_customer_email_trgm": ("billing_customer", "email"),
}

# The credit notes' list, newest first (across entities, and within one), and the
# dashboard's receivables: open invoices by currency and due date, and overpaid ones.
BTREE_INDEXES = {
    "invoices_creditnote_date_id": "invoices_creditnote (date, id)",
    "invoices_creditnote_entity_date_id": "invoices_creditnote (entity_id, date, id)",
    "invoices_invoice_open_due": (
        "invoices_invoice (currency, due_date) INCLUDE (entity_id, total_due, id) "
        "WHERE status IN ('issued', 'partially_paid') AND total_due > 0"
    ),
    "invoices_invoice_overpaid": (
        "invoices_invoice (total_due) INCLUDE (entity_id, status, currency) WHERE total_due < 0"
    ),
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )
    for name, definition in BTREE_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*TRIGRAM_INDEXES, *BTREE_INDEXES]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_entity_documents_customer_profile"),
        ("invoices", "0004_terms_discounts_issuer_pdfs_reminders"),
        ("payments", "0006_payment_created_index"),
    ]

    operations = [
        # The Payments list filtered by date across entities (a superuser's), and the
        # dashboard's money received this month and per day.
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                fields=["date"],
                include=["created_at", "id", "is_deleted"],
                name="payments_payment_date_idx",
            ),
        ),
        migrations.RunPython(add_indexes, drop_indexes),
    ]
