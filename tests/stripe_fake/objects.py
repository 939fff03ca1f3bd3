"""Stripe-shaped JSON objects for the fake server, built from Stripe's own example objects.

`fixtures3.json` is a subset of the `fixtures3.json` published in Stripe's
openapi repository (MIT licence, see LICENSE beside it): every object the fake
returns starts as a deep copy of Stripe's example and only the fields a real
answer would change are set, so the SDK parses exactly what it would get from
api.stripe.com.
"""

import copy
import itertools
import json
import secrets
import time
from pathlib import Path

FIXTURES = json.loads((Path(__file__).parent / "fixtures3.json").read_text())["resources"]
_counter = itertools.count(1)

# Stripe's published test PaymentMethods and the card behind each (brand, last4, behaviour).
TEST_PAYMENT_METHODS = {
    "pm_card_visa": ("visa", "4242", "succeeds"),
    "pm_card_mastercard": ("mastercard", "4444", "succeeds"),
    "pm_card_amex": ("amex", "0005", "succeeds"),
    "pm_card_chargeDeclined": ("visa", "0002", "card_declined"),
    "pm_card_visa_chargeDeclined": ("visa", "0002", "card_declined"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", "insufficient_funds"),
    "pm_card_visa_chargeDeclinedInsufficientFunds": ("visa", "9995", "insufficient_funds"),
    "pm_card_chargeDeclinedExpiredCard": ("visa", "0069", "expired_card"),
    "pm_card_authenticationRequired": ("visa", "3184", "authentication_required"),
}
# What Stripe answers for each decline: (code, decline_code, message).
DECLINES = {
    "card_declined": ("card_declined", "generic_decline", "Your card was declined."),
    "insufficient_funds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "expired_card": ("expired_card", None, "Your card has expired."),
    "authentication_required": (
        "authentication_required",
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    ),
}


def new_id(prefix: str) -> str:
    return f"{prefix}_{next(_counter):04d}{secrets.token_hex(8)}"


def base(kind: str, **fields) -> dict:
    obj = copy.deepcopy(FIXTURES[kind])
    obj.update(created=int(time.time()), livemode=False)
    if "metadata" in obj:
        obj["metadata"] = {}
    obj.update(fields)
    return obj


def customer(params: dict) -> dict:
    return base(
        "customer",
        id=new_id("cus"),
        name=params.get("name"),
        email=params.get("email") or None,
        metadata=dict(params.get("metadata") or {}),
        discount=None,
        balance=0,
        currency=None,
    )


def payment_method(reference: str, *, brand: str, last4: str, customer_id=None) -> dict:
    obj = base("payment_method", id=reference, customer=customer_id, type="card")
    obj["card"].update(
        brand=brand, display_brand=brand, last4=last4, exp_month=12, exp_year=2034, wallet=None
    )
    obj["billing_details"].update(email=None, phone=None, name=None)
    return obj


def charge(payment_intent: dict) -> dict:
    obj = base(
        "charge",
        id=new_id("ch"),
        amount=payment_intent["amount"],
        amount_captured=payment_intent["amount"],
        captured=True,
        currency=payment_intent["currency"],
        customer=payment_intent["customer"],
        payment_intent=payment_intent["id"],
        payment_method=payment_intent["payment_method"],
        status="succeeded",
        paid=True,
        source=None,
        metadata=dict(payment_intent["metadata"]),
    )
    obj["refunds"] = {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": f"/v1/charges/{obj['id']}/refunds",
    }
    return obj


def payment_intent(params: dict) -> dict:
    pi_id = new_id("pi")
    return base(
        "payment_intent",
        id=pi_id,
        amount=int(params["amount"]),
        amount_received=0,
        amount_capturable=0,
        currency=params["currency"],
        customer=params.get("customer"),
        payment_method=params.get("payment_method"),
        payment_method_types=list(params.get("payment_method_types") or ["card"]),
        description=params.get("description") or None,
        metadata=dict(params.get("metadata") or {}),
        status="requires_confirmation",
        client_secret=f"{pi_id}_secret_{secrets.token_hex(12)}",
        canceled_at=None,
        cancellation_reason=None,
        last_payment_error=None,
        next_action=None,
        latest_charge=None,
        processing=None,
        transfer_data=None,
        automatic_payment_methods=None,
        payment_method_configuration_details=None,
        setup_future_usage=None,
        shipping=None,
    )


def card_error(behaviour: str, *, payment_intent_obj=None, charge_id=None) -> dict:
    code, decline_code, message = DECLINES[behaviour]
    error = {
        "type": "card_error",
        "code": code,
        "message": message,
        "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
        "request_log_url": "https://dashboard.stripe.com/test/logs/req_fake",
    }
    if decline_code:
        error["decline_code"] = decline_code
    if charge_id:
        error["charge"] = charge_id
    if payment_intent_obj is not None:
        error["payment_intent"] = payment_intent_obj
        error["payment_method"] = {
            "id": payment_intent_obj["payment_method"],
            "object": "payment_method",
        }
    return error


def refund(params: dict, pi: dict) -> dict:
    return base(
        "refund",
        id=new_id("re"),
        amount=int(params["amount"]),
        charge=pi["latest_charge"],
        currency=pi["currency"],
        payment_intent=pi["id"],
        metadata=dict(params.get("metadata") or {}),
        status="succeeded",
        balance_transaction=new_id("txn"),
    )


def setup_intent(customer_id, metadata) -> dict:
    si_id = new_id("seti")
    return base(
        "setup_intent",
        id=si_id,
        customer=customer_id,
        metadata=dict(metadata or {}),
        client_secret=f"{si_id}_secret_{secrets.token_hex(12)}",
        last_setup_error=None,
        next_action=None,
        payment_method_configuration_details=None,
        status="requires_payment_method",
        usage="off_session",
    )


def checkout_session(params: dict, base_url: str, setup_intent_id: str) -> dict:
    cs_id = new_id("cs_test")
    return base(
        "checkout.session",
        id=cs_id,
        mode=params.get("mode", "setup"),
        customer=params.get("customer"),
        success_url=params.get("success_url"),
        cancel_url=params.get("cancel_url"),
        metadata=dict(params.get("metadata") or {}),
        setup_intent=setup_intent_id,
        payment_intent=None,
        status="open",
        payment_status="no_payment_required",
        url=f"{base_url}/fake/checkout/{cs_id}",
        amount_total=None,
        currency=None,
    )


def dispute(pi: dict) -> dict:
    return base(
        "dispute",
        id=new_id("dp"),
        amount=pi["amount"],
        charge=pi["latest_charge"],
        currency=pi["currency"],
        payment_intent=pi["id"],
        reason="fraudulent",
        status="needs_response",
    )


def event(event_type: str, obj: dict, *, previous_attributes=None) -> dict:
    data = {"object": copy.deepcopy(obj)}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return base(
        "event",
        id=new_id("evt"),
        type=event_type,
        data=data,
        api_version="2026-10-28.endive",
        pending_webhooks=1,
        request={"id": new_id("req"), "idempotency_key": None},
    )
