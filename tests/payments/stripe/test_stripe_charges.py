"""The Stripe adapter through the real SDK: PaymentIntents, declines, authentication, faults."""

from decimal import Decimal

import pytest

from billing.models import AuditEvent
from payments.gateways import GatewayTransientError, get_gateway
from payments.gateways.base import ChargeRequest
from payments.models import Payment
from payments.services import payment_reconcile
from payments.services.authentication import (
    payment_authentication_return,
    payment_authentication_start,
)
from tests.asserts import assert_no_drift
from tests.factories import SYSTEM, CustomerFactory, EntityFactory, issued_invoice
from tests.payments.stripe.conftest import charge, invoice_state, stripe_card
from tests.stripe_fake import world

pytestmark = pytest.mark.django_db


def _only_request(fake, path):
    requests = [r for r in fake.requests if r["path"] == path]
    assert len(requests) == 1, requests
    return requests[0]


def test_charge_is_an_off_session_payment_intent_in_minor_units(fake_stripe, invoice):
    card = stripe_card(invoice.customer)

    payment = charge(invoice, card)

    assert payment.status == "succeeded"
    assert (payment.gateway, payment.amount) == ("stripe", Decimal("123.45"))
    [pi] = fake_stripe.objects("payment_intent")
    assert payment.gateway_reference == pi["id"]
    assert (pi["status"], pi["amount"], pi["amount_received"]) == ("succeeded", 12345, 12345)
    request = _only_request(fake_stripe, "/v1/payment_intents")
    assert request["key"] == f"settle_{payment.pk}"
    assert request["params"] == {
        "amount": "12345",
        "currency": "eur",
        "payment_method": "pm_card_visa",
        "payment_method_types": ["card"],
        "confirm": "true",
        "off_session": "true",
        "customer": invoice.customer.gateway_customer_id,
        "description": f"Invoice {invoice.number}",
        "metadata": {"settle_payment_id": payment.pk, "settle_invoice_id": invoice.pk},
    }
    assert invoice_state(invoice) == ("paid", Decimal("123.45"), Decimal("0.00"))
    assert_no_drift()


def test_zero_decimal_currency_is_sent_in_whole_units(fake_stripe):
    customer = CustomerFactory(entity=EntityFactory(default_currency="JPY"), currency="JPY")
    invoice = issued_invoice(customer, total="1500")

    payment = charge(invoice, stripe_card(customer))

    assert payment.status == "succeeded"
    assert _only_request(fake_stripe, "/v1/payment_intents")["params"]["amount"] == "1500"
    assert fake_stripe.objects("payment_intent")[0]["currency"] == "jpy"


@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        ("pm_card_chargeDeclined", "card_declined", "Your card was declined."),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "Your card has expired."),
    ],
)
def test_a_402_card_error_fails_the_charge_with_the_decline_message(
    fake_stripe, invoice, token, code, message
):
    payment = charge(invoice, stripe_card(invoice.customer, token, "0002"))

    assert (payment.status, payment.failure_code, payment.failure_message) == (
        "failed",
        code,
        message,
    )
    [pi] = fake_stripe.objects("payment_intent")
    assert payment.gateway_reference == pi["id"]
    assert invoice_state(invoice) == ("issued", Decimal("0.00"), Decimal("123.45"))
    assert AuditEvent.objects.filter(object_id=payment.pk, action="payment.charge_failed").exists()


def test_an_off_session_charge_needing_authentication_waits_for_the_card_holder(
    fake_stripe, invoice
):
    card = stripe_card(invoice.customer, "pm_card_authenticationRequired", "3184")

    payment = charge(invoice, card)

    [pi] = fake_stripe.objects("payment_intent")
    assert (payment.status, payment.gateway_reference) == ("requires_action", pi["id"])
    assert payment.failure_code == "authentication_required"
    assert payment.next_action_url == ""
    # The amount stays reserved while the member is asked.
    assert invoice_state(invoice) == ("issued", Decimal("0.00"), Decimal("123.45"))

    payment = payment_authentication_start(
        payment=payment, actor=SYSTEM, return_url="https://billing.example/portal/payments/return"
    )
    assert payment.status == "requires_action"
    assert payment.next_action_url == f"{fake_stripe.url}/fake/3ds/{pi['id']}"
    confirm = _only_request(fake_stripe, f"/v1/payment_intents/{pi['id']}/confirm")
    assert confirm["key"] == f"settle_{payment.pk}_authenticate"
    assert confirm["params"]["return_url"] == "https://billing.example/portal/payments/return"

    world.complete_authentication(fake_stripe, pi["id"])
    payment = payment_authentication_return(payment=payment, actor=SYSTEM)

    assert payment.status == "succeeded"
    assert fake_stripe.count("payment_intent") == 1
    assert invoice_state(invoice) == ("paid", Decimal("123.45"), Decimal("0.00"))


def test_an_on_session_charge_returns_the_banks_page(fake_stripe, invoice):
    card = stripe_card(invoice.customer, "pm_card_authenticationRequired", "3184")

    payment = charge(invoice, card, return_url="https://billing.example/return")

    [pi] = fake_stripe.objects("payment_intent")
    assert payment.status == "requires_action"
    assert payment.next_action_url == f"{fake_stripe.url}/fake/3ds/{pi['id']}"
    params = _only_request(fake_stripe, "/v1/payment_intents")["params"]
    assert params["return_url"] == "https://billing.example/return"
    assert "off_session" not in params


