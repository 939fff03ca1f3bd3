"""Finding (and repairing) drift between cached totals and the rows they summarise."""

from dataclasses import dataclass
from decimal import Decimal

from billing.locking import lock_rows, money_transaction
from billing.models import BalanceTransaction, Customer
from billing.money import ZERO
from billing.services import balance_sum
from invoices.models import CreditNote, Invoice
from payments.models import Payment
from payments.services.documents import lock_payment
from payments.services.totals import (
    credit_note_figure,
    credit_note_recompute,
    invoice_figures,
    invoice_recompute,
    payment_refunded_figure,
    payment_refunds_recompute,
)


@dataclass(frozen=True)
class Drift:
    kind: str
    object_id: str
    field: str
    stored: Decimal
    expected: Decimal

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.object_id}: {self.field} is {self.stored}, rows say {self.expected}"
        )


def find_drift() -> list[Drift]:
    """Compare every cached total with its recomputation. Reads only."""
    drifts: list[Drift] = []
    for payment in Payment.objects.only("id", "amount_refunded").iterator():
        expected = payment_refunded_figure(payment)
        if payment.amount_refunded != expected:
            drifts.append(
                Drift("payment", payment.pk, "amount_refunded", payment.amount_refunded, expected)
            )
    for invoice in Invoice.objects.iterator():
        figures = invoice_figures(invoice)
        for field in ("total_paid", "total_credited", "total_applied", "total_reserved"):
            if getattr(invoice, field) != getattr(figures, field):
                drifts.append(
                    Drift(
                        invoice.kind,
                        invoice.pk,
                        field,
                        getattr(invoice, field),
                        getattr(figures, field),
                    )
                )
        expected_due = ZERO if invoice.status == "void" else invoice.total - invoice.total_paid
        if invoice.total_due != expected_due:
            drifts.append(
                Drift(invoice.kind, invoice.pk, "total_due", invoice.total_due, expected_due)
            )
    for credit_note in CreditNote.objects.iterator():
        expected = credit_note_figure(credit_note)
        if credit_note.total_applied != expected:
            drifts.append(
                Drift(
                    "credit_note",
                    credit_note.pk,
                    "total_applied",
                    credit_note.total_applied,
                    expected,
                )
            )
        if credit_note.total_remaining != credit_note.total - credit_note.total_applied:
            drifts.append(
                Drift(
                    "credit_note",
                    credit_note.pk,
                    "total_remaining",
                    credit_note.total_remaining,
                    credit_note.total - credit_note.total_applied,
                )
            )
    for customer in Customer.objects.iterator():
        expected = balance_sum(customer.pk)
        if customer.balance != expected:
            drifts.append(Drift("customer", customer.pk, "balance", customer.balance, expected))
        last = (
            BalanceTransaction.objects.filter(customer=customer)
            .order_by("-created_at", "-id")
            .first()
        )
        if last is not None and last.balance_after != expected:
            drifts.append(
                Drift("customer", customer.pk, "ledger balance_after", last.balance_after, expected)
            )
    return drifts


def fix_drift(drifts: list[Drift]) -> None:
    """Recompute each drifting object under its lock (the same recompute the services use)."""
    for drift in drifts:
        with money_transaction():
            if drift.kind == "payment":
                # The documents' totals are made of the payment's net amount: they follow.
                docs, payment = lock_payment(Payment.objects.get(pk=drift.object_id))
                payment_refunds_recompute(payment, docs)
            elif drift.kind in ("invoice", "advance"):
                invoice_recompute(lock_rows((Invoice, [drift.object_id]))[0][drift.object_id])
            elif drift.kind == "credit_note":
                credit_note_recompute(
                    lock_rows((CreditNote, [drift.object_id]))[0][drift.object_id]
                )
            elif drift.kind == "customer" and drift.field == "balance":
                customer = lock_rows((Customer, [drift.object_id]))[0][drift.object_id]
                customer.balance = balance_sum(customer.pk)
                customer.save(update_fields=["balance", "updated_at"])
