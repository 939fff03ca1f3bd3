"""Refunds per invoice: one amount spread over the invoice's refundable payments.

`refund_split` decides the split from figures alone, so the back office can show it
before anything is written; `invoice_refund_plan` reads those figures unlocked for
that preview; `invoice_refund` takes the locks, computes the very same split against
the fresh figures and records one refund per payment it touches.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from billing.actors import Actor
from billing.audit import audit_record
from billing.errors import LimitExceeded, ValidationError
from billing.formats import format_money
from billing.locking import lock_rows, money_transaction
from billing.money import ZERO, check_amount
from invoices.models import Invoice
from payments.models import (
    EXTERNAL_TYPES,
    Payment,
    PaymentStatus,
    Refund,
    RefundDestination,
    RefundStatus,
)
from payments.services.documents import lock_invoice
from payments.services.refunding import (
    refund_execute,
    refund_reserve,
    refundable_amount,
    require_refund_reason,
)

NEWEST_FIRST = "newest_first"
CARD_FIRST = "card_first"
ORDERS = (NEWEST_FIRST, CARD_FIRST)


@dataclass(frozen=True)
class RefundPart:
    """The share of an invoice refund taken from one payment."""

    payment: Payment
    amount: Decimal  # in the payment's currency, never above what it has refundable

    @property
    def through_gateway(self) -> bool:
        return self.payment.is_gateway


@dataclass(frozen=True)
class RefundCandidate:
    """A payment that money can be given back from, and how much of it (fresh figures)."""

    payment: Payment
    refundable: Decimal


def _order_key(order: str):
    def newest(candidate: RefundCandidate):
        payment = candidate.payment  # the day the money came, then when it was recorded
        return (payment.date, payment.created_at, payment.pk)

    if order == NEWEST_FIRST:
        return newest, True
    # Cards charged through the gateway first (money back on the card), each group newest first.
    return (lambda candidate: (candidate.payment.is_gateway, *newest(candidate))), True


def require_order(order: str) -> str:
    if order not in ORDERS:
        raise ValidationError(
            f"Unknown order {order!r}; use newest_first or card_first.",
            code="invalid_order",
            param="order",
        )
    return order


def refund_split(
    candidates: Sequence[RefundCandidate], amount: Decimal | None, order: str = NEWEST_FIRST
) -> list[RefundPart]:
    """Spread `amount` (None: everything refundable) over `candidates` in `order`.

    Pure: no query, no write. Each payment gives what it can before the next one is
    touched; payments with nothing refundable are skipped. Raises LimitExceeded
    (`nothing_to_refund`, `amount_exceeds_refundable`) when the candidates cannot
    cover the amount, so an invoice refund is all or nothing.
    """
    require_order(order)
    key, reverse = _order_key(order)
    available = [c for c in sorted(candidates, key=key, reverse=reverse) if c.refundable > 0]
    total = sum((c.refundable for c in available), ZERO)
    if total <= 0:
        raise LimitExceeded(
            "Nothing on this invoice can be refunded: no payment of money is left to give back.",
            code="nothing_to_refund",
            param="amount",
        )
    if amount is None:
        amount = total
    if amount > total:
        currency = available[0].payment.currency
        raise LimitExceeded(
            f"The amount {format_money(amount, currency)} exceeds what the invoice's payments "
            f"can refund ({format_money(total, currency)}).",
            code="amount_exceeds_refundable",
            param="amount",
        )
    parts, remaining = [], amount
    for candidate in available:
        if remaining <= 0:
            break
        take = min(remaining, candidate.refundable)
        parts.append(RefundPart(payment=candidate.payment, amount=take))
        remaining -= take
    return parts


def _refundable_payments(invoice: Invoice):
    """Succeeded money payments on the invoice: not credit, advance or balance applications."""
    field = "advance_invoice_id" if invoice.is_advance else "invoice_id"
    return Payment.objects.filter(
        **{field: invoice.pk},
        status=PaymentStatus.SUCCEEDED,
        is_deleted=False,
        type__in=EXTERNAL_TYPES,
        credit_note__isnull=True,
    ).select_related("saved_payment_method")


def _candidates(payments) -> list[RefundCandidate]:
    return [RefundCandidate(payment=p, refundable=refundable_amount(p)) for p in payments]


def _check_amount(amount, currency: str) -> Decimal | None:
    return None if amount is None else check_amount(amount, currency)


def invoice_refund_plan(
    *, invoice: Invoice, amount=None, order: str = NEWEST_FIRST
) -> list[RefundPart]:
    """The split `invoice_refund` would make now, read without locks (a preview).

    The refund itself recomputes it under the locks; if another change came in
    between, it refunds against the fresh figures or refuses.
    """
    return refund_split(
        _candidates(_refundable_payments(invoice)),
        _check_amount(amount, invoice.currency),
        require_order(order),
    )


def invoice_refund(
    *,
    invoice: Invoice,
    actor: Actor,
    reason: str,
    amount=None,
    order: str = NEWEST_FIRST,
    destination: str = RefundDestination.ORIGINAL,
) -> list[Refund]:
    """Refund `amount` (default: all that is refundable) of an invoice over its payments.

    Locks the invoice (and its customer when the money goes to the balance), then its
    refundable payments, in the global order; splits against their fresh refundable
    amounts (`refund_split`); reserves one refund per payment touched and records one
    `invoice.refunded` audit event listing them, all in one transaction. Gateway refunds
    are sent afterwards, with no lock held, each settled on its own (`refund_execute`).

    Errors, nothing written: ValidationError (reason, amount, order, destination),
    LimitExceeded (`nothing_to_refund`, `amount_exceeds_refundable`).
    """
    reason = require_refund_reason(reason)
    require_order(order)
    if destination not in RefundDestination.values:
        raise ValidationError(
            f"Unknown destination {destination!r}; use original or customer_balance.",
            code="invalid_destination",
            param="destination",
        )
    to_balance = destination == RefundDestination.CUSTOMER_BALANCE
    with money_transaction():
        docs = lock_invoice(invoice, with_customer=to_balance)
        locked = docs.primary
        amount = _check_amount(amount, locked.currency)
        # New payments on the invoice need its lock, which we hold: this set is final.
        payment_ids = list(_refundable_payments(locked).values_list("pk", flat=True))
        [payments] = lock_rows((Payment, payment_ids))
        parts = refund_split(_candidates(payments.values()), amount, order)
        refunds = [
            refund_reserve(
                payment=part.payment,
                actor=actor,
                amount=part.amount,
                destination=destination,
                reason=reason,
            )
            for part in parts
        ]
        audit_record(
            actor=actor,
            entity_id=locked.entity_id,
            action="invoice.refunded",
            obj=locked,
            invoice_id=locked.pk,
            customer_id=locked.customer_id,
            after={
                "amount": str(sum((r.amount for r in refunds), ZERO)),
                "order": order,
                "destination": destination,
                "refund_ids": [r.pk for r in refunds],
                "parts": [
                    {"refund_id": r.pk, "payment_id": r.payment_id, "amount": str(r.amount)}
                    for r in refunds
                ],
            },
            reason=reason,
        )
    return [
        refund_execute(refund=refund, actor=actor)
        if refund.status == RefundStatus.PENDING
        else refund
        for refund in refunds
    ]
