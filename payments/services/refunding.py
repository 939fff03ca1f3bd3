"""Refunds: back to the original method (through the gateway for charged payments) or to
the customer's money balance; and moving an invoice's overpayment to the balance.

Gateway refunds run on the gateway-operation pipeline (`gateway_operation`), as charges
do: a `pending` refund reserves its amount in one transaction, its reconcile queued with
it, whoever the caller (a refund, a credit note); the gateway is called with no lock held,
and a second transaction settles it.
"""

from decimal import Decimal

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import CurrencyMismatch, InvalidState, LimitExceeded, ValidationError
from billing.locking import money_transaction
from billing.models import BalanceTransaction
from billing.money import MoneySum, check_amount, to_minor_units
from billing.services import balance_post
from invoices.models import Invoice
from payments.gateways import RefundRequest, RefundResult
from payments.models import (
    EXTERNAL_TYPES,
    Payment,
    PaymentStatus,
    PaymentType,
    Refund,
    RefundDestination,
    RefundStatus,
)
from payments.queue import RECONCILE_REFUND
from payments.services.audit import audit_payment
from payments.services.documents import (
    advance_unreserved,
    lock_documents,
    lock_payment,
    require_within,
)
from payments.services.gateway_operation import GatewayOperation
from payments.signals import payment_refunded

REFUND_AUDIT_FIELDS = ["amount", "status", "destination", "gateway_reference", "failure_message"]


def refundable_amount(payment: Payment) -> Decimal:
    """The payment's amount less its pending and succeeded refunds."""
    reserved = payment.refunds.filter(
        status__in=(RefundStatus.PENDING, RefundStatus.SUCCEEDED)
    ).aggregate(s=MoneySum("amount"))["s"] or Decimal("0")
    return payment.amount - reserved


def _destination_for(payment: Payment, destination: str) -> str:
    if destination not in RefundDestination.values:
        raise ValidationError(
            f"Unknown destination {destination!r}; use original or customer_balance.",
            code="invalid_destination",
            param="destination",
        )
    if payment.type == PaymentType.CUSTOMER_BALANCE:
        if payment.invoice_id is None and destination != RefundDestination.ORIGINAL:
            raise ValidationError(
                "Reversing a credit to the balance goes back to the credit note.",
                code="invalid_destination",
                param="destination",
            )
        return RefundDestination.CUSTOMER_BALANCE if payment.invoice_id else destination
    if destination == RefundDestination.CUSTOMER_BALANCE and (
        payment.type not in EXTERNAL_TYPES or payment.credit_note_id
    ):
        raise ValidationError(
            "Only money paid on an invoice can be moved to the customer's balance.",
            code="invalid_destination",
            param="destination",
        )
    return destination


