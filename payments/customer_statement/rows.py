"""A statement's rows: what kinds there are, what each says, and its running balances."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from billing.models import BalanceTransaction
from payments.documents.content import PAYMENT_TYPE_LABELS


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
        # The movement's fields read as the row's (`row.date`, `row.kind`…).
        if name == "movement":
            raise AttributeError(name)
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