def test_failed_authentication_fails_the_payment(fake_stripe, invoice):
    card = stripe_card(invoice.customer, "pm_card_authenticationRequired", "3184")
    payment = charge(invoice, card, return_url="https://billing.example/return")

    world.complete_authentication(fake_stripe, payment.gateway_reference, success=False)
    payment = payment_authentication_return(payment=payment, actor=SYSTEM)

    assert payment.status == "failed"
    assert payment.failure_code == "payment_intent_authentication_failure"
    assert invoice_state(invoice) == ("issued", Decimal("0.00"), Decimal("123.45"))


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_5xx_or_429_leaves_the_charge_pending_and_reconcile_settles_it(
    fake_stripe, invoice, status
):
    fake_stripe.fail_next("POST", "/v1/payment_intents", status=status)

    payment = charge(invoice, stripe_card(invoice.customer))

    assert (payment.status, payment.gateway_reference) == ("pending", None)
    assert fake_stripe.count("payment_intent") == 0
    assert invoice_state(invoice) == ("issued", Decimal("0.00"), Decimal("123.45"))

    payment = payment_reconcile(payment=payment, actor=SYSTEM)

    assert payment.status == "succeeded"
    keys = [r["key"] for r in fake_stripe.requests if r["path"] == "/v1/payment_intents"]
    assert keys == [f"settle_{payment.pk}"] * 2
    assert fake_stripe.count("payment_intent") == 1
    assert invoice_state(invoice) == ("paid", Decimal("123.45"), Decimal("0.00"))


def test_a_timeout_then_a_retry_makes_one_payment_intent_and_one_payment(fake_stripe, invoice):
    fake_stripe.delay_next("POST", "/v1/payment_intents", seconds=1.3)  # the client gives up at 1 s

    payment = charge(invoice, stripe_card(invoice.customer))

    # Stripe charged the card, but we never heard the answer.
    assert (payment.status, payment.gateway_reference) == ("pending", None)
    [pi] = fake_stripe.objects("payment_intent")
    assert pi["status"] == "succeeded"

    payment = payment_reconcile(payment=payment, actor=SYSTEM)

    assert (payment.status, payment.gateway_reference) == ("succeeded", pi["id"])
    charges = [r for r in fake_stripe.requests if r["path"] == "/v1/payment_intents"]
    assert [r.get("replayed", False) for r in charges] == [False, True]
    assert fake_stripe.count("payment_intent") == 1
    assert Payment.objects.filter(invoice=invoice, status="succeeded").count() == 1
    assert invoice_state(invoice) == ("paid", Decimal("123.45"), Decimal("0.00"))
    assert_no_drift()


def test_a_portal_charge_is_replayed_identically_after_a_timeout(fake_stripe, invoice):
    fake_stripe.delay_next("POST", "/v1/payment_intents", seconds=1.3)

    payment = charge(invoice, stripe_card(invoice.customer), return_url="https://billing.example/r")
    assert payment.status == "pending"
    payment = payment_reconcile(payment=payment, actor=SYSTEM)

    # Same key, same parameters (return_url included): Stripe replays, no idempotency_error.
    assert payment.status == "succeeded"
    charges = [r for r in fake_stripe.requests if r["path"] == "/v1/payment_intents"]
    assert charges[0]["params"] == charges[1]["params"]
    assert charges[1]["params"]["return_url"] == "https://billing.example/r"
    assert fake_stripe.count("payment_intent") == 1


def test_a_repeated_idempotency_key_replays_the_first_answer(fake_stripe, stripe_customer):
    gateway = get_gateway("stripe")
    request = ChargeRequest(
        amount_minor=5000,
        currency="EUR",
        payment_method_reference="pm_card_visa",
        customer_reference=stripe_customer.gateway_customer_id,
        idempotency_key="settle_pmt_replayed",
        metadata={"settle_payment_id": "pmt_replayed"},
    )

    first = gateway.charge(request)
    second = gateway.charge(request)

    assert first == second
    assert fake_stripe.count("payment_intent") == 1
    charges = [r for r in fake_stripe.requests if r["path"] == "/v1/payment_intents"]
    assert [r.get("replayed", False) for r in charges] == [False, True]


def test_an_unreachable_stripe_is_a_transient_error(fake_stripe, settings, invoice):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    with pytest.raises(GatewayTransientError):
        get_gateway("stripe").retrieve_charge("pi_unknown")
    payment = charge(invoice, stripe_card(invoice.customer))

    assert payment.status == "pending"


def test_a_crash_between_charge_and_commit_is_settled_by_the_reconcile_task(
    fake_stripe, invoice, monkeypatch
):
    from payments.services import charging
    from payments.tasks import reconcile_payment

    original, calls = charging.payment_settle_charge, []

    def settle_crashing_once(**kwargs):
        calls.append(kwargs["status"])
        if len(calls) == 1:
            raise RuntimeError("the process died before the settle committed")
        return original(**kwargs)

    monkeypatch.setattr(charging, "payment_settle_charge", settle_crashing_once)

    with pytest.raises(RuntimeError):
        charge(invoice, stripe_card(invoice.customer))

    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.gateway_reference) == ("pending", None)
    assert fake_stripe.objects("payment_intent")[0]["status"] == "succeeded"

    assert reconcile_payment.call(payment.pk) == "succeeded"

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert payment.gateway_reference == fake_stripe.objects("payment_intent")[0]["id"]
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert fake_stripe.count("payment_intent") == 1
    assert invoice_state(invoice) == ("paid", Decimal("123.45"), Decimal("0.00"))
    assert calls == ["succeeded", "succeeded"]
    assert_no_drift()