def refund_reserve(
    *,
    payment: Payment,
    actor: Actor,
    amount,
    destination: str,
    reason: str,
    balance_kind: str = BalanceTransaction.Kind.REFUND,
) -> Refund:
    """Inside a money transaction: lock, check, and write the refund. One through the gateway
    is reserved `pending`, its reconcile queued: send it with `refund_execute` once the
    transaction commits."""
    destination = _destination_for(payment, destination)
    touches_balance = (
        destination == RefundDestination.CUSTOMER_BALANCE
        or payment.type == PaymentType.CUSTOMER_BALANCE
    )
    docs, locked = lock_payment(payment, with_customer=touches_balance)
    if locked.is_deleted or locked.status != PaymentStatus.SUCCEEDED:
        raise InvalidState(
            "Only a succeeded payment can be refunded.", code="payment_not_refundable"
        )
    refundable = refundable_amount(locked)
    amount = refundable if amount is None else check_amount(amount, locked.currency)
    if amount <= 0:
        raise LimitExceeded(
            "This payment is already fully refunded.", code="nothing_to_refund", param="amount"
        )
    require_within(
        amount,
        refundable,
        "the refundable amount",
        locked.currency,
        code="amount_exceeds_refundable",
    )
    if locked.advance_invoice_id and locked.type != PaymentType.ADVANCE:
        require_within(
            amount,
            advance_unreserved(docs.advance_invoice),
            "the advance's unapplied payments",
            locked.currency,
            code="advance_already_applied",
        )
    if touches_balance and docs.customer.currency != locked.currency:
        raise CurrencyMismatch(
            f"The customer's balance is in {docs.customer.currency}, the payment in "
            f"{locked.currency}.",
            param="destination",
        )
    through_gateway = locked.is_gateway and destination == RefundDestination.ORIGINAL
    refund = Refund(
        entity_id=locked.entity_id,
        payment=locked,
        amount=amount,
        currency=locked.currency,
        status=RefundStatus.PENDING if through_gateway else RefundStatus.SUCCEEDED,
        destination=destination,
        reason=reason,
        created_by_id=actor.user_id,
    )
    if through_gateway:
        REFUND.reserve(refund)  # pending: nothing is refunded until the gateway says so
    else:
        refund.save()
        payment_refunded.send(sender=Refund, refund=refund, payment=locked, documents=docs)
    if touches_balance:
        reverses_credit = locked.type == PaymentType.CUSTOMER_BALANCE and locked.invoice_id is None
        balance_post(
            customer=docs.customer,
            amount=-amount if reverses_credit else amount,
            kind=BalanceTransaction.Kind.APPLICATION_REVERSAL if reverses_credit else balance_kind,
            actor=actor,
            reason=reason,
            invoice_id=locked.invoice_id or "",
            credit_note_id=locked.credit_note_id or "",
            payment_id=locked.pk,
            refund_id=refund.pk,
        )
    audit_payment(
        actor=actor,
        payment=locked,
        action="refund.created",
        obj=refund,
        after=snapshot(refund, REFUND_AUDIT_FIELDS),
        reason=reason,
    )
    return refund


def require_refund_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("A refund needs a reason.", code="reason_required", param="reason")
    return reason


def refund_create(
    *,
    payment: Payment,
    actor: Actor,
    reason: str,
    amount=None,
    destination: str = RefundDestination.ORIGINAL,
) -> Refund:
    """Refund a payment (default: all that is refundable). A card payment goes back to the card.

    Errors: ValidationError (amount, reason, destination), InvalidState (not
    succeeded, deleted), LimitExceeded (above the refundable amount).
    A gateway refund that cannot reach the gateway stays `pending` and is
    reconciled later; one the gateway refuses ends `failed`.
    """
    reason = require_refund_reason(reason)
    with money_transaction():
        refund = refund_reserve(
            payment=payment, actor=actor, amount=amount, destination=destination, reason=reason
        )
    if refund.status == RefundStatus.PENDING:
        refund = refund_execute(refund=refund, actor=actor)
    return refund


def refund_execute(*, refund: Refund, actor: Actor) -> Refund:
    """Send a refund reserved by `refund_reserve` to the gateway (no lock held) and settle the
    answer; one the gateway cannot be asked about stays `pending` for the reconcile."""
    return REFUND.execute(refund, actor)


def refund_request_for(refund: Refund) -> RefundRequest:
    payment = refund.payment
    return RefundRequest(
        charge_reference=payment.gateway_reference or "",
        amount_minor=to_minor_units(refund.amount, refund.currency),
        currency=refund.currency,
        idempotency_key=f"settle_{refund.pk}",
        metadata={"settle_refund_id": refund.pk, "settle_payment_id": payment.pk},
    )


def refund_reconcile(*, refund: Refund, actor: Actor) -> Refund:
    """Ask the gateway what became of a pending refund and settle it; see
    `GatewayOperation.reconcile`."""
    if refund.status != RefundStatus.PENDING or not refund.payment.is_gateway:
        return refund
    return REFUND.reconcile(refund, actor)


def _settle_refund_result(refund: Refund, result, actor: Actor) -> Refund:
    return refund_settle(
        refund_id=refund.pk,
        status=result.status,
        actor=actor,
        reference=result.reference,
        failure_message=result.failure_message,
    )


def _settle_refund_declined(refund: Refund, declined, actor: Actor) -> Refund:
    return refund_settle(
        refund_id=refund.pk,
        status=RefundStatus.FAILED,
        actor=actor,
        failure_message=declined.message,
    )


