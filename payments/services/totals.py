"""The one recompute of every cached total, from rows. Idempotent: run it as often as you like.

Callers hold the row locks of the documents (the services lock them first;
the signal receivers lock them when called outside a service).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F

from billing.locking import lock_rows, money_transaction
from billing.money import ZERO, MoneySum, money_from_sum
from invoices.models import CreditNote, Invoice
from invoices.settlement import credit_note_apply_settlement, invoice_apply_settlement
from payments.models import (
    RESERVING_STATUSES,
    Payment,
    PaymentStatus,
    PaymentType,
    Refund,
    RefundStatus,
)
from payments.services.holds import release_charges_beyond_due

_NET = F("amount") - F("amount_refunded")


def settled_payments():
    """Payments whose money counts: succeeded and not deleted."""
    return Payment.objects.filter(status=PaymentStatus.SUCCEEDED, is_deleted=False)


@dataclass(frozen=True)
class InvoiceFigures:
    total_paid: Decimal
    total_credited: Decimal
    total_applied: Decimal
    total_reserved: Decimal


def invoice_figures(invoice: Invoice) -> InvoiceFigures:
    """What an invoice's totals should be, from its payment rows (one aggregate query).

    An advance's applications (type advance) are what it settled elsewhere, not
    money paid on it; an invoice's credit note payments are credit, not cash.
    """
    if invoice.is_advance:
        sums = _document_sums("advance_invoice_id", invoice.pk, PaymentType.ADVANCE)
        return InvoiceFigures(sums.net - sums.of_type, ZERO, sums.of_type, sums.reserved)
    sums = _document_sums("invoice_id", invoice.pk, PaymentType.CREDIT_NOTE)
    return InvoiceFigures(sums.net, sums.of_type, ZERO, sums.reserved)


@dataclass(frozen=True)
class _Sums:
    net: Decimal  # Σ net of the settled payments
    of_type: Decimal  # the part of `net` of one payment type
    reserved: Decimal  # Σ charges in flight or awaiting authentication


def _document_sums(column: str, document_id: str, type_: str) -> _Sums:
    """The sums of a document's payment rows that its totals are made of.

    The same as `settled_payments()` aggregated with MoneySum, written out: this runs
    on every payment, and compiling the ORM aggregate cost five times the query.
    """
    net = "amount - amount_refunded"
    settled = "status = %s"
    sql = (
        f"SELECT SUM(CASE WHEN {settled} THEN {net} END), "
        f"SUM(CASE WHEN {settled} AND type = %s THEN {net} END), "
        "SUM(CASE WHEN status IN (%s, %s) THEN amount END) "
        f"FROM {Payment._meta.db_table} "
        f"WHERE {column} = %s AND status IN (%s, %s, %s) AND NOT is_deleted"
    )
    succeeded, reserving = PaymentStatus.SUCCEEDED, list(RESERVING_STATUSES)
    params = [succeeded, succeeded, type_, *reserving, document_id, succeeded, *reserving]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        total, of_type, reserved = cursor.fetchone()
    return _Sums(money_from_sum(total), money_from_sum(of_type), money_from_sum(reserved))


def invoice_recompute(invoice: Invoice) -> bool:
    """Rebuild a locked invoice's totals; charges it can no longer hold are let go."""
    figures = invoice_figures(invoice)
    changed = invoice_apply_settlement(
        invoice=invoice,
        total_paid=figures.total_paid,
        total_credited=figures.total_credited,
        total_applied=figures.total_applied,
        total_reserved=figures.total_reserved,
    )
    release_charges_beyond_due(invoice)
    return changed


def credit_note_figure(credit_note: CreditNote) -> Decimal:
    return (
        settled_payments()
        .filter(credit_note_id=credit_note.pk)
        .aggregate(applied=MoneySum(_NET))["applied"]
    )


def credit_note_recompute(credit_note: CreditNote) -> bool:
    return credit_note_apply_settlement(
        credit_note=credit_note, total_applied=credit_note_figure(credit_note)
    )


def payment_refunded_figure(payment: Payment) -> Decimal:
    return Refund.objects.filter(payment_id=payment.pk, status=RefundStatus.SUCCEEDED).aggregate(
        s=MoneySum("amount")
    )["s"]


def payment_recompute_refunds(payment: Payment) -> bool:
    """Refresh `amount_refunded` of a locked payment; its save recomputes its documents."""
    refunded = payment_refunded_figure(payment)
    if payment.amount_refunded == refunded:
        return False
    payment.amount_refunded = refunded
    payment.save(update_fields=["amount_refunded", "updated_at"])
    return True


def payment_refunds_recompute(payment_id: str) -> bool:
    """Lock a payment's documents, then the payment (global order), and refresh its refunds."""
    with money_transaction():
        payment = Payment.objects.get(pk=payment_id)
        *_, payments = lock_rows(
            (Invoice, [payment.invoice_id]),
            (Invoice, [payment.advance_invoice_id]),
            (CreditNote, [payment.credit_note_id]),
            (Payment, [payment.pk]),
        )
        return payment_recompute_refunds(payments[payment.pk])


def payment_documents_recompute(payment: Payment) -> None:
    """Recompute every document a payment touches, under their row locks (global order).

    Inside a service's transaction no savepoint is needed: a failure here aborts
    the whole operation anyway.
    """
    with money_transaction(savepoint=False):
        documents = _held_documents(payment)
        if documents is None:
            invoices, advances, credit_notes = lock_rows(
                (Invoice, [payment.invoice_id]),
                (Invoice, [payment.advance_invoice_id]),
                (CreditNote, [payment.credit_note_id]),
            )
            documents = (*invoices.values(), *advances.values(), *credit_notes.values())
        for document in documents:
            if isinstance(document, CreditNote):
                credit_note_recompute(document)
            else:
                invoice_recompute(document)


def save_with_held_locks(payment: Payment, documents: tuple) -> None:
    """Save a payment whose documents this transaction holds locked, fresh from `lock_rows`.

    Its receiver then recomputes those rows instead of locking and reading them again.
    """
    payment._held_documents = documents
    try:
        payment.save()
    finally:
        del payment._held_documents


def _held_documents(payment: Payment) -> tuple | None:
    documents = tuple(d for d in getattr(payment, "_held_documents", ()) if d is not None)
    wanted = {payment.invoice_id, payment.advance_invoice_id, payment.credit_note_id} - {None}
    if not documents or {d.pk for d in documents} != wanted:
        return None
    return documents
