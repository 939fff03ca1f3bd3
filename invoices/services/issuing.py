"""Issuing, voiding and writing off invoices.

`invoice_finalize`, `invoice_mark_void` and `invoice_mark_uncollectible` are the
document's own steps on a locked row; `invoice_issue`, `invoice_void` and
`invoice_write_off` are the services: they lock, check the invoice's payments
(nothing settled or in flight on a voided invoice) and, at issue, use the
customer's balance.
"""

from datetime import timedelta

from django.utils import timezone

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import InvalidState, NotFound, ValidationError
from billing.locking import lock_rows, money_transaction
from billing.money import ZERO
from billing.services import sequence_next
from billing.validation import parse_date_param
from invoices.issuer import issuer_snapshot
from invoices.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
)
from invoices.services.authoring import INVOICE_AUDIT_FIELDS
from invoices.settlement import check_transition, invoice_apply_settlement

SERIES_PREFIX = {InvoiceKind.INVOICE: "INV", InvoiceKind.ADVANCE: "ADV"}


def _audit(invoice: Invoice, actor: Actor, action: str, *, before: dict, **extra) -> None:
    audit_record(
        actor=actor,
        entity_id=invoice.entity_id,
        action=action,
        obj=invoice,
        invoice_id=invoice.pk,
        customer_id=invoice.customer_id,
        before=before,
        after=snapshot(invoice, INVOICE_AUDIT_FIELDS),
        **extra,
    )


def invoice_terms_days(invoice: Invoice) -> int:
    """The payment terms that apply: the invoice's own, else its customer's, else the entity's."""
    if invoice.payment_terms_days is not None:
        return invoice.payment_terms_days
    return invoice.customer.terms_days


def invoice_due_date(invoice: Invoice):
    """The due date an issue gives a draft: the one it has, or its date plus its terms."""
    if invoice.due_date is not None:
        return invoice.due_date
    return invoice.date + timedelta(days=invoice_terms_days(invoice))


def invoice_finalize(*, invoice: Invoice, actor: Actor, due_date=None) -> Invoice:
    """Give a locked draft its gapless number and due date, and mark it issued."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvalidState("Only a draft can be issued.", code="invoice_not_draft")
    due = parse_date_param(due_date, "due_date") or invoice_due_date(invoice)
    if due < invoice.date:
        raise ValidationError("The due date cannot be before the invoice date.", param="due_date")
    invoice.due_date = due
    year = invoice.date.year
    prefix = SERIES_PREFIX[invoice.kind]
    value = sequence_next(entity_id=invoice.entity_id, series=f"{prefix}-{year}")
    invoice.number = f"{prefix}-{year}-{value:05d}"
    invoice.status = InvoiceStatus.ISSUED
    invoice.issued_at = timezone.now()
    invoice.issuer = issuer_snapshot(invoice.entity)
    invoice.save(
        update_fields=["number", "status", "issued_at", "due_date", "issuer", "updated_at"]
    )
    invoice_apply_settlement(
        invoice=invoice,
        total_paid=invoice.total_paid,
        total_credited=invoice.total_credited,
        total_applied=invoice.total_applied,
        total_reserved=invoice.total_reserved,
    )
    _audit(invoice, actor, "invoice.issued", before={"status": InvoiceStatus.DRAFT})
    return invoice


def invoice_mark_void(*, invoice: Invoice, reason: str, actor: Actor) -> Invoice:
    """Void a locked invoice; the caller has checked that nothing is settled or pending on it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Voiding needs a reason.", code="reason_required", param="reason")
    if invoice.status == InvoiceStatus.VOID:
        raise InvalidState("This invoice is already void.", code="invalid_status_transition")
    check_transition(invoice, InvoiceStatus.VOID)
    if invoice.total_paid != 0:
        raise InvalidState(
            "An invoice with payments cannot be voided; refund them first.",
            code="invoice_has_payments",
        )
    if invoice.credit_notes.exists():
        raise InvalidState(
            "An invoice with credit notes cannot be voided.", code="invoice_has_credit_notes"
        )
    before = snapshot(invoice, INVOICE_AUDIT_FIELDS)
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.void_reason = reason
    invoice.total_due = ZERO
    invoice.paid_in_full = False
    invoice.save(
        update_fields=[
            "status",
            "voided_at",
            "void_reason",
            "total_due",
            "paid_in_full",
            "updated_at",
        ]
    )
    _audit(invoice, actor, "invoice.voided", before=before, reason=reason)
    return invoice


def invoice_mark_uncollectible(*, invoice: Invoice, reason: str, actor: Actor) -> Invoice:
    """Write off what is still due on a locked invoice (it can still be paid later)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("A write-off needs a reason.", code="reason_required", param="reason")
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID):
        raise InvalidState(
            "Only an issued invoice with an amount due can be written off.",
            code="invalid_status_transition",
        )
    before = snapshot(invoice, INVOICE_AUDIT_FIELDS)
    invoice.written_off_at = timezone.now()
    invoice.write_off_reason = reason
    invoice.status = InvoiceStatus.UNCOLLECTIBLE
    invoice.save(update_fields=["written_off_at", "write_off_reason", "status", "updated_at"])
    _audit(invoice, actor, "invoice.written_off", before=before, reason=reason)
    return invoice


def invoice_write_off(*, invoice: Invoice, actor: Actor, reason: str) -> Invoice:
    """Mark what is still due as uncollectible (the invoice can still be paid later)."""
    with money_transaction():
        (invoices,) = lock_rows((Invoice, [invoice.pk]))
        if invoice.pk not in invoices:
            raise NotFound("This invoice no longer exists.")
        return invoice_mark_uncollectible(invoice=invoices[invoice.pk], reason=reason, actor=actor)
