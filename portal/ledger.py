"""The member's view of their money balance ledger.

A ledger row's `reason` is written for staff (the back office's "internal note" of a
manual adjustment, a refund's reason, service notes) and is never shown to members:
each movement is described here from its kind, its sign and the documents it links.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from billing.models import BalanceTransaction
from invoices.models import CreditNote, Invoice
from portal.selectors import member_balance_transactions

Kind = BalanceTransaction.Kind


@dataclass(frozen=True)
class LedgerRow:
    created_at: datetime
    description: str
    amount: Decimal  # signed, major units of `currency`
    currency: str
    balance_after: Decimal


def movement_description(
    txn: BalanceTransaction, invoice_numbers: dict[str, str], credit_note_numbers: dict[str, str]
) -> str:
    """What a member reads for one movement of their balance (never the staff note)."""
    invoice_number = invoice_numbers.get(txn.invoice_id)
    invoice = f"invoice {invoice_number}" if invoice_number else "an invoice"
    credit_note_number = credit_note_numbers.get(txn.credit_note_id)
    credit_note = f"credit note {credit_note_number}" if credit_note_number else "a credit note"
    adds = txn.amount > 0
    match txn.kind:
        case Kind.ADJUSTMENT:
            return "Credit added" if adds else "Credit deducted"
        case Kind.OVERPAYMENT:
            return f"Overpayment of {invoice} moved to your balance"
        case Kind.CREDIT_NOTE:
            if adds:
                return f"Credit from {credit_note}"
            return f"Credit from {credit_note} corrected"
        case Kind.INVOICE_APPLICATION:
            return f"Used to pay {invoice}" if not adds else f"Returned from {invoice}"
        case Kind.APPLICATION_REVERSAL:
            if adds:
                return f"Returned from {invoice}"
            return f"Credit from {credit_note} withdrawn"
        case Kind.REFUND:
            if txn.invoice_id:
                return f"Refund of a payment on {invoice}"
            return "Refund of a payment"
    return txn.get_kind_display()


def member_ledger(user) -> list[LedgerRow]:
    """The member's balance movements, newest first, each with a member-facing description."""
    transactions = list(member_balance_transactions(user))
    invoice_ids = {txn.invoice_id for txn in transactions if txn.invoice_id}
    credit_note_ids = {txn.credit_note_id for txn in transactions if txn.credit_note_id}
    invoice_numbers = dict(
        Invoice.objects.filter(pk__in=invoice_ids, customer__user=user).values_list("pk", "number")
    )
    credit_note_numbers = dict(
        CreditNote.objects.filter(pk__in=credit_note_ids, customer__user=user).values_list(
            "pk", "number"
        )
    )
    return [
        LedgerRow(
            created_at=txn.created_at,
            description=movement_description(txn, invoice_numbers, credit_note_numbers),
            amount=txn.amount,
            currency=txn.currency,
            balance_after=txn.balance_after,
        )
        for txn in transactions
    ]
