""" "Explain this figure": the rows an invoice's paid, credited and due amounts are made of,
an advance invoice's paid, applied and remaining amounts, and a customer's money balance.

Every cached total is a sum of rows (`payments.services.totals`). This lists those rows in
order with a running sum that ends at the figure they make, beside the figure stored on the
invoice: if the two differ, the stored one drifted, and by how much is said.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from billing.models import BalanceTransaction, Customer
from billing.money import ZERO, MoneySum
from invoices.models import Invoice
from payments.models import TYPE_KINDS, Payment, PaymentStatus, PaymentType


@dataclass(frozen=True)
class ExplainedRow:
    payment: Payment
    kind: str
    net: Decimal  # the amount, less what was refunded of it
    running_paid: Decimal
    running_credited: Decimal


@dataclass(frozen=True)
class Figure:
    name: str
    computed: Decimal
    stored: Decimal

    @property
    def matches(self) -> bool:
        return self.computed == self.stored

    @property
    def drift(self) -> Decimal:
        return self.stored - self.computed


def invoice_explanation(invoice: Invoice) -> tuple[list[ExplainedRow], list[Figure]]:
    """The settled payments of a (final) invoice with running sums, and its three figures
    recomputed from them beside the stored ones."""
    payments = (
        Payment.objects.filter(
            invoice_id=invoice.pk, status=PaymentStatus.SUCCEEDED, is_deleted=False
        )
        .select_related("credit_note", "advance_invoice")
        .order_by("date", "created_at", "id")
    )
    rows, paid, credited = [], ZERO, ZERO
    for payment in payments:
        net = payment.amount - payment.amount_refunded
        paid += net
        if payment.type == PaymentType.CREDIT_NOTE:
            credited += net
        rows.append(ExplainedRow(payment, TYPE_KINDS[payment.type], net, paid, credited))
    figures = [
        Figure("total_paid", paid, invoice.total_paid),
        Figure("total_credited", credited, invoice.total_credited),
        Figure("total_due", invoice.total - paid, invoice.total_due),
    ]
    return rows, figures


@dataclass(frozen=True)
class AdvanceRow:
    """A payment into an advance invoice (`into`), or an application of it to a final invoice."""

    payment: Payment
    into: bool
    net: Decimal  # the amount, less what was refunded of it
    running_paid: Decimal
    running_applied: Decimal

    @property
    def running_remaining(self) -> Decimal:
        return self.running_paid - self.running_applied


def advance_explanation(advance: Invoice) -> tuple[list[AdvanceRow], list[Figure]]:
    """An advance invoice's settled rows, oldest first: money paid into it and its applications
    to final invoices, with running sums; its figures recomputed beside the stored ones.

    `remaining` is what can still be applied: paid in, less applied out.
    """
    payments = (
        Payment.objects.filter(
            advance_invoice_id=advance.pk, status=PaymentStatus.SUCCEEDED, is_deleted=False
        )
        .select_related("invoice")
        .order_by("date", "created_at", "id")
    )
    rows, paid, applied = [], ZERO, ZERO
    for payment in payments:
        net = payment.amount - payment.amount_refunded
        into = payment.type != PaymentType.ADVANCE
        if into:
            paid += net
        else:
            applied += net
        rows.append(AdvanceRow(payment, into, net, paid, applied))
    figures = [
        Figure("total_paid", paid, advance.total_paid),
        Figure("total_applied", applied, advance.total_applied),
        Figure("remaining", paid - applied, advance.total_paid - advance.total_applied),
        Figure("total_due", advance.total - paid, advance.total_due),
    ]
    return rows, figures


def balance_explanation(customer: Customer) -> tuple[list[tuple], Figure]:
    """The customer's balance ledger, oldest first, each movement with the running balance,
    and the balance recomputed from it beside the stored one."""
    rows, balance = [], ZERO
    ledger = BalanceTransaction.objects.filter(customer=customer).order_by("created_at", "id")
    for movement in ledger:
        balance += movement.amount
        rows.append((movement, balance))
    return rows, Figure("balance", balance, customer.balance)


@dataclass(frozen=True)
class BalanceTail:
    """The newest movements of a long ledger, the older ones brought forward as one sum."""

    earlier: int  # how many older movements are summed in `brought_forward`
    brought_forward: Decimal
    rows: list[tuple]  # (movement, running balance), oldest of the newest first
    figure: Figure


def balance_explanation_tail(customer: Customer, newest: int) -> BalanceTail:
    """`balance_explanation` for a page: the newest `newest` movements with their running
    balance, which starts from the sum of the older ones (one aggregate, not every row)."""
    ledger = BalanceTransaction.objects.filter(customer=customer)
    shown = list(ledger.order_by("-created_at", "-id")[:newest])[::-1]
    older = ledger.exclude(pk__in=[movement.pk for movement in shown])
    totals = older.aggregate(count=Count("id"), sum=MoneySum("amount"))
    rows, balance = [], totals["sum"]
    for movement in shown:
        balance += movement.amount
        rows.append((movement, balance))
    return BalanceTail(
        totals["count"], totals["sum"], rows, Figure("balance", balance, customer.balance)
    )
