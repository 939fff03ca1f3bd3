"""The one recompute of every cached total, from rows. Idempotent: run it as often as you like.

Callers hold the row locks of what they recompute, freshly read: the services lock
them first and hand them over with the domain signals (`payments.signals`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F

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
from payments.services.documents import LockedDocuments
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
    """Refresh `amount_refunded` of a locked payment from its succeeded refunds."""
    refunded = payment_refunded_figure(payment)
    if payment.amount_refunded == refunded:
        return False
    payment.amount_refunded = refunded
    payment.save(update_fields=["amount_refunded", "updated_at"])
    return True


def payment_refunds_recompute(payment: Payment, documents: LockedDocuments) -> None:
    """A locked payment's refunds moved: its `amount_refunded`, then (if that moved) the
    documents it settles, which the caller holds locked in `documents`."""
    if payment_recompute_refunds(payment):
        payment_documents_recompute(payment, documents)


def payment_documents_recompute(payment: Payment, documents: LockedDocuments) -> None:
    """Recompute every document a payment touches: the fresh rows the caller holds locked."""
    for document in _held_documents(payment, documents):
        if isinstance(document, CreditNote):
            credit_note_recompute(document)
        else:
            invoice_recompute(document)


def _held_documents(payment: Payment, documents: LockedDocuments) -> tuple:
    """The payment's documents among the held rows: all of them, or the caller is wrong."""
    held = tuple(
        document
        for document in (documents.invoice, documents.advance_invoice, documents.credit_note)
        if document is not None
    )
    wanted = {payment.invoice_id, payment.advance_invoice_id, payment.credit_note_id} - {None}
    if {document.pk for document in held} != wanted:
        raise RuntimeError(f"{payment.pk}: its documents must be held locked to recompute them")
    return held
