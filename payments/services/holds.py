"""Card charges held against an invoice's amount due, and what becomes of them when the
invoice is settled another way.

A charge that is `pending` (its gateway call is in flight) or `requires_action`
(waiting for the card holder's 3-D Secure) holds its amount: the invoice's
`total_reserved`, which nothing else may charge or apply. Money that arrives another
way (an external payment, a charge made in the gateway's dashboard, a larger amount)
can still leave the held charges without room:

- a charge waiting for authentication that no longer fits is canceled at the gateway
  (as Stripe does for an invoice paid out of band) and can no longer be confirmed;
- a charge in flight cannot be stopped, so an external payment that would overlap it
  is refused until the gateway has answered.
"""

from decimal import Decimal

from billing.errors import InvalidState
from billing.formats import format_money
from billing.money import ZERO
from invoices.models import Invoice
from payments.models import RESERVING_STATUSES, Payment, PaymentStatus, PaymentType
from payments.queue import CANCEL_UNNEEDED_CHARGE, enqueue_with_transaction


def _held_charges(invoice: Invoice) -> list[Payment]:
    field = "advance_invoice_id" if invoice.is_advance else "invoice_id"
    return list(
        Payment.objects.filter(
            **{field: invoice.pk}, status__in=RESERVING_STATUSES, is_deleted=False
        ).exclude(type=PaymentType.ADVANCE)
    )


def charges_beyond_due(invoice: Invoice) -> list[Payment]:
    """The charges waiting for authentication that what is due on a locked invoice can no
    longer hold.

    Charges in flight take the room first (nothing can stop them), then the waiting
    ones, oldest first; a waiting charge that does not fit in what is left is beyond.
    """
    if invoice.total_reserved <= max(invoice.total_due, ZERO):
        return []
    room = max(invoice.total_due, ZERO)
    beyond = []
    in_order = sorted(
        _held_charges(invoice),
        key=lambda p: (p.status != PaymentStatus.PENDING, p.created_at, p.pk),
    )
    for charge in in_order:
        if charge.amount <= room or charge.status == PaymentStatus.PENDING:
            room -= charge.amount
        else:
            beyond.append(charge)
    return beyond


def charges_in_flight(invoice: Invoice) -> Decimal:
    return sum(
        (p.amount for p in _held_charges(invoice) if p.status == PaymentStatus.PENDING), ZERO
    )


def require_room_beside_charges_in_flight(
    invoice: Invoice, amount: Decimal, param: str = "amount"
) -> None:
    """Money recorded another way may not overlap a charge the gateway is processing now.

    It may exceed what is due (the money arrived: the invoice shows as overpaid), and it
    may take the place of a charge still waiting for authentication (which is then
    canceled), but not of one that may be charged at any moment.
    """
    if amount <= invoice.total_payable:
        return
    in_flight = charges_in_flight(invoice)
    room = invoice.total_due - in_flight
    if in_flight and amount > room:
        currency = invoice.currency
        raise InvalidState(
            f"A card charge of {format_money(in_flight, currency)} is being processed on this "
            f"invoice: record at most {format_money(max(room, ZERO), currency)} now, or wait a "
            "few minutes for its outcome.",
            code="charge_in_progress",
            param=param,
        )


def is_beyond_due(invoice: Invoice, payment: Payment) -> bool:
    return payment.pk in {charge.pk for charge in charges_beyond_due(invoice)}


def require_still_needed(invoice: Invoice, payment: Payment) -> None:
    """A waiting charge the invoice can no longer hold is not confirmed: it would overpay."""
    if is_beyond_due(invoice, payment):
        raise InvalidState(
            f"Invoice {invoice.number or invoice.pk} was paid another way: this card payment "
            "is no longer needed and is being canceled. Nothing was charged.",
            code="charge_no_longer_needed",
        )


def release_charges_beyond_due(invoice: Invoice) -> None:
    """Queue the cancellation of the waiting charges a locked, just recomputed invoice can no
    longer hold (with the caller's transaction: they go only if the settlement commits)."""
    beyond = charges_beyond_due(invoice)
    if not beyond:
        return
    for charge in beyond:
        enqueue_with_transaction(CANCEL_UNNEEDED_CHARGE, charge.pk)
