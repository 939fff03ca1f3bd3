"""The event types an endpoint can subscribe to, and which audited actions mean which."""

EVENT_TYPES = (
    "payment.created",
    "payment.updated",
    "payment.deleted",
    "payment.failed",
    "payment.requires_action",
    "refund.created",
    "refund.updated",
    "invoice.issued",
    "invoice.paid",
    "invoice.partially_paid",
    "invoice.overdue",
    "invoice.voided",
    "invoice.uncollectible",
    "credit_note.issued",
    "credit_note.applied",
    "advance_invoice.applied",
    "customer.balance_changed",
    "bank_statement.line_matched",
)
ALL_EVENTS = "*"

# The resource (billing.api_key_scopes) of the object each event carries, by the event
# type's first part: a restricted key reads, and subscribes to, the events whose objects
# it may read.
EVENT_OBJECT_RESOURCES = {
    "payment": "payments",
    "refund": "refunds",
    "invoice": "invoices",
    "advance_invoice": "invoices",
    "credit_note": "credit_notes",
    "customer": "customers",
    "bank_statement": "bank_statements",
}


def event_resource(event_type: str) -> str:
    return EVENT_OBJECT_RESOURCES[event_type.split(".", 1)[0]]


# Audited action → the event it reports about the same object. Actions not listed (a
# customer's profile, settings, API keys…) are not events. The invoice's money status
# (`invoice.paid`, `invoice.partially_paid`) and the customer's balance are reported where
# they are computed (invoices.settlement, billing.services.balance_post).
AUDIT_ACTION_EVENTS = {
    "payment.recorded": "payment.created",
    "payment.recorded_from_gateway": "payment.created",
    "payment.charge_started": "payment.created",
    "payment.charge_succeeded": "payment.updated",
    "payment.charge_canceled": "payment.updated",
    "payment.charge_failed": "payment.failed",
    "payment.charge_requires_action": "payment.requires_action",
    "payment.confirmation_started": "payment.updated",
    "payment.disputed": "payment.updated",
    "payment.updated": "payment.updated",
    "payment.deleted": "payment.deleted",
    "refund.created": "refund.created",
    "refund.recorded_from_gateway": "refund.created",
    "refund.succeeded": "refund.updated",
    "refund.failed": "refund.updated",
    "refund.canceled": "refund.updated",
    "invoice.issued": "invoice.issued",
    "invoice.voided": "invoice.voided",
    "invoice.written_off": "invoice.uncollectible",
    "credit_note.issued": "credit_note.issued",
    "bank_line.matched": "bank_statement.line_matched",
    "bank_line.auto_matched": "bank_statement.line_matched",
}


def applied_document(payment) -> tuple[str, str] | None:
    """(event type, field) of the document a recorded payment applies, if it applies one.

    Every payment drawn from a credit note applies it (to the invoice, to the customer's
    balance, or paid out); a payment of type `advance` applies the advance it names (a
    payment *of* an advance is an ordinary payment of that invoice).
    """
    if payment.credit_note_id is not None:
        return "credit_note.applied", "credit_note"
    if payment.type == "advance" and payment.advance_invoice_id is not None:
        return "advance_invoice.applied", "advance_invoice"
    return None
