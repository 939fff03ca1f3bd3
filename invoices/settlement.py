"""Settlement: the figures a document's payments make, stored on it, and the status they imply.

Money settlement is not decided here: `payments.services.totals` computes a
document's figures from payment rows and hands them to
`invoice_apply_settlement` / `credit_note_apply_settlement`, which decide the
status. Callers hold the document's row lock."""

from decimal import Decimal

from billing.errors import InvalidState
from billing.events import event_record
from billing.money import ZERO
from invoices.models import (
    INVOICE_TRANSITIONS,
    CreditNote,
    Invoice,
    InvoiceStatus,
)


def check_transition(invoice: Invoice, new_status: str) -> None:
    if new_status != invoice.status and new_status not in INVOICE_TRANSITIONS[invoice.status]:
        raise InvalidState(
            f"An invoice cannot go from {invoice.status} to {new_status}.",
            code="invalid_status_transition",
        )


def settlement_status(invoice: Invoice, total_paid: Decimal) -> str:
    """The status the figures imply; draft and void are never changed by money."""
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        return invoice.status
    if total_paid >= invoice.total:
        return InvoiceStatus.PAID
    if invoice.written_off_at is not None:
        return InvoiceStatus.UNCOLLECTIBLE
    if total_paid > 0:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.ISSUED


def invoice_apply_settlement(
    *,
    invoice: Invoice,
    total_paid: Decimal,
    total_credited: Decimal,
    total_applied: Decimal,
    total_reserved: Decimal,
) -> bool:
    """Store recomputed figures on a locked invoice and derive its status. Returns whether it changed."""
    status = settlement_status(invoice, total_paid)
    check_transition(invoice, status)
    # A void invoice asks for nothing, whatever was once paid and refunded on it.
    total_due = ZERO if status == InvoiceStatus.VOID else invoice.total - total_paid
    new = {
        "total_paid": total_paid,
        "total_credited": total_credited,
        "total_applied": total_applied,
        "total_reserved": total_reserved,
        "total_due": total_due,
        "paid_in_full": invoice.status != InvoiceStatus.DRAFT and total_due <= 0,
        "status": status,
    }
    changed = [field for field, value in new.items() if getattr(invoice, field) != value]
    if changed:
        for field in changed:
            setattr(invoice, field, new[field])
        invoice.save(update_fields=[*changed, "updated_at"])
    if "status" in changed and status in (InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_PAID):
        event_record(entity_id=invoice.entity_id, type=f"invoice.{status}", obj=invoice)
    return bool(changed)


def credit_note_apply_settlement(*, credit_note: CreditNote, total_applied: Decimal) -> bool:
    remaining = credit_note.total - total_applied
    if credit_note.total_applied == total_applied and credit_note.total_remaining == remaining:
        return False
    credit_note.total_applied = total_applied
    credit_note.total_remaining = remaining
    credit_note.save(update_fields=["total_applied", "total_remaining", "updated_at"])
    return True
