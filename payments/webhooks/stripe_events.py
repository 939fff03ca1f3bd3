"""Stripe events, each handled by the same services as the synchronous path.

Out-of-order and repeated deliveries are safe: `payment_settle_charge` and
`refund_settle` ignore transitions that are not allowed from the current
status (a `requires_action` after `succeeded` changes nothing), and the
records of dashboard refunds and charges are deduplicated by unique gateway
references.
"""

import dataclasses
import logging

from billing.actors import Actor
from billing.models import Customer
from billing.money import to_minor_units
from payments.gateways import get_gateway
from payments.gateways.stripe_objects import (
    card_from_payment_method,
    charge_result_from_payment_intent,
    object_id,
    refund_result_from_refund,
)
from payments.models import Payment, PaymentStatus, Refund
from payments.services.charging import payment_settle_charge
from payments.services.gateway_records import (
    payment_mark_disputed,
    payment_record_from_gateway,
    refund_record_from_gateway,
)
from payments.services.refunding import refund_settle
from payments.services.saved_methods import saved_method_attach, saved_method_detached_at_gateway

logger = logging.getLogger(__name__)
GATEWAY = "stripe"


def _metadata(obj: dict) -> dict:
    return obj.get("metadata") or {}


def find_payment(payment_intent_id: str, metadata: dict | None = None) -> Payment | None:
    """Our payment for a PaymentIntent: by our id in its metadata, else by its reference."""
    payment_id = (metadata or {}).get("settle_payment_id")
    if payment_id:
        payment = Payment.objects.filter(pk=payment_id, gateway=GATEWAY).first()
        if payment is not None and payment.gateway_reference in (None, "", payment_intent_id):
            return payment
    if not payment_intent_id:
        return None
    return Payment.objects.filter(gateway=GATEWAY, gateway_reference=payment_intent_id).first()


def on_payment_intent(obj: dict, *, actor: Actor, event: dict) -> None:
    """payment_intent.succeeded / payment_failed / requires_action / canceled / processing."""
    result = charge_result_from_payment_intent(obj)
    metadata = _metadata(obj)
    payment = find_payment(obj["id"], metadata)
    if payment is None:
        invoice_id = metadata.get("settle_invoice_id")
        if result.status == PaymentStatus.SUCCEEDED and invoice_id:
            payment_record_from_gateway(
                invoice_id=invoice_id,
                actor=actor,
                gateway=GATEWAY,
                reference=obj["id"],
                amount_minor=int(obj.get("amount_received") or obj.get("amount") or 0),
                currency=obj.get("currency") or "",
            )
        else:
            logger.info("ignoring %s for unknown PaymentIntent %s", event["type"], obj["id"])
        return
    if result.status == PaymentStatus.PENDING:
        return
    expected = (to_minor_units(payment.amount, payment.currency), payment.currency.lower())
    if (result.amount_minor, (obj.get("currency") or "").lower()) != expected:
        logger.error(
            "PaymentIntent %s is for %s, %s for %s",
            obj["id"],
            result.amount_minor,
            payment.pk,
            expected,
        )
    if result.status == PaymentStatus.SUCCEEDED and payment.status in (
        PaymentStatus.FAILED,
        PaymentStatus.CANCELED,
    ):
        # Money arrived for an attempt we hold as final: never silently dropped.
        logger.error(
            "Stripe reports %s succeeded but %s is %s", obj["id"], payment.pk, payment.status
        )
    payment_settle_charge(
        payment_id=payment.pk,
        status=result.status,
        actor=actor,
        reference=obj["id"],
        failure_code=result.failure_code,
        failure_message=result.failure_message,
        next_action_url=result.next_action_url,
    )


def _on_refund_result(result, *, actor: Actor) -> None:
    ours = None
    refund_id = result.metadata.get("settle_refund_id")
    if refund_id:
        ours = Refund.objects.filter(pk=refund_id).select_related("payment").first()
    if ours is None:
        ours = Refund.objects.filter(gateway_reference=result.reference).first()
    if ours is not None:
        if result.status != "pending":
            refund_settle(
                refund_id=ours.pk,
                status=result.status,
                actor=actor,
                reference=result.reference,
                failure_message=result.failure_message,
            )
        return
    payment = find_payment(result.charge_reference)
    if payment is None:
        logger.info("ignoring refund %s of an unknown charge", result.reference)
        return
    if result.status in ("succeeded", "pending"):
        refund_record_from_gateway(
            payment=payment,
            actor=actor,
            reference=result.reference,
            amount_minor=result.amount_minor,
            status=result.status,
        )


