"""Every movement of a customer, read from the rows that make it: documents, payments,
refunds and the money balance's ledger. Each says its signed effect on the balance."""

from collections.abc import Iterator
from datetime import date, datetime

from django.utils import timezone

from billing.models import BalanceTransaction, Customer
from billing.money import ZERO
from invoices.models import CreditNote, CreditNoteStatus, Invoice, InvoiceStatus
from payments.customer_statement.rows import CREDIT_TAKEN_BACK, Movement, RowKind
from payments.models import (
    EXTERNAL_TYPES,
    Payment,
    PaymentStatus,
    PaymentType,
    Refund,
    RefundDestination,
    RefundStatus,
)


def _local_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def statement_movements(customer: Customer, currency: str) -> Iterator[Movement]:
    """Every movement of the customer in `currency`, in no particular order."""
    numbers = dict(Invoice.objects.filter(customer=customer).values_list("id", "number")) | dict(
        CreditNote.objects.filter(customer=customer).values_list("id", "number")
    )
    yield from _document_movements(customer, currency)
    yield from _payment_movements(customer, currency, numbers)
    yield from _refund_movements(customer, currency, numbers)
    if currency == customer.currency:
        yield from _ledger_movements(customer, numbers)


def _document_movements(customer: Customer, currency: str) -> Iterator[Movement]:
    invoices = Invoice.objects.filter(
        customer=customer, currency=currency, issued_at__isnull=False
    ).only("id", "kind", "number", "status", "date", "total", "issued_at", "voided_at")
    for invoice in invoices:
        if invoice.is_advance:
            # A request: listed, owed only once paid (and then as the final invoice).
            yield Movement(
                invoice.date,
                invoice.issued_at,
                RowKind.ADVANCE_INVOICE,
                invoice.pk,
                invoice.total,
                ZERO,
                number=invoice.number,
            )
            continue
        yield Movement(
            invoice.date,
            invoice.issued_at,
            RowKind.INVOICE,
            invoice.pk,
            invoice.total,
            invoice.total,
            number=invoice.number,
        )
        if invoice.status == InvoiceStatus.VOID and invoice.voided_at is not None:
            yield Movement(
                _local_date(invoice.voided_at),
                invoice.voided_at,
                RowKind.INVOICE_VOIDED,
                invoice.pk,
                invoice.total,
                -invoice.total,
                number=invoice.number,
            )
    credit_notes = CreditNote.objects.filter(
        customer=customer, currency=currency, status=CreditNoteStatus.ISSUED
    ).only("id", "number", "date", "total", "created_at")
    for note in credit_notes:
        yield Movement(
            note.date,
            note.created_at,
            RowKind.CREDIT_NOTE,
            note.pk,
            note.total,
            -note.total,
            number=note.number,
        )


def _settled_payments(customer: Customer, currency: str):
    return Payment.objects.filter(
        customer=customer, currency=currency, status=PaymentStatus.SUCCEEDED, is_deleted=False
    )


def _payment_movements(customer: Customer, currency: str, numbers: dict) -> Iterator[Movement]:
    """Money received and paid out, and credit or an advance applied. A balance payment is
    left to the ledger, whose row says the same once."""
    payments = (
        _settled_payments(customer, currency)
        .exclude(type=PaymentType.CUSTOMER_BALANCE)
        .only(
            "id",
            "type",
            "amount",
            "date",
            "created_at",
            "reference",
            "invoice_id",
            "advance_invoice_id",
            "credit_note_id",
        )
    )
    for payment in payments:
        document = payment.invoice_id or payment.advance_invoice_id
        common = {"reference": payment.reference or ""}
        if payment.type in EXTERNAL_TYPES:
            if payment.credit_note_id and not document:
                kind, effect = RowKind.CREDIT_PAID_OUT, payment.amount
                number = numbers.get(payment.credit_note_id, "")
            else:
                kind, effect, number = RowKind.PAYMENT, -payment.amount, numbers.get(document, "")
            common["method"] = payment.type
            other = ""
        else:
            source = payment.credit_note_id or payment.advance_invoice_id
            credit = payment.type == PaymentType.CREDIT_NOTE
            kind = RowKind.CREDIT_APPLIED if credit else RowKind.ADVANCE_APPLIED
            effect, number = ZERO, numbers.get(payment.invoice_id, "")
            other = numbers.get(source, "")
        yield Movement(
            payment.date,
            payment.created_at,
            kind,
            payment.pk,
            payment.amount,
            effect,
            number=number,
            other=other,
            **common,
        )


def _refund_movements(customer: Customer, currency: str, numbers: dict) -> Iterator[Movement]:
    """Money given back, and applications taken back. A refund into the money balance, or of
    a balance payment, is left to the ledger."""
    refunds = (
        Refund.objects.filter(
            payment__customer=customer,
            currency=currency,
            status=RefundStatus.SUCCEEDED,
            payment__is_deleted=False,
            payment__status=PaymentStatus.SUCCEEDED,
            destination=RefundDestination.ORIGINAL,
        )
        .exclude(payment__type=PaymentType.CUSTOMER_BALANCE)
        .select_related("payment")
        .only(
            "id",
            "amount",
            "created_at",
            "payment__type",
            "payment__invoice_id",
            "payment__advance_invoice_id",
            "payment__credit_note_id",
            "payment__reference",
        )
    )
    for refund in refunds:
        payment = refund.payment
        document = payment.invoice_id or payment.advance_invoice_id
        if payment.type in EXTERNAL_TYPES:
            if payment.credit_note_id and not document:
                kind, effect = RowKind.PAYOUT_RETURNED, -refund.amount
                number = numbers.get(payment.credit_note_id, "")
            else:
                kind, effect, number = RowKind.REFUND, refund.amount, numbers.get(document, "")
            other = ""
        else:
            kind, effect = RowKind.APPLICATION_REVERSED, ZERO
            number = numbers.get(payment.invoice_id, "")
            other = numbers.get(payment.credit_note_id or payment.advance_invoice_id, "")
        yield Movement(
            _local_date(refund.created_at),
            refund.created_at,
            kind,
            refund.pk,
            refund.amount,
            effect,
            number=number,
            other=other,
            method=payment.type if payment.type in EXTERNAL_TYPES else "",
        )


def _ledger_movements(customer: Customer, numbers: dict) -> Iterator[Movement]:
    """The money balance's ledger. Only a manual adjustment changes the balance owed: the
    other movements bring credit from, or take it to, a document of the statement."""
    ledger = BalanceTransaction.objects.filter(customer=customer).only(
        "id", "kind", "amount", "created_at", "invoice_id", "credit_note_id"
    )
    for movement in ledger:
        adjustment = movement.kind == BalanceTransaction.Kind.ADJUSTMENT
        kind = movement.kind
        if kind == BalanceTransaction.Kind.APPLICATION_REVERSAL and not movement.invoice_id:
            kind = CREDIT_TAKEN_BACK
        yield Movement(
            _local_date(movement.created_at),
            movement.created_at,
            RowKind.BALANCE,
            movement.pk,
            abs(movement.amount),
            -movement.amount if adjustment else ZERO,
            number=numbers.get(movement.invoice_id or movement.credit_note_id, ""),
            balance_kind=kind,
            money_change=movement.amount,
        )
