"""Charges waiting for the card holder (`requires_action`): authenticate, return, cancel.

The member is sent to the bank's page (Stripe's `next_action` redirect, or the
sandbox's page); the payment settles when they come back (we ask the gateway)
or when the webhook arrives, whichever is first: `payment_settle_charge` takes
the payment's lock and records the outcome exactly once.
"""

from billing.actors import Actor
from billing.audit import snapshot
from billing.errors import InvalidState
from billing.locking import money_transaction
from payments.gateways import GatewayDeclined, GatewayTransientError, get_gateway
from payments.models import Payment, PaymentStatus
from payments.services.audit import audit_payment
from payments.services.charging import (
    CHARGE,
    CHARGE_AUDIT_FIELDS,
    payment_reconcile,
    settle_charge_declined,
    settle_charge_result,
)
from payments.services.documents import lock_payment
from payments.services.holds import is_beyond_due, require_still_needed


def _require_waiting(payment: Payment) -> None:
    if payment.status != PaymentStatus.REQUIRES_ACTION or not payment.is_gateway:
        raise InvalidState(
            "This payment is not waiting for authentication.", code="payment_not_awaiting_action"
        )


def payment_confirmation_begin(
    *, payment: Payment, actor: Actor, in_flight: bool, return_url: str = ""
) -> Payment:
    """Before the card holder confirms a waiting charge: refuse it if the invoice no longer
    needs it (it would overpay), and, when the confirmation is our own gateway call, mark
    the charge in flight (`pending`) so that money recorded meanwhile cannot overlap it.

    Errors: InvalidState (not waiting, or no longer needed: it is being canceled).
    """
    with money_transaction():
        docs, locked = lock_payment(payment)
        _require_waiting(locked)
        require_still_needed(docs.primary, locked)
        if not in_flight:
            return locked
        before = snapshot(locked, CHARGE_AUDIT_FIELDS)
        locked.status = PaymentStatus.PENDING
        locked.return_url = return_url or locked.return_url
        locked.save(update_fields=["status", "return_url", "updated_at"])
        audit_payment(
            actor=actor,
            payment=locked,
            action="payment.confirmation_started",
            before=before,
            after=snapshot(locked, CHARGE_AUDIT_FIELDS),
        )
        CHARGE.reconcile_later(locked)  # if we die during the call, the worker asks the gateway
    return locked


def payment_authentication_start(*, payment: Payment, actor: Actor, return_url: str) -> Payment:
    """Make sure a waiting charge has a page for the card holder, and return the payment.

    An off-session charge that needs authentication has no page yet: the
    gateway confirms it again with the member present (`return_url`), which
    yields the bank's page. Errors: InvalidState (not waiting, or no longer needed).
    """
    if payment.next_action_url:
        return payment_confirmation_begin(payment=payment, actor=actor, in_flight=False)
    payment = payment_confirmation_begin(
        payment=payment, actor=actor, in_flight=True, return_url=return_url
    )
    gateway = get_gateway(payment.gateway)
    method = payment.saved_payment_method
    try:
        result = gateway.confirm_charge(
            payment.gateway_reference,
            payment_method_reference=method.gateway_reference if method else "",
            return_url=return_url,
            idempotency_key=f"settle_{payment.pk}_authenticate",
        )
    except GatewayDeclined as declined:
        return settle_charge_declined(payment, declined, actor)
    except GatewayTransientError:
        return payment
    return settle_charge_result(payment, result, actor)


def payment_authentication_return(*, payment: Payment, actor: Actor) -> Payment:
    """The card holder is back from the bank's page: ask the gateway and settle (once)."""
    return payment_reconcile(payment=payment, actor=actor)


def payment_sandbox_authenticate(*, payment: Payment, actor: Actor, approve: bool) -> Payment:
    """The sandbox's stand-in for 3-D Secure: the card holder approves or refuses."""
    gateway = get_gateway(payment.gateway)
    if not hasattr(gateway, "confirm_authentication"):
        raise InvalidState("Only sandbox payments authenticate here.", code="not_sandbox")
    payment = payment_confirmation_begin(payment=payment, actor=actor, in_flight=True)
    try:
        result = gateway.confirm_authentication(payment.gateway_reference, approve=approve)
    except GatewayDeclined as declined:
        return settle_charge_declined(payment, declined, actor)
    return settle_charge_result(payment, result, actor)


def payment_authentication_cancel(
    *, payment: Payment, actor: Actor, reason: str = "requested_by_customer"
) -> Payment:
    """Give up on a charge waiting for authentication: cancel it at the gateway, then here.

    `reason` is the gateway's cancellation reason (Stripe's `duplicate`, `abandoned`,
    `requested_by_customer`). If the gateway says the charge completed meanwhile, that
    outcome is recorded instead. The held amount is released, so the invoice can be paid
    another way.
    """
    if payment.status != PaymentStatus.REQUIRES_ACTION or not payment.is_gateway:
        return payment
    gateway = get_gateway(payment.gateway)
    try:
        result = gateway.cancel_charge(
            payment.gateway_reference,
            idempotency_key=f"settle_{payment.pk}_cancel",
            reason=reason,
        )
    except GatewayTransientError:
        return payment
    except GatewayDeclined as declined:
        return settle_charge_declined(payment, declined, actor)
    return settle_charge_result(payment, result, actor)


def payment_charge_cancel(*, payment: Payment, actor: Actor) -> Payment:
    """The office gives up on a charge waiting for the card holder (the back office's Cancel).

    Returns the payment as the gateway left it: `canceled`, or `succeeded` if the card
    holder confirmed first, or still `requires_action` if the gateway could not be reached.
    Errors: InvalidState (the charge is not waiting).
    """
    _require_waiting(payment)
    return payment_authentication_cancel(payment=payment, actor=actor, reason="abandoned")


def payment_authentication_expire(*, payment: Payment, actor: Actor) -> Payment:
    """The reconcile task's door: an authentication abandoned past its time is canceled."""
    return payment_authentication_cancel(payment=payment, actor=actor, reason="abandoned")


def payment_cancel_unneeded(*, payment: Payment, actor: Actor) -> Payment:
    """Cancel a waiting charge the invoice no longer needs (it was paid another way).

    Checked again under the locks: if a payment was deleted meanwhile and the charge
    fits again, it is left waiting.
    """
    with money_transaction():
        docs, locked = lock_payment(payment)
        if locked.status != PaymentStatus.REQUIRES_ACTION or not is_beyond_due(
            docs.primary, locked
        ):
            return locked
    return payment_authentication_cancel(payment=locked, actor=actor, reason="duplicate")
