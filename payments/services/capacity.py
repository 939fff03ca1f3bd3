"""What a payment may take from its documents: the one description of each type's caps.

Checked under the documents' locks, against their fresh totals, when a payment is
recorded (its whole amount) and when its amount changes or it is deleted (the
difference), so a payment can never be grown past what it could have been recorded for.
"""

from decimal import Decimal

from billing.errors import CurrencyMismatch
from payments.models import APPLICATION_TYPES, EXTERNAL_TYPES, PaymentType
from payments.services.documents import (
    LockedDocuments,
    advance_unreserved,
    require_open_credit_note,
    require_payable,
    require_representable,
    require_within,
)
from payments.services.holds import require_room_beside_charges_in_flight


def require_capacity(
    *,
    payment_type: str,
    docs: LockedDocuments,
    change: Decimal,
    recording: bool = False,
    may_overpay: bool = False,
) -> None:
    """Refuse to move a payment of `payment_type` on the locked `docs` by `change`.

    More money (`change` > 0) must fit, in this order: every total paid below 10^13;
    beside the card charges in flight (external money); the credit note's remaining
    amount; the invoice's amount due (applications, unless `may_overpay`: credit standing
    in for money refunded from the invoice); the advance's unapplied payments; the
    customer's balance (using it).
    Less money cannot take back what was passed on: money paid into an advance that is
    applied elsewhere, or credit put on the balance that was spent.
    `recording` adds what a new payment needs besides room (a recorded one had it):
    payable documents, an open credit note, a balance in the same currency.
    Errors: LimitExceeded, InvalidAmount, InvalidState, CurrencyMismatch.
    """
    if change > 0:
        _require_room(payment_type, docs, change, recording=recording, may_overpay=may_overpay)
    else:
        _require_nothing_passed_on(payment_type, docs, -change)


def _require_room(
    payment_type: str, docs: LockedDocuments, more: Decimal, *, recording: bool, may_overpay: bool
) -> None:
    invoice, advance, credit_note = docs.invoice, docs.advance_invoice, docs.credit_note
    currency = docs.primary.currency
    for document, param in ((invoice, "invoice_id"), (advance, "advance_invoice_id")):
        if document is not None:
            if recording:
                require_payable(document, param)
            require_representable(document.total_paid + more)
    if payment_type in EXTERNAL_TYPES and (invoice or advance) is not None:
        require_room_beside_charges_in_flight(invoice or advance, more)
    if credit_note is not None:
        if recording:
            require_open_credit_note(credit_note)
        require_within(
            more,
            credit_note.total_remaining,
            "the credit note's remaining amount",
            currency,
            code="amount_exceeds_credit_note",
        )
    if payment_type in APPLICATION_TYPES and invoice is not None and not may_overpay:
        require_within(
            more,
            invoice.total_payable,
            "the invoice's amount due",
            currency,
            code="amount_exceeds_due",
        )
    if payment_type == PaymentType.ADVANCE:
        require_within(
            more,
            advance_unreserved(advance),
            "the advance's unapplied payments",
            currency,
            code="amount_exceeds_advance",
        )
    if payment_type == PaymentType.CUSTOMER_BALANCE:
        if recording:
            require_balance_currency(docs)
        if invoice is not None:
            require_within(
                more,
                docs.customer.balance,
                "the customer's money balance",
                currency,
                code="insufficient_balance",
            )


def _require_nothing_passed_on(payment_type: str, docs: LockedDocuments, less: Decimal) -> None:
    currency = docs.primary.currency
    if docs.advance_invoice is not None and payment_type != PaymentType.ADVANCE:
        require_within(
            less,
            advance_unreserved(docs.advance_invoice),
            "the advance's unapplied payments",
            currency,
            code="advance_already_applied",
        )
    if payment_type == PaymentType.CUSTOMER_BALANCE and docs.invoice is None:
        require_within(
            less,
            docs.customer.balance,
            "the customer's money balance",
            currency,
            code="insufficient_balance",
        )


def require_balance_currency(docs: LockedDocuments) -> None:
    """The balance moves in the customer's currency: using it or crediting it must not mix."""
    currency = docs.primary.currency
    if docs.customer.currency != currency:
        raise CurrencyMismatch(
            f"The customer's balance is in {docs.customer.currency}, the "
            f"{'invoice' if docs.invoice is not None else 'credit note'} in {currency}.",
            param="invoice_id" if docs.invoice is not None else "credit_note_id",
        )
