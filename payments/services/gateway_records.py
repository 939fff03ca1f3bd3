"""Money the gateway tells us about that Settle did not start: dashboard refunds and charges,
and disputes. Called by the webhook handlers; each is idempotent (unique gateway
references are the deduplication) and audited like every other money change.
"""

import logging

from django.db import IntegrityError, transaction

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import CurrencyMismatch, InvalidState, LimitExceeded
from billing.locking import money_transaction
from billing.money import from_minor_units
from invoices.models import Invoice
from payments.models import (
    Payment,
    PaymentStatus,
    PaymentType,
    Refund,
    RefundDestination,
    RefundStatus,
)
from payments.queue import receipt_enqueue
from payments.services.audit import audit_payment
from payments.services.charging import CHARGE_AUDIT_FIELDS
from payments.services.documents import lock_invoice, lock_payment, require_payable
from payments.services.refunding import REFUND_AUDIT_FIELDS
from payments.signals import payment_money_changed, payment_refunded

logger = logging.getLogger(__name__)


def _insert_once(row, model, **unique):
    """Insert `row`, or return the row that already holds its unique gateway reference."""
    try:
        with transaction.atomic():
            row.save()
        return row, True
    except IntegrityError:
        existing = model._base_manager.filter(**unique).first()
        if existing is None:
            raise
        return existing, False


def payment_mark_disputed(*, payment: Payment, actor: Actor, reason: str = "") -> Payment:
    """The card holder disputed the charge at their bank: flag the payment (once) and audit.

    Money does not move here: a lost dispute is a refund the gateway reports.
    """
    with money_transaction():
        _docs, locked = lock_payment(payment)
        if locked.disputed:
            return locked
        locked.disputed = True
        locked.save(update_fields=["disputed", "updated_at"])
        audit_payment(
            actor=actor,
            payment=locked,
            action="payment.disputed",
            before={"disputed": False},
            after={"disputed": True},
            reason=reason,
        )
    return locked


def refund_record_from_gateway(
    *,
    payment: Payment,
    actor: Actor,
    reference: str,
    amount_minor: int,
    status: str,
    reason: str = "Refunded in the Stripe dashboard",
) -> Refund:
    """Record a refund made at the gateway (its dashboard) that Settle did not start.

    Deduplicated by the refund's unique gateway reference. Errors:
    LimitExceeded when it exceeds what the payment still holds (never expected:
    the gateway refuses that too).
    """
    amount = from_minor_units(amount_minor, payment.currency)
    with money_transaction():
        docs, locked = lock_payment(payment)
        known = Refund.objects.filter(gateway_reference=reference).first()
        if known is not None:
            return known
        if locked.status != PaymentStatus.SUCCEEDED or amount > locked.net_amount:
            raise LimitExceeded(
                f"The gateway refunded {amount} {locked.currency} of {locked.pk}, which holds "
                f"{locked.net_amount if locked.status == PaymentStatus.SUCCEEDED else 0}.",
                code="amount_exceeds_refundable",
            )
        refund, created = _insert_once(
            Refund(
                entity_id=locked.entity_id,
                payment=locked,
                amount=amount,
                currency=locked.currency,
                status=status if status in RefundStatus.values else RefundStatus.PENDING,
                destination=RefundDestination.ORIGINAL,
                reason=reason,
                gateway_reference=reference,
            ),
            Refund,
            gateway_reference=reference,
        )
        if created:
            if refund.status == RefundStatus.SUCCEEDED:
                payment_refunded.send(sender=Refund, refund=refund, payment=locked, documents=docs)
            audit_payment(
                actor=actor,
                payment=locked,
                action="refund.recorded_from_gateway",
                obj=refund,
                after=snapshot(refund, REFUND_AUDIT_FIELDS),
                reason=reason,
            )
    return refund


def payment_record_from_gateway(
    *,
    invoice_id: str,
    actor: Actor,
    gateway: str,
    reference: str,
    amount_minor: int,
    currency: str,
    note: str = "Charged in the Stripe dashboard",
) -> Payment:
    """Record a charge made at the gateway for one of our invoices (its id in the metadata).

    The money arrived, so, like an external payment, it may exceed what is due
    (the invoice shows as overpaid). Deduplicated by the unique gateway
    reference. Errors: InvalidState (draft or void invoice), CurrencyMismatch.
    """
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise InvalidState(f"No invoice {invoice_id} for gateway charge {reference}.")
    with money_transaction():
        docs = lock_invoice(invoice)
        document = docs.primary
        known = Payment.objects.filter(gateway=gateway, gateway_reference=reference).first()
        if known is not None:
            return known
        require_payable(document)
        if currency.upper() != document.currency:
            raise CurrencyMismatch(
                f"Gateway charge {reference} is in {currency.upper()}, the invoice in "
                f"{document.currency}."
            )
        payment, created = _insert_once(
            Payment(
                entity_id=document.entity_id,
                customer_id=document.customer_id,
                invoice=docs.invoice,
                advance_invoice=docs.advance_invoice,
                type=PaymentType.CARD,
                gateway=gateway,
                status=PaymentStatus.SUCCEEDED,
                amount=from_minor_units(amount_minor, document.currency),
                currency=document.currency,
                gateway_reference=reference,
                reference=reference,
                note=note,
            ),
            Payment,
            gateway=gateway,
            gateway_reference=reference,
        )
        if created:
            payment_money_changed.send(sender=Payment, payment=payment, documents=docs)
            audit_record(
                actor=actor,
                entity_id=payment.entity_id,
                action="payment.recorded_from_gateway",
                obj=payment,
                invoice_id=document.pk,
                customer_id=payment.customer_id,
                after=snapshot(payment, CHARGE_AUDIT_FIELDS),
            )
            receipt_enqueue(payment.pk)
    return payment