def refund_settle(
    *,
    refund_id: str,
    status: str,
    actor: Actor,
    reference: str | None = None,
    failure_message: str = "",
) -> Refund:
    """Record a gateway's answer for a refund. Replays and late duplicates change nothing."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    payment = refund.payment
    with money_transaction():
        docs, locked_payment = lock_payment(payment)
        locked = Refund.objects.select_for_update().get(pk=refund_id)
        if locked.status != RefundStatus.PENDING or status == RefundStatus.PENDING:
            return locked
        if status not in RefundStatus.values:
            raise ValidationError(f"Unknown refund status {status!r}.")
        before = snapshot(locked, REFUND_AUDIT_FIELDS)
        locked.status = status
        locked.gateway_reference = reference or locked.gateway_reference
        locked.failure_message = failure_message or ""
        locked.save(update_fields=["status", "gateway_reference", "failure_message", "updated_at"])
        if status == RefundStatus.SUCCEEDED:
            payment_refunded.send(
                sender=Refund, refund=locked, payment=locked_payment, documents=docs
            )
        audit_record(
            actor=actor,
            entity_id=locked.entity_id,
            action=f"refund.{status}",
            obj=locked,
            invoice_id=payment.invoice_id or payment.advance_invoice_id or "",
            customer_id=payment.customer_id,
            before=before,
            after=snapshot(locked, REFUND_AUDIT_FIELDS),
        )
    return locked


REFUND: GatewayOperation[Refund] = GatewayOperation(
    kind="refund",
    reconcile_task=RECONCILE_REFUND,
    gateway_name=lambda refund: refund.payment.gateway,
    request_for=refund_request_for,
    send=lambda gateway, request: gateway.refund(request),
    retrieve=lambda gateway, reference: gateway.retrieve_refund(reference),
    settle_result=_settle_refund_result,
    settle_declined=_settle_refund_declined,
    accepted=lambda request: RefundResult(
        status=RefundStatus.SUCCEEDED, reference="", amount_minor=request.amount_minor
    ),
)


def overpayment_move_to_balance(*, invoice: Invoice, actor: Actor, amount=None) -> list[Refund]:
    """Move an invoice's excess payment to the customer's money balance.

    The excess is taken back from the invoice's money payments, newest first,
    as refunds to the balance; the invoice ends paid and the balance grows.
    """
    with money_transaction():
        docs = lock_documents(invoice_id=invoice.pk, customer_id=invoice.customer_id)
        locked = docs.invoice
        excess = -locked.total_due
        if excess <= 0:
            raise InvalidState("This invoice is not overpaid.", code="not_overpaid")
        amount = excess if amount is None else check_amount(amount, locked.currency)
        require_within(
            amount,
            excess,
            "the overpaid amount",
            locked.currency,
            code="amount_exceeds_overpayment",
        )
        if docs.customer.currency != locked.currency:
            raise CurrencyMismatch(
                f"The customer's balance is in {docs.customer.currency}, the invoice in "
                f"{locked.currency}.",
                param="amount",
            )
        candidates = list(
            Payment.objects.filter(
                invoice_id=locked.pk,
                status=PaymentStatus.SUCCEEDED,
                is_deleted=False,
                type__in=[*EXTERNAL_TYPES, PaymentType.CUSTOMER_BALANCE],
            ).order_by("-created_at", "-id")
        )
        refunds, remaining = [], amount
        for payment in candidates:
            if remaining <= 0:
                break
            take = min(remaining, refundable_amount(payment))
            if take <= 0:
                continue
            refunds.append(
                refund_reserve(
                    payment=payment,
                    actor=actor,
                    amount=take,
                    destination=RefundDestination.CUSTOMER_BALANCE,
                    reason="Overpayment moved to the money balance",
                    balance_kind=BalanceTransaction.Kind.OVERPAYMENT,
                )
            )
            remaining -= take
        if remaining > 0:
            raise LimitExceeded(
                "The overpayment is not held in refundable payments.",
                code="amount_exceeds_refundable",
                param="amount",
            )
    return refunds