def on_refund(obj: dict, *, actor: Actor, event: dict) -> None:
    """refund.created / refund.updated / refund.failed / charge.refund.updated."""
    _on_refund_result(refund_result_from_refund(obj), actor=actor)


def on_charge_refunded(obj: dict, *, actor: Actor, event: dict) -> None:
    """charge.refunded: each refund of the charge (listed from Stripe when not embedded)."""
    payment_intent_id = object_id(obj.get("payment_intent"))
    embedded = (obj.get("refunds") or {}).get("data")
    if embedded is not None:
        results = [refund_result_from_refund(refund) for refund in embedded]
    elif payment_intent_id:
        results = get_gateway(GATEWAY).list_refunds(payment_intent_id)
    else:
        results = []
    for result in results:
        if not result.charge_reference:
            result = dataclasses.replace(result, charge_reference=payment_intent_id)
        _on_refund_result(result, actor=actor)


def on_dispute_created(obj: dict, *, actor: Actor, event: dict) -> None:
    payment = find_payment(object_id(obj.get("payment_intent")))
    if payment is None:
        logger.warning("dispute %s concerns a charge Settle does not know", obj.get("id"))
        return
    reason = f"Stripe dispute {obj.get('id')} ({obj.get('reason') or 'no reason given'})"
    payment_mark_disputed(payment=payment, actor=actor, reason=reason)


def _customer_for(customer_reference: str, metadata: dict) -> Customer | None:
    """The customer Settle itself linked to this Stripe customer, or None.

    Gateway ids are written only by `customer_ensure_gateway` and are unique, so the
    Stripe customer names one of ours or none; metadata never routes an event by
    itself. When the event's metadata names our customer or entity, it must be that
    one: a disagreement is refused, never resolved in favour of either side.
    """
    if not customer_reference:
        return None
    customer = Customer.objects.filter(gateway_customer_id=customer_reference).first()
    if customer is None:
        return None
    named_customer = metadata.get("settle_customer_id")
    named_entity = metadata.get("settle_entity_id")
    if (named_customer and named_customer != customer.pk) or (
        named_entity and named_entity != customer.entity_id
    ):
        logger.error(
            "Stripe customer %s is linked to %s but the event names %s / %s: ignored",
            customer_reference,
            customer.pk,
            named_customer,
            named_entity,
        )
        return None
    return customer


def on_payment_method_attached(obj: dict, *, actor: Actor, event: dict) -> None:
    card = card_from_payment_method(obj)
    customer = _customer_for(card.customer_reference, _metadata(obj))
    if customer is None or obj.get("type", "card") != "card":
        return
    saved_method_attach(customer=customer, actor=actor, gateway_name=GATEWAY, card=card)


def on_payment_method_detached(obj: dict, *, actor: Actor, event: dict) -> None:
    saved_method_detached_at_gateway(gateway_name=GATEWAY, reference=obj["id"], actor=actor)


def on_setup_intent_succeeded(obj: dict, *, actor: Actor, event: dict) -> None:
    payment_method = obj.get("payment_method")
    if not payment_method:
        return
    if isinstance(payment_method, dict):
        card = card_from_payment_method(payment_method)
    else:
        card = get_gateway(GATEWAY).retrieve_payment_method(payment_method)
    customer = _customer_for(
        object_id(obj.get("customer")) or card.customer_reference, _metadata(obj)
    )
    if customer is None:
        logger.info("setup intent %s is for a customer Settle does not know", obj.get("id"))
        return
    saved_method_attach(customer=customer, actor=actor, gateway_name=GATEWAY, card=card)


HANDLERS = {
    "payment_intent.succeeded": on_payment_intent,
    "payment_intent.payment_failed": on_payment_intent,
    "payment_intent.requires_action": on_payment_intent,
    "payment_intent.canceled": on_payment_intent,
    "refund.created": on_refund,
    "refund.updated": on_refund,
    "refund.failed": on_refund,
    "charge.refund.updated": on_refund,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute_created,
    "payment_method.attached": on_payment_method_attached,
    "payment_method.detached": on_payment_method_detached,
    "setup_intent.succeeded": on_setup_intent_succeeded,
}
