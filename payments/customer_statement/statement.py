"""The statement over a period, and the balance from the stored figures it is checked with."""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F

from billing.models import Customer
from billing.money import ZERO, MoneySum
from invoices.models import OPEN_STATUSES, CreditNote, CreditNoteStatus, Invoice, InvoiceKind
from payments.customer_statement.movements import statement_movements
from payments.customer_statement.rows import ORDER, StatementRow
from payments.explain import Figure


@dataclass(frozen=True)
class StoredPosition:
    """The balance from the figures stored on the documents and the customer (see above)."""

    invoices_due: Decimal
    advances_unapplied: Decimal
    credit_notes_remaining: Decimal
    money_balance: Decimal

    @property
    def balance(self) -> Decimal:
        return (
            self.invoices_due
            - self.advances_unapplied
            - self.credit_notes_remaining
            - self.money_balance
        )


@dataclass(frozen=True)
class CustomerStatement:
    customer: Customer
    currency: str
    start: date
    end: date
    opening_balance: Decimal
    opening_money_balance: Decimal
    rows: list[StatementRow]
    later_effect: Decimal  # Σ effects of the movements dated after `end`
    position: StoredPosition
    currencies: list[str] = field(default_factory=list)

    @property
    def closing_balance(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening_balance

    @property
    def closing_money_balance(self) -> Decimal:
        moved = [row.money_balance for row in self.rows if row.money_balance is not None]
        return moved[-1] if moved else self.opening_money_balance

    @property
    def total_debits(self) -> Decimal:
        return sum((row.debit or ZERO for row in self.rows), ZERO)

    @property
    def total_credits(self) -> Decimal:
        return sum((row.credit or ZERO for row in self.rows), ZERO)

    @property
    def reconciliation(self) -> Figure:
        """The closing balance beside the stored balance less what was dated after the period:
        equal unless a stored figure drifted from its rows."""
        return Figure(
            "closing_balance", self.closing_balance, self.position.balance - self.later_effect
        )


def statement_currencies(customer: Customer) -> list[str]:
    """The customer's currency first, then any other its issued documents are in."""
    found = {customer.currency}
    found.update(
        Invoice.objects.filter(customer=customer, issued_at__isnull=False)
        .values_list("currency", flat=True)
        .distinct()
    )
    found.update(
        CreditNote.objects.filter(customer=customer).values_list("currency", flat=True).distinct()
    )
    return [customer.currency, *sorted(found - {customer.currency})]


def customer_statement(
    customer: Customer, start: date, end: date, currency: str | None = None
) -> CustomerStatement:
    """The statement of `customer` from `start` to `end` (both included), in `currency`
    (default: the customer's). The caller has checked who may see it."""
    currency = currency or customer.currency
    with one_snapshot():
        movements = sorted(
            statement_movements(customer, currency),
            key=lambda m: (m.date, m.at, ORDER[m.kind], m.source_id),
        )
        position = stored_position(customer, currency)
        currencies = statement_currencies(customer)
    opening = opening_money = later = ZERO
    for movement in movements:
        if movement.date < start:
            opening += movement.effect
            opening_money += movement.money_change or ZERO
        elif movement.date > end:
            later += movement.effect
    rows, balance, money = [], opening, opening_money
    for movement in movements:
        if not start <= movement.date <= end:
            continue
        balance += movement.effect
        if movement.money_change is not None:
            money += movement.money_change
        moved = movement.money_change is not None
        rows.append(StatementRow(movement, balance, money if moved else None))
    return CustomerStatement(
        customer=customer,
        currency=currency,
        start=start,
        end=end,
        opening_balance=opening,
        opening_money_balance=opening_money,
        rows=rows,
        later_effect=later,
        position=position,
        currencies=currencies,
    )


@contextmanager
def one_snapshot():
    """Read the rows and the stored figures from one snapshot of PostgreSQL (a read-only,
    repeatable-read transaction), so that a payment recorded meanwhile cannot show as a drift.
    Inside a caller's transaction, the caller's. Not on SQLite, whose transactions begin
    IMMEDIATE (a write lock): there a write landing between the reads may show, once."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def stored_position(customer: Customer, currency: str) -> StoredPosition:
    """The balance's parts as the documents and the customer store them."""
    issued = Invoice.objects.filter(customer=customer, currency=currency, status__in=OPEN_STATUSES)
    due = issued.filter(kind=InvoiceKind.INVOICE).aggregate(s=MoneySum("total_due"))["s"]
    unapplied = issued.filter(kind=InvoiceKind.ADVANCE).aggregate(
        s=MoneySum(F("total_paid") - F("total_applied"))
    )["s"]
    remaining = CreditNote.objects.filter(
        customer=customer, currency=currency, status=CreditNoteStatus.ISSUED
    ).aggregate(s=MoneySum("total_remaining"))["s"]
    # Read afresh: the caller's customer may predate the movements.
    stored = Customer.objects.filter(pk=customer.pk).values_list("balance", flat=True)
    money = stored.get() if currency == customer.currency else ZERO
    return StoredPosition(due, unapplied, remaining, money)
