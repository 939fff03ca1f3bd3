"""Stripe's JSON objects (as plain dicts) read into our gateway dataclasses.

Shared by the adapter (`gateways/stripe.py`, which hands us `to_dict()` of the
SDK's objects) and the webhook handlers (which read the event payload), so a
PaymentIntent means the same thing whichever way it reaches us. No SDK import.
"""

from payments.gateways.base import CardDetails, ChargeResult, RefundResult

# A PaymentIntent waiting on the card holder: off-session it comes back as
# `requires_payment_method` with this error; on-session as `requires_action`.
AUTHENTICATION_CODES = {"authentication_required"}
# Statuses in which Stripe is still working (or waiting on us), not an outcome.
IN_FLIGHT_STATUSES = {"processing", "requires_confirmation", "requires_capture"}
REFUND_STATUSES = {
    "succeeded": "succeeded",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "canceled",
}


def object_id(value) -> str:
    """An expandable field: either the id itself or the expanded object."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def error_code(error: dict | None) -> str:
    """The most specific reason Stripe gives: the decline code (`insufficient_funds`), else the
    error code (`expired_card`); a generic decline is plain `card_declined`."""
    error = error or {}
    decline_code = error.get("decline_code")
    if decline_code and decline_code != "generic_decline":
        return decline_code
    return error.get("code") or error.get("type") or "card_declined"


def redirect_url(payment_intent: dict) -> str:
    next_action = payment_intent.get("next_action") or {}
    if next_action.get("type") == "redirect_to_url":
        return (next_action.get("redirect_to_url") or {}).get("url") or ""
    return ""


def charge_result_from_payment_intent(payment_intent: dict) -> ChargeResult:
    """Our view of a PaymentIntent: succeeded, requires_action, pending, failed or canceled."""
    status = payment_intent.get("status")
    error = payment_intent.get("last_payment_error") or None
    common = {
        "reference": payment_intent["id"],
        "amount_minor": int(payment_intent.get("amount") or 0),
    }
    if status == "succeeded":
        return ChargeResult(status="succeeded", **common)
    if status == "requires_action":
        return ChargeResult(
            status="requires_action", next_action_url=redirect_url(payment_intent), **common
        )
    if status == "canceled":
        return ChargeResult(status="canceled", **common)
    if status == "requires_payment_method" and error:
        code = error_code(error)
        if code in AUTHENTICATION_CODES or error.get("code") in AUTHENTICATION_CODES:
            return ChargeResult(
                status="requires_action",
                failure_code="authentication_required",
                failure_message=error.get("message") or "",
                **common,
            )
        return ChargeResult(
            status="failed",
            failure_code=code,
            failure_message=error.get("message") or "The payment failed.",
            **common,
        )
    return ChargeResult(status="pending", **common)


def refund_result_from_refund(refund: dict) -> RefundResult:
    return RefundResult(
        status=REFUND_STATUSES.get(refund.get("status") or "", "pending"),
        reference=refund["id"],
        amount_minor=int(refund.get("amount") or 0),
        failure_message=refund.get("failure_reason") or "",
        charge_reference=object_id(refund.get("payment_intent")),
        metadata=dict(refund.get("metadata") or {}),
    )


def card_from_payment_method(payment_method: dict) -> CardDetails:
    card = payment_method.get("card") or {}
    return CardDetails(
        reference=payment_method["id"],
        brand=card.get("brand") or payment_method.get("type") or "card",
        last4=card.get("last4") or "",
        exp_month=int(card.get("exp_month") or 1),
        exp_year=int(card.get("exp_year") or 1970),
        customer_reference=object_id(payment_method.get("customer")),
    )
