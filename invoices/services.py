"""Writes of documents: drafting, numbering, status, credit notes.

Money settlement is not decided here: `payments.services.totals` computes a
document's figures from payment rows and hands them to
`invoice_apply_settlement` / `credit_note_apply_settlement`, which decide the
status. Callers hold the document's row lock.
"""

from datetime import date as date_type
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import InvalidState, LimitExceeded, ValidationError
from billing.ids import new_id
from billing.locking import money_transaction
from billing.models import Customer, Entity
from billing.money import ZERO, MoneySum, check_amount, validate_currency
from billing.services import sequence_next
from billing.validation import clean_metadata, parse_iso_date
from invoices.lines import PricedLine, document_totals, price_items, price_line
from invoices.models import (
    INVOICE_TRANSITIONS,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)

INVOICE_AUDIT_FIELDS = ["status", "number", "total", "total_paid", "total_due"]
SERIES_PREFIX = {InvoiceKind.INVOICE: "INV", InvoiceKind.ADVANCE: "ADV"}
ID_PREFIX = {InvoiceKind.INVOICE: "inv", InvoiceKind.ADVANCE: "adv"}


def _check_transition(invoice: Invoice, new_status: str) -> None:
    if new_status != invoice.status and new_status not in INVOICE_TRANSITIONS[invoice.status]:
        raise InvalidState(
            f"An invoice cannot go from {invoice.status} to {new_status}.",
            code="invalid_status_transition",
        )


def check_year(value: date_type, param: str) -> date_type:
    """Accounting dates live between 1900 and 2999; anything else is a typo."""
    if not 1900 <= value.year <= 2999:
        raise ValidationError(
            f"{param} must be between 1900 and 2999.", code="invalid_date", param=param
        )
    return value


def _parse_date(value, param: str, default=None):
    if value in (None, ""):
        return default
    if not isinstance(value, date_type):
        try:
            value = parse_iso_date(value)
        except ValueError:
            raise ValidationError(
                f"{param} must be a date (YYYY-MM-DD).", code="invalid_date", param=param
            ) from None
    return check_year(value, param)


def _write_lines(model, parent_field: str, parent, lines: list[PricedLine], extra=None) -> None:
    model.objects.bulk_create(
        [
            model(
                **{parent_field: parent},
                position=index,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                amount=line.amount,
                tax_amount=line.tax_amount,
                total=line.total,
                **((extra or [{}] * len(lines))[index]),
            )
            for index, line in enumerate(lines)
        ]
    )


def invoice_create(
    *,
    entity: Entity,
    customer: Customer,
    items,
    actor: Actor,
    currency: str | None = None,
    date=None,
    due_date=None,
    note: str = "",
    metadata: dict | None = None,
    kind: str = InvoiceKind.INVOICE,
) -> Invoice:
    """Create a draft invoice (or advance invoice) with priced lines."""
    if customer.entity_id != entity.pk:
        raise ValidationError(
            "The customer belongs to another entity.", code="resource_missing", param="customer_id"
        )
    currency = validate_currency(currency or customer.currency)
    issue_date = _parse_date(date, "date", timezone.localdate())
    due = _parse_date(due_date, "due_date")
    if due is not None and due < issue_date:
        raise ValidationError("due_date cannot be before date.", param="due_date")
    lines = price_items(items, currency)
    net, tax, total = document_totals(lines)
    with money_transaction():
        invoice = Invoice.objects.create(
            id=new_id(ID_PREFIX[kind]),
            entity=entity,
            customer=customer,
            kind=kind,
            currency=currency,
            date=issue_date,
            due_date=due,
            note=note or "",
            metadata=clean_metadata(metadata),
            total_net=net,
            total_tax=tax,
            total=total,
            total_due=total,
        )
        _write_lines(InvoiceLine, "invoice", invoice, lines)
        audit_record(
            actor=actor,
            entity_id=entity.pk,
            action=f"{kind}.created",
            obj=invoice,
            invoice_id=invoice.pk,
            customer_id=customer.pk,
            after=snapshot(invoice, INVOICE_AUDIT_FIELDS),
        )
    return invoice


