"""A customer's statement of account over a period: an opening balance, every movement in date
order with a running balance, and a closing balance.

What "balance" means here: what the customer owes us, an accounts-receivable view netted
against every credit they hold. Positive: they owe; negative: we owe them. From the stored
figures (`stored_position`), in one currency:

    balance = Σ total_due of their issued invoices (issued, partially paid, paid, written off;
              an overpaid one counts negative)
            − Σ (total_paid − total_applied) of their issued advance invoices (money paid in
              that no final invoice has used yet)
            − Σ total_remaining of their issued credit notes (credit not yet used)
            − their money balance (in the customer's currency only)

A movement changes that balance only when something passes between the customer and us:
an invoice issued (+ its total) or voided (− its total), a credit note issued (−), money
received on an invoice or an advance (−), money paid back to them (+: a refund to the card
or outside the app, a credit note's credit paid out), a manual adjustment of the money balance
(− what it adds). Everything else moves credit they already hold onto what they owe, so it
is listed with its amount but leaves the balance as it was: a credit note or an advance
applied to an invoice, the money balance used on an invoice, a credit note or an overpayment
moved into the money balance, an application reversed. The money balance's own ledger runs
beside, each of its movements with the money balance after it.

Advance invoices are requests: issuing one is listed but owes nothing until it is paid (the
final invoice is what is owed). A written-off invoice is still owed. The statement is drawn
from the rows as they stand: a deleted payment is left out, an amended one shows its current
amount and date. Movements on the same day keep the order they happened in.

Closing balance of a statement to today (with nothing dated later) equals the stored
balance; in general it equals the stored balance less the movements dated after the period,
which is what `CustomerStatement.reconciliation` checks.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import BalanceTransaction, Customer
from billing.money import ZERO, MoneySum
from invoices.models import (
    OPEN_STATUSES,
    CreditNote,
    CreditNoteStatus,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
)
from payments.documents.content import PAYMENT_TYPE_LABELS
from payments.explain import Figure
from payments.models import (
    EXTERNAL_TYPES,
    Payment,
    PaymentStatus,
    PaymentType,
    Refund,
    RefundDestination,
    RefundStatus,
)


class RowKind:
    INVOICE = "invoice"
    INVOICE_VOIDED = "invoice_voided"
    ADVANCE_INVOICE = "advance_invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    REFUND = "refund"
    CREDIT_PAID_OUT = "credit_paid_out"
    PAYOUT_RETURNED = "payout_returned"
    CREDIT_APPLIED = "credit_applied"
    ADVANCE_APPLIED = "advance_applied"
    APPLICATION_REVERSED = "application_reversed"
    BALANCE = "balance"  # a movement of the money balance; `balance_kind` says which


CREDIT_TAKEN_BACK = "credit_taken_back"
# Within one instant (a document and what its issue did at once): documents first.
ORDER = {
    RowKind.INVOICE: 0,
    RowKind.ADVANCE_INVOICE: 0,
    RowKind.CREDIT_NOTE: 0,
    RowKind.INVOICE_VOIDED: 1,
    RowKind.PAYMENT: 2,
    RowKind.CREDIT_PAID_OUT: 2,
    RowKind.CREDIT_APPLIED: 2,
    RowKind.ADVANCE_APPLIED: 2,
    RowKind.REFUND: 3,
    RowKind.PAYOUT_RETURNED: 3,
    RowKind.APPLICATION_REVERSED: 3,
    RowKind.BALANCE: 4,
}
# What each row says, in the language active where it is shown (a PDF: the customer's).
DESCRIPTIONS = {
    RowKind.INVOICE: _("Invoice %(number)s"),
    RowKind.INVOICE_VOIDED: _("Invoice %(number)s voided"),
    RowKind.ADVANCE_INVOICE: _("Advance invoice %(number)s (owed once paid)"),
    RowKind.CREDIT_NOTE: _("Credit note %(number)s"),
    RowKind.PAYMENT: _("Payment for %(number)s"),
    RowKind.REFUND: _("Refund of a payment for %(number)s"),
    RowKind.CREDIT_PAID_OUT: _("Credit of %(number)s paid out"),
    RowKind.PAYOUT_RETURNED: _("Payout of %(number)s returned"),
    RowKind.CREDIT_APPLIED: _("Credit note %(other)s applied to %(number)s"),
    RowKind.ADVANCE_APPLIED: _("Advance %(other)s applied to %(number)s"),
    RowKind.APPLICATION_REVERSED: _("%(other)s taken back from %(number)s"),
}
BALANCE_DESCRIPTIONS = {
    BalanceTransaction.Kind.ADJUSTMENT: _("Money balance adjusted"),
    BalanceTransaction.Kind.OVERPAYMENT: _("Overpayment of %(number)s moved to the money balance"),
    BalanceTransaction.Kind.CREDIT_NOTE: _("Credit note %(number)s credited to the money balance"),
    BalanceTransaction.Kind.INVOICE_APPLICATION: _("Money balance used on %(number)s"),
    BalanceTransaction.Kind.APPLICATION_REVERSAL: _("Money balance use on %(number)s reversed"),
    BalanceTransaction.Kind.REFUND: _("Payment for %(number)s refunded to the money balance"),
    # An application reversal with no invoice takes a credit note's credit back out.
    CREDIT_TAKEN_BACK: _("Credit of %(number)s taken back from the money balance"),
}


@dataclass(frozen=True)
class Movement:
    """One movement, before the running balances are known."""

    date: date
    at: datetime  # when it happened, to order the movements of one day
    kind: str
    source_id: str  # the row it is read from: inv_…, cn_…, pmt_…, re_…, cbt_…
    amount: Decimal  # its own amount, positive
    effect: Decimal  # its signed change of the balance (0: credit moved, not gained)
    number: str = ""  # the document it concerns
    other: str = ""  # the document it came from (a credit note, an advance)
    method: str = ""  # how money moved: a payment type
    reference: str = ""
    balance_kind: str = ""
    money_change: Decimal | None = None  # the money balance's change, where it moved


@dataclass(frozen=True)
class StatementRow:
    movement: Movement
    balance: Decimal  # the balance after it
    money_balance: Decimal | None  # the money balance after it, where it moved

    def __getattr__(self, name):
        return getattr(self.movement, name)

    @property
    def debit(self) -> Decimal | None:
        """What it adds to what the customer owes."""
        return self.movement.effect if self.movement.effect > 0 else None

    @property
    def credit(self) -> Decimal | None:
        """What it takes off what the customer owes."""
        return -self.movement.effect if self.movement.effect < 0 else None

    @property
    def description(self) -> str:
        return describe(self.movement)


def describe(movement: Movement) -> str:
    """The row's text in the active language: never an internal note or reason."""
    names = {"number": movement.number or "—", "other": movement.other or "—"}
    if movement.kind == RowKind.BALANCE:
        text = str(BALANCE_DESCRIPTIONS[movement.balance_kind]) % names
    else:
        text = str(DESCRIPTIONS[movement.kind]) % names
    details = []
    if movement.method:
        details.append(str(PAYMENT_TYPE_LABELS.get(movement.method, movement.method)))
    if movement.reference:
        details.append(movement.reference)
    return " · ".join([text, *details])


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
    movements = sorted(
        statement_movements(customer, currency),
        key=lambda m: (m.date, m.at, ORDER[m.kind], m.source_id),
    )
    balance = money = ZERO
    rows, later = [], ZERO
    opening, opening_money = ZERO, ZERO
    for movement in movements:
        if movement.date < start:
            opening += movement.effect
            opening_money += movement.money_change or ZERO
        elif movement.date > end:
            later += movement.effect
    balance, money = opening, opening_money
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
        position=stored_position(customer, currency),
        currencies=statement_currencies(customer),
    )


def stored_position(customer: Customer, currency: str) -> StoredPosition:
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
