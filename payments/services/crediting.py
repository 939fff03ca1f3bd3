"""Issuing a credit note and, at once, sending its credit where it goes.

Allocations (optional; when given they must add up to the credit note's total):
- `invoice`: reduce what is due on the corrected invoice (a `credit_note` payment);
- `customer_balance`: credit the customer's money balance;
- `refund`: give money back from one of the invoice's payments (to the card
  for a charged payment) — the credit is applied to the invoice and the
  payment is refunded, so the invoice stays settled;
- `outside`: the credit was paid out outside the app (cash, bank transfer…).
Without allocations the credit note stays open until `credit_note` payments apply it.
"""

from decimal import Decimal

from billing.actors import Actor
from billing.errors import ValidationError
from billing.locking import lock_rows, money_transaction
from billing.models import Customer, Entity
from billing.money import check_amount
from invoices.models import (
    CreditNote,
    Invoice,
)
from invoices.services.credit_notes import credit_note_build
from payments.models import EXTERNAL_TYPES, Payment, PaymentType, RefundDestination, RefundStatus
from payments.queue import document_pdf_enqueue
from payments.services.documents import LockedDocuments, find_invoice
from payments.services.recording import (
    PaymentDetails,
    balance_payment_record,
    credit_note_application_record,
    external_payment_record,
)
from payments.services.refunding import refund_execute, refund_reserve

ALLOCATION_TYPES = ("invoice", "customer_balance", "refund", "outside")


def _parse_allocations(allocations, currency: str) -> list[dict]:
    if not isinstance(allocations, list | tuple) or not allocations:
        raise ValidationError("allocations must be a non-empty list.", param="allocations")
    parsed = []
    for index, item in enumerate(allocations):
        param = f"allocations[{index}]"
        if not isinstance(item, dict) or item.get("type") not in ALLOCATION_TYPES:
            raise ValidationError(
                f"Each allocation needs a type: one of {', '.join(ALLOCATION_TYPES)}.",
                code="invalid_allocation",
                param=f"{param}.type",
            )
        amount = check_amount(item.get("amount"), currency, param=f"{param}.amount")
        entry = {"type": item["type"], "amount": amount}
        if item["type"] == "refund":
            if not item.get("payment_id"):
                raise ValidationError(
                    "A refund allocation needs the payment_id to refund.",
                    code="invalid_allocation",
                    param=f"{param}.payment_id",
                )
            entry["payment_id"] = str(item["payment_id"])
        if item["type"] == "outside":
            method = item.get("payment_type", PaymentType.OTHER)
            if method not in EXTERNAL_TYPES:
                raise ValidationError(
                    "payment_type must be an external payment type.",
                    code="invalid_allocation",
                    param=f"{param}.payment_type",
                )
            entry["payment_type"] = method
        parsed.append(entry)
    return parsed


def credit_note_issue(
    *,
    entity: Entity,
    invoice_id: str,
    actor: Actor,
    reason: str,
    amount=None,
    items=None,
    lines=None,
    date=None,
    metadata: dict | None = None,
    allocations=None,
) -> CreditNote:
    """Issue a credit note against an invoice and apply its allocations, all or nothing.

    Gateway refunds among the allocations are reserved in the transaction (their
    reconcile queued with them) and sent to the gateway after it commits (no lock is
    held across the call).
    """
    invoice = find_invoice(entity, invoice_id)
    parsed = _parse_allocations(allocations, invoice.currency) if allocations is not None else []
    refund_payment_ids = [entry["payment_id"] for entry in parsed if entry["type"] == "refund"]
    # A refunded payment may also reference an advance or another credit note; refunding it
    # locks them, so they are locked here, before the customer (document references never change).
    refunded_documents = list(
        Payment.objects.filter(pk__in=refund_payment_ids).values_list(
            "advance_invoice_id", "credit_note_id"
        )
    )
    pending_refunds = []
    with money_transaction():
        invoices, _, _, customers, payments = lock_rows(
            (Invoice, [invoice.pk]),
            (Invoice, [advance_id for advance_id, _ in refunded_documents]),
            (CreditNote, [credit_note_id for _, credit_note_id in refunded_documents]),
            (Customer, [invoice.customer_id]),
            (Payment, refund_payment_ids),
        )
        docs = LockedDocuments(
            invoice=invoices[invoice.pk], customer=customers[invoice.customer_id], payments=payments
        )
        credit_note = credit_note_build(
            invoice=docs.invoice,
            reason=reason,
            actor=actor,
            items=items,
            amount=amount,
            lines=lines,
            date=date,
            metadata=metadata,
        )
        document_pdf_enqueue(credit_note.pk)  # rendered by the worker once this commits
        if parsed:
            allocated = sum((entry["amount"] for entry in parsed), Decimal("0"))
            if allocated != credit_note.total:
                raise ValidationError(
                    f"The allocations add up to {allocated} but the credit note is "
                    f"{credit_note.total} {credit_note.currency}.",
                    code="allocations_mismatch",
                    param="allocations",
                )
            for entry in parsed:
                if entry["type"] == "refund":
                    payment = docs.payments.get(entry["payment_id"])
                    if payment is None or payment.invoice_id != invoice.pk:
                        raise ValidationError(
                            "The payment to refund is not on this invoice.",
                            code="invalid_allocation",
                            param="allocations",
                        )
            to_invoice = sum((e["amount"] for e in parsed if e["type"] == "invoice"), Decimal(0))
            refunded = sum((e["amount"] for e in parsed if e["type"] == "refund"), Decimal(0))
            # The credit's payments are recorded on the rows held here (no second lock), so
            # the credit note returned is the one they brought up to date.
            applied = LockedDocuments(invoice=docs.invoice, credit_note=credit_note)
            if to_invoice:
                credit_note_application_record(
                    docs=applied,
                    actor=actor,
                    amount=to_invoice,
                    details=PaymentDetails.clean(note=reason),
                )
            if refunded:
                # The credit settles the invoice in place of the money handed back.
                credit_note_application_record(
                    docs=applied,
                    actor=actor,
                    amount=refunded,
                    details=PaymentDetails.clean(note=reason),
                    may_overpay=True,
                )
            for entry in parsed:
                if entry["type"] == "customer_balance":
                    balance_payment_record(
                        docs=LockedDocuments(credit_note=credit_note, customer=docs.customer),
                        actor=actor,
                        amount=entry["amount"],
                        details=PaymentDetails.clean(note=reason),
                    )
                elif entry["type"] == "outside":
                    external_payment_record(
                        docs=LockedDocuments(credit_note=credit_note),
                        actor=actor,
                        type=entry["payment_type"],
                        amount=entry["amount"],
                        details=PaymentDetails.clean(note=reason),
                    )
                elif entry["type"] == "refund":
                    refund = refund_reserve(
                        payment=docs.payments[entry["payment_id"]],
                        actor=actor,
                        amount=entry["amount"],
                        destination=RefundDestination.ORIGINAL,
                        reason=reason,
                    )
                    if refund.status == RefundStatus.PENDING:
                        pending_refunds.append(refund)
    for refund in pending_refunds:
        refund_execute(refund=refund, actor=actor)
    return credit_note