def invoice_finalize(*, invoice: Invoice, actor: Actor) -> Invoice:
    """Give a locked draft its gapless number and mark it issued."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvalidState("Only a draft can be issued.", code="invoice_not_draft")
    year = invoice.date.year
    prefix = SERIES_PREFIX[invoice.kind]
    value = sequence_next(entity_id=invoice.entity_id, series=f"{prefix}-{year}")
    invoice.number = f"{prefix}-{year}-{value:05d}"
    invoice.status = InvoiceStatus.ISSUED
    invoice.issued_at = timezone.now()
    invoice.save(update_fields=["number", "status", "issued_at", "updated_at"])
    invoice_apply_settlement(
        invoice=invoice,
        total_paid=invoice.total_paid,
        total_credited=invoice.total_credited,
        total_applied=invoice.total_applied,
        total_reserved=invoice.total_reserved,
    )
    audit_record(
        actor=actor,
        entity_id=invoice.entity_id,
        action="invoice.issued",
        obj=invoice,
        invoice_id=invoice.pk,
        customer_id=invoice.customer_id,
        before={"status": InvoiceStatus.DRAFT},
        after=snapshot(invoice, INVOICE_AUDIT_FIELDS),
    )
    return invoice


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
    _check_transition(invoice, status)
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
    return bool(changed)


def invoice_mark_void(*, invoice: Invoice, reason: str, actor: Actor) -> Invoice:
    """Void a locked invoice; the caller has checked that nothing is settled or pending on it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Voiding needs a reason.", code="reason_required", param="reason")
    if invoice.status == InvoiceStatus.VOID:
        raise InvalidState("This invoice is already void.", code="invalid_status_transition")
    _check_transition(invoice, InvoiceStatus.VOID)
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
    audit_record(
        actor=actor,
        entity_id=invoice.entity_id,
        action="invoice.voided",
        obj=invoice,
        invoice_id=invoice.pk,
        customer_id=invoice.customer_id,
        before=before,
        after=snapshot(invoice, INVOICE_AUDIT_FIELDS),
        reason=reason,
    )
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
    audit_record(
        actor=actor,
        entity_id=invoice.entity_id,
        action="invoice.written_off",
        obj=invoice,
        invoice_id=invoice.pk,
        customer_id=invoice.customer_id,
        before=before,
        after=snapshot(invoice, INVOICE_AUDIT_FIELDS),
        reason=reason,
    )
    return invoice


# --- credit notes -----------------------------------------------------------------------------


def _credit_lines_from_invoice_lines(invoice: Invoice, requested, currency: str):
    """Price per-line credits ({"line_id", "quantity"} or {"line_id", "amount"}) within what is left."""
    lines = {line.pk: line for line in invoice.lines.all()}
    already = {
        row["invoice_line_id"]: row
        for row in CreditNoteLine.objects.filter(invoice_line__invoice=invoice)
        .values("invoice_line_id")
        .annotate(quantity=Sum("quantity"), amount=MoneySum("amount"))
    }
    priced, extra = [], []
    for index, item in enumerate(requested):
        param = f"lines[{index}]"
        if not isinstance(item, dict):
            raise ValidationError("Each line credit must be an object.", param=param)
        line = lines.get(item.get("line_id"))
        if line is None:
            raise ValidationError("No such line on this invoice.", param=f"{param}.line_id")
        credited = already.get(line.pk, {"quantity": ZERO, "amount": ZERO})
        if item.get("amount") is not None:
            net = check_amount(item["amount"], currency, param=f"{param}.amount")
            if net > line.amount - credited["amount"]:
                raise LimitExceeded(
                    f"Line {line.name!r} has {line.amount - credited['amount']} left to credit.",
                    param=f"{param}.amount",
                )
            priced_line = price_line(
                name=line.name,
                quantity=1,
                unit_price=net,
                tax_rate=line.tax_rate,
                currency=currency,
                param=param,
            )
        else:
            priced_line = price_line(
                name=line.name,
                quantity=item.get("quantity"),
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                currency=currency,
                param=param,
            )
            if priced_line.quantity > line.quantity - credited["quantity"]:
                raise LimitExceeded(
                    f"Line {line.name!r} has {line.quantity - credited['quantity']} left to credit.",
                    param=f"{param}.quantity",
                )
            if priced_line.amount > line.amount - credited["amount"]:
                raise LimitExceeded(
                    f"Line {line.name!r} is already credited.", param=f"{param}.quantity"
                )
        # The same line may appear twice in one request: both share what is left.
        already[line.pk] = {
            "quantity": credited["quantity"] + priced_line.quantity,
            "amount": credited["amount"] + priced_line.amount,
        }
        priced.append(priced_line)
        extra.append({"invoice_line": line})
    return priced, extra


