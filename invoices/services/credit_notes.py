"""Credit notes: the lines taken from the invoice they credit, totals, numbering."""

from django.db.models import Sum
from django.utils import timezone

from billing.actors import Actor
from billing.audit import audit_record
from billing.errors import InvalidState, LimitExceeded, ValidationError
from billing.money import ZERO, MoneySum, check_amount
from billing.services import sequence_next
from billing.validation import clean_metadata, parse_date_param
from invoices.issuer import issuer_snapshot
from invoices.lines import document_totals, price_items, price_line, write_lines
from invoices.models import (
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
)


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
                discount_percent=line.discount_percent,
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
    effective = parse_date_param(date, "date", timezone.localdate())
    value = sequence_next(entity_id=invoice.entity_id, series=f"CN-{effective.year}")
    credit_note = CreditNote.objects.create(
        entity_id=invoice.entity_id,
        customer_id=invoice.customer_id,
        invoice=invoice,
        number=f"CN-{effective.year}-{value:05d}",
        currency=currency,
        date=effective,
        reason=reason,
        issuer=issuer_snapshot(invoice.entity),
        metadata=clean_metadata(metadata),
        total_net=net,
        total_tax=tax,
        total=total,
        total_remaining=total,
    )
    write_lines(CreditNoteLine, "credit_note", credit_note, priced, extra)
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
