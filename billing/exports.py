"""The balance ledger and audit trail exports: columns and rows of the CSVs the API and the
back office stream (the stream itself is `billing.csv_export`).

A ledger row stores the balance after it (`balance_after`), so the running balance costs
nothing. An audit event names its actor three ways: `actor_kind` (user, api_key or system
for tasks, webhooks and the like), `actor_id` (the user's or key's id) and `actor_name`
(as recorded then, so a renamed user does not rewrite history); before/after are compact
JSON.
"""

from billing.csv_export import CsvExport, compact_json, safe
from billing.formats import format_timestamp
from billing.models import AuditEvent, BalanceTransaction


def _ledger_row(row) -> list:
    return [
        row.pk,
        format_timestamp(row.created_at),
        row.customer_id,
        safe(row.customer.name),
        row.kind,
        row.amount,
        row.currency,
        row.balance_after,
        safe(row.reason),
        row.invoice_id,
        row.credit_note_id,
        row.payment_id,
        row.refund_id,
    ]


BALANCE_TRANSACTION_EXPORT = CsvExport(
    name="balance-transactions",
    columns=[
        "id",
        "created_at",
        "customer_id",
        "customer_name",
        "kind",
        "amount",  # signed: positive adds credit, negative uses it
        "currency",
        "balance_after",
        "reason",
        "invoice_id",
        "credit_note_id",
        "payment_id",
        "refund_id",
    ],
    row=_ledger_row,
    source=lambda: BalanceTransaction.objects.all(),
    period_field="created_at",
    related=("customer",),
    fields=(
        "id",
        "created_at",
        "customer_id",
        "customer__name",
        "kind",
        "amount",
        "currency",
        "balance_after",
        "reason",
        "invoice_id",
        "credit_note_id",
        "payment_id",
        "refund_id",
    ),
)


def actor_kind(event) -> str:
    """user, api_key, or system (a task, webhook or the app itself)."""
    if event.actor_user_id is not None:
        return "user"
    if event.actor_api_key_id:
        return "api_key"
    return "system"


def actor_id(event) -> str:
    if event.actor_user_id is not None:
        return str(event.actor_user_id)
    return event.actor_api_key_id


def _audit_row(event) -> list:
    return [
        event.pk,
        format_timestamp(event.created_at),
        actor_kind(event),
        actor_id(event),
        safe(event.actor_label),
        event.source,
        event.action,
        event.object_type,
        event.object_id,
        event.invoice_id,
        event.customer_id,
        safe(event.reason),
        compact_json(event.before),
        compact_json(event.after),
    ]


AUDIT_EVENT_EXPORT = CsvExport(
    name="audit-events",
    columns=[
        "id",
        "created_at",
        "actor_kind",
        "actor_id",
        "actor_name",
        "source",  # admin, api, portal, webhook, task or system
        "action",
        "object_type",
        "object_id",
        "invoice_id",
        "customer_id",
        "reason",
        "before",
        "after",
    ],
    row=_audit_row,
    source=lambda: AuditEvent.objects.all(),
    period_field="created_at",
)