def credit_note_build(
    *,
    invoice: Invoice,
    reason: str,
    actor: Actor,
    items=None,
    amount=None,
    lines=None,
    date=None,
    metadata: dict | None = None,
) -> CreditNote:
    """Issue a credit note against a locked invoice, open (nothing applied yet).

    Exactly one of `amount` (a single untaxed credit), `items` (free lines) or
    `lines` (per invoice line). Σ credit notes of an invoice never exceeds its total.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "A credit note needs a reason.", code="reason_required", param="reason"
        )
    if invoice.kind != InvoiceKind.INVOICE:
        raise InvalidState(
            "Credit notes correct invoices, not advance invoices.", code="invalid_document"
        )
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        raise InvalidState(
            f"A {invoice.status} invoice cannot be credited.", code="invoice_not_open"
        )
    given = [value is not None for value in (items, amount, lines)]
    if sum(given) != 1:
        raise ValidationError("Give exactly one of amount, items or lines.", param="amount")
    currency = invoice.currency
    extra = None
    if amount is not None:
        value = check_amount(amount, currency)
        priced = [
            price_line(
                name=f"Credit for {invoice.number}",
                quantity=1,
                unit_price=value,
                tax_rate=0,
                currency=currency,
                param="amount",
            )
        ]
    elif items is not None:
        priced = price_items(items, currency)
    else:
        if not isinstance(lines, list | tuple) or not lines:
            raise ValidationError("At least one line is required.", param="lines")
        priced, extra = _credit_lines_from_invoice_lines(invoice, lines, currency)
    net, tax, total = document_totals(priced)
    if total <= 0:
        raise ValidationError("A credit note must be for more than zero.", param="amount")
    credited = (
        invoice.credit_notes.exclude(status="void").aggregate(s=MoneySum("total"))["s"] or ZERO
    )
    if credited + total > invoice.total:
        raise LimitExceeded(
            f"Invoice {invoice.number} has {invoice.total - credited} {currency} left to credit.",
            code="credit_exceeds_invoice",
            param="amount",
        )
    effective = _parse_date(date, "date", timezone.localdate())
    value = sequence_next(entity_id=invoice.entity_id, series=f"CN-{effective.year}")
    credit_note = CreditNote.objects.create(
        entity_id=invoice.entity_id,
        customer_id=invoice.customer_id,
        invoice=invoice,
        number=f"CN-{effective.year}-{value:05d}",
        currency=currency,
        date=effective,
        reason=reason,
        metadata=clean_metadata(metadata),
        total_net=net,
        total_tax=tax,
        total=total,
        total_remaining=total,
    )
    _write_lines(CreditNoteLine, "credit_note", credit_note, priced, extra)
    audit_record(
        actor=actor,
        entity_id=invoice.entity_id,
        action="credit_note.issued",
        obj=credit_note,
        invoice_id=invoice.pk,
        customer_id=invoice.customer_id,
        after={"number": credit_note.number, "total": total},
        reason=reason,
    )
    return credit_note


def credit_note_apply_settlement(*, credit_note: CreditNote, total_applied: Decimal) -> bool:
    remaining = credit_note.total - total_applied
    if credit_note.total_applied == total_applied and credit_note.total_remaining == remaining:
        return False
    credit_note.total_applied = total_applied
    credit_note.total_remaining = remaining
    credit_note.save(update_fields=["total_applied", "total_remaining", "updated_at"])
    return True
