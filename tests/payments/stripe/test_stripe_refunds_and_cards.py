"""Refunds to the card, customers and saved cards at Stripe, through the real SDK."""

from decimal import Decimal

import pytest

from billing.models import AuditEvent
from payments.gateways import get_gateway
from payments.models import Refund
from payments.services import refund_create
from payments.services.refunding import refund_reconcile
from payments.services.saved_methods import (
    customer_ensure_gateway,
    saved_method_attach,
    saved_method_detach,
    saved_method_make_default,
)
from tests.asserts import assert_no_drift
from tests.factories import SYSTEM
from tests.payments.stripe.conftest import charge, invoice_state, stripe_card
from tests.stripe_fake import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(fake_stripe, invoice):
    return charge(invoice, stripe_card(invoice.customer))


def test_a_partial_refund_goes_back_to_the_card(fake_stripe, invoice, paid):
    refund = refund_create(payment=paid, actor=SYSTEM, reason="Desk unavailable", amount="23.45")

    assert refund.status == "succeeded"
    [stripe_refund] = fake_stripe.objects("refund")
    assert refund.gateway_reference == stripe_refund["id"]
    assert (stripe_refund["amount"], stripe_refund["payment_intent"]) == (
        2345,
        paid.gateway_reference,
    )
    [request] = [r for r in fake_stripe.requests if r["path"] == "/v1/refunds"]
    assert request["key"] == f"settle_{refund.pk}"
    assert request["params"]["metadata"] == {
        "settle_refund_id": refund.pk,
        "settle_payment_id": paid.pk,
    }
    paid.refresh_from_db()
    assert paid.amount_refunded == Decimal("23.45")
    assert invoice_state(invoice) == ("partially_paid", Decimal("100.00"), Decimal("23.45"))
    assert_no_drift()


def test_a_refund_timeout_is_reconciled_without_a_second_refund(fake_stripe, invoice, paid):
    fake_stripe.delay_next("POST", "/v1/refunds", seconds=1.3)

    refund = refund_create(payment=paid, actor=SYSTEM, reason="Goodwill", amount="10.00")

    assert (refund.status, refund.gateway_reference) == ("pending", None)
    assert fake_stripe.count("refund") == 1
    refund = refund_reconcile(refund=Refund.objects.get(pk=refund.pk), actor=SYSTEM)

    assert refund.status == "succeeded"
    assert refund.gateway_reference == fake_stripe.objects("refund")[0]["id"]
    assert fake_stripe.count("refund") == 1
    assert invoice_state(invoice) == ("partially_paid", Decimal("113.45"), Decimal("10.00"))


def test_the_gateway_customer_is_created_once(fake_stripe, customer):
    first = customer_ensure_gateway(customer=customer, actor=SYSTEM, gateway_name="stripe")
    again = customer_ensure_gateway(customer=customer, actor=SYSTEM, gateway_name="stripe")

    customer.refresh_from_db()
    assert first == again == customer.gateway_customer_id
    [stripe_customer] = fake_stripe.objects("customer")
    assert stripe_customer["id"] == first
    assert stripe_customer["metadata"] == {
        "settle_customer_id": customer.pk,
        "settle_entity_id": customer.entity_id,
    }
    [request] = [r for r in fake_stripe.requests if r["path"] == "/v1/customers"]
    assert request["key"] == f"settle_{customer.pk}"
    assert (
        AuditEvent.objects.filter(action="customer.gateway_linked", object_id=customer.pk).count()
        == 1
    )


def test_a_card_collected_by_checkout_is_saved_and_can_be_removed(fake_stripe, stripe_customer):
    gateway = get_gateway("stripe")
    setup = gateway.start_card_setup(
        customer_reference=stripe_customer.gateway_customer_id,
        success_url="https://billing.example/portal/cards/added?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://billing.example/portal/cards/",
        metadata={"settle_customer_id": stripe_customer.pk},
        idempotency_key=f"settle_setup_{stripe_customer.pk}_1",
    )
    assert setup.url == f"{fake_stripe.url}/fake/checkout/{setup.reference}"
    session = fake_stripe.get("checkout.session", setup.reference)
    assert (session["mode"], session["customer"]) == ("setup", stripe_customer.gateway_customer_id)

    world.complete_checkout(fake_stripe, setup.reference, "pm_card_mastercard")
    card = gateway.finish_card_setup(setup.reference)

    assert (card.brand, card.last4, card.customer_reference) == (
        "mastercard",
        "4444",
        stripe_customer.gateway_customer_id,
    )
    assert card.reference.startswith("pm_")
    method = saved_method_attach(
        customer=stripe_customer, actor=SYSTEM, gateway_name="stripe", card=card
    )
    assert (method.gateway, method.is_default, method.label) == (
        "stripe",
        True,
        "Mastercard •••• 4444",
    )
    assert [
        c.reference for c in gateway.list_payment_methods(stripe_customer.gateway_customer_id)
    ] == [card.reference]

    saved_method_detach(method=method, actor=SYSTEM)

    method.refresh_from_db()
    assert method.detached_at is not None and not method.is_default
    assert fake_stripe.get("payment_method", card.reference)["customer"] is None
    assert gateway.list_payment_methods(stripe_customer.gateway_customer_id) == []


def test_an_unfinished_checkout_saves_nothing(fake_stripe, stripe_customer):
    from payments.gateways import GatewayDeclined

    gateway = get_gateway("stripe")
    setup = gateway.start_card_setup(
        customer_reference=stripe_customer.gateway_customer_id,
        success_url="https://billing.example/added",
        cancel_url="https://billing.example/cards",
        metadata={},
        idempotency_key="settle_setup_unfinished",
    )

    with pytest.raises(GatewayDeclined):
        gateway.finish_card_setup(setup.reference)


def test_making_a_card_the_default_unsets_the_previous_one(fake_stripe, stripe_customer):
    first = stripe_card(stripe_customer)
    first.is_default = True
    first.save()
    second = stripe_card(stripe_customer, "pm_card_mastercard", "4444")

    saved_method_make_default(method=second, actor=SYSTEM)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    assert AuditEvent.objects.filter(
        action="saved_method.made_default", object_id=second.pk
    ).exists()
