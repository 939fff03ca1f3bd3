"""`POST /webhooks/stripe`: signed by Stripe's scheme, stored once, settled by the same services."""

import json
import time
from decimal import Decimal

import pytest

from billing.models import AuditEvent
from payments.models import Payment, Refund, SavedPaymentMethod, WebhookEvent
from payments.services import refund_create
from tests.asserts import unchanged
from tests.factories import SYSTEM
from tests.payments.stripe.conftest import charge, invoice_state, stripe_card
from tests.stripe_fake import WEBHOOK_SECRET, api, world
from tests.stripe_fake.signing import deliver, signature_header

pytestmark = pytest.mark.django_db


def last_event(fake, event_type):
    return fake.events_of(event_type)[-1]


@pytest.fixture
def pending_payment(fake_stripe, invoice):
    """Stripe charged the card but our call timed out: the payment waits, pending."""
    fake_stripe.delay_next("POST", "/v1/payment_intents", seconds=1.3)
    payment = charge(invoice, stripe_card(invoice.customer))
    assert payment.status == "pending"
    return payment


# --- signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    ["wrong_secret", "changed_payload", "stale_timestamp", "no_header", "garbage_header"],
)
def test_a_bad_signature_is_refused_and_changes_nothing(
    client, fake_stripe, pending_payment, tamper
):
    event = last_event(fake_stripe, "payment_intent.succeeded")
    payload = json.dumps(event)
    header = signature_header(payload)
    if tamper == "wrong_secret":
        header = signature_header(payload, secret="whsec_someone_else")
    elif tamper == "changed_payload":
        payload = payload.replace('"amount": 12345', '"amount": 1')
    elif tamper == "stale_timestamp":
        header = signature_header(payload, timestamp=int(time.time()) - 3600)
    elif tamper == "no_header":
        header = None
    elif tamper == "garbage_header":
        header = "v1=deadbeef"

    with unchanged():
        response = client.post(
            "/webhooks/stripe",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": header} if header else {},
        )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=pending_payment.pk).status == "pending"


def test_without_a_webhook_secret_every_event_is_refused(client, fake_stripe, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = deliver(client, {"id": "evt_1", "type": "ping", "data": {"object": {}}})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("[]", id="list"),
        pytest.param('"payment_intent.succeeded"', id="bare-string"),
        pytest.param("42", id="number"),
        pytest.param("null", id="null"),
        pytest.param("{}", id="empty-object"),
        pytest.param('{"id": "evt_1", "type": "payment_intent.succeeded"}', id="no-data"),
        pytest.param('{"id": "evt_1", "type": "ping"}', id="no-data-unhandled-type"),
        pytest.param(
            '{"id": "evt_1", "type": "payment_intent.succeeded", "data": []}', id="data-list"
        ),
        pytest.param(
            '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {}}', id="no-object"
        ),
        pytest.param(
            '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": "pi_1"}}',
            id="object-not-an-object",
        ),
        pytest.param('{"id": ["evt_1"], "type": "ping", "data": {"object": {}}}', id="id-list"),
        pytest.param('{"id": "evt_1", "type": 7, "data": {"object": {}}}', id="type-number"),
        pytest.param('{"id": "", "type": "ping", "data": {"object": {}}}', id="blank-id"),
        pytest.param("not json", id="not-json"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="nested-too-deep"),
    ],
)
def test_a_signed_body_that_is_not_an_event_is_refused_and_nothing_is_stored(
    client, fake_stripe, pending_payment, payload
):
    with unchanged():
        response = client.post(
            "/webhooks/stripe",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature_header(payload)},
        )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "invalid_event",
            "message": "The payload is not a Stripe event.",
        }
    }
    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=pending_payment.pk).status == "pending"


# --- charges ----------------------------------------------------------------------------------


def test_payment_intent_succeeded_settles_a_pending_charge(client, fake_stripe, pending_payment):
    event = last_event(fake_stripe, "payment_intent.succeeded")

    response = deliver(client, event)

    assert response.status_code == 200
    assert response.json() == {"received": True, "event": event["id"], "duplicate": False}
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert (payment.status, payment.gateway_reference) == (
        "succeeded",
        event["data"]["object"]["id"],
    )
    settled = AuditEvent.objects.get(object_id=payment.pk, action="payment.charge_succeeded")
    assert settled.source == "webhook"
    assert event["id"] in settled.actor_label
    assert invoice_state(payment.invoice) == ("paid", Decimal("123.45"), Decimal("0.00"))
    stored = WebhookEvent.objects.get(event_id=event["id"])
    assert (stored.type, stored.attempts, stored.error) == ("payment_intent.succeeded", 1, "")
    assert stored.processed_at is not None


def test_a_duplicate_event_is_acknowledged_and_ignored(client, fake_stripe, pending_payment):
    event = last_event(fake_stripe, "payment_intent.succeeded")
    deliver(client, event)
    audit_count = AuditEvent.objects.count()

    with unchanged():
        response = deliver(client, event)

    assert response.status_code == 200
    assert response.json()["duplicate"] is True
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert AuditEvent.objects.count() == audit_count


def test_events_out_of_order_end_in_the_right_state(client, fake_stripe, invoice):
    card = stripe_card(invoice.customer, "pm_card_authenticationRequired", "3184")
    payment = charge(invoice, card, return_url="https://billing.example/return")
    requires_action = last_event(fake_stripe, "payment_intent.requires_action")
    world.complete_authentication(fake_stripe, payment.gateway_reference)
    succeeded = last_event(fake_stripe, "payment_intent.succeeded")

    assert deliver(client, succeeded).status_code == 200
    assert deliver(client, requires_action).status_code == 200

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert invoice_state(invoice) == ("paid", Decimal("123.45"), Decimal("0.00"))
    assert [e.action for e in AuditEvent.objects.filter(object_id=payment.pk).order_by("id")] == [
        "payment.charge_started",
        "payment.charge_requires_action",
        "payment.charge_succeeded",
    ]


def test_a_late_failure_does_not_undo_a_success(client, fake_stripe, invoice):
    card = stripe_card(invoice.customer, "pm_card_authenticationRequired", "3184")
    payment = charge(invoice, card)  # off-session: fails for authentication, then…
    failed_event = last_event(fake_stripe, "payment_intent.payment_failed")
    world.complete_authentication(fake_stripe, payment.gateway_reference)  # …the member completes

    deliver(client, last_event(fake_stripe, "payment_intent.succeeded"))
    deliver(client, failed_event)

    payment.refresh_from_db()
    assert payment.status == "succeeded"


def test_payment_failed_fails_a_pending_charge(client, fake_stripe, invoice):
    fake_stripe.delay_next("POST", "/v1/payment_intents", seconds=1.3)
    payment = charge(
        invoice, stripe_card(invoice.customer, "pm_card_chargeDeclinedInsufficientFunds")
    )
    assert payment.status == "pending"

    deliver(client, last_event(fake_stripe, "payment_intent.payment_failed"))

    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("failed", "insufficient_funds")
    assert payment.failure_message == "Your card has insufficient funds."


def test_a_charge_made_in_the_dashboard_for_our_invoice_is_recorded_once(
    client, fake_stripe, invoice
):
    pi = world.dashboard_charge(
        fake_stripe,
        customer=invoice.customer.gateway_customer_id,
        amount=5000,
        currency="eur",
        metadata={"settle_invoice_id": invoice.pk},
    )
    event = last_event(fake_stripe, "payment_intent.succeeded")

    deliver(client, event)
    deliver(client, {**event, "id": event["id"] + "_again"})  # Stripe resends under a new id

    payment = Payment.objects.get(invoice=invoice)
    assert (payment.type, payment.gateway, payment.status) == ("card", "stripe", "succeeded")
    assert (payment.amount, payment.gateway_reference) == (Decimal("50.00"), pi["id"])
    assert invoice_state(invoice) == ("partially_paid", Decimal("50.00"), Decimal("73.45"))
    assert AuditEvent.objects.get(action="payment.recorded_from_gateway").source == "webhook"


# --- refunds ----------------------------------------------------------------------------------


@pytest.fixture
def paid(fake_stripe, invoice):
    return charge(invoice, stripe_card(invoice.customer))


def test_a_refund_made_in_the_dashboard_appears_in_settle(client, fake_stripe, invoice, paid):
    stripe_refund = world.dashboard_refund(fake_stripe, paid.gateway_reference, 2345)

    deliver(client, last_event(fake_stripe, "charge.refunded"))
    deliver(client, last_event(fake_stripe, "refund.created"))

    refund = Refund.objects.get(payment=paid)
    assert (refund.amount, refund.status, refund.gateway_reference) == (
        Decimal("23.45"),
        "succeeded",
        stripe_refund["id"],
    )
    assert refund.destination == "original"
    audit = AuditEvent.objects.get(object_id=refund.pk)
    assert (audit.action, audit.source) == ("refund.recorded_from_gateway", "webhook")
    assert invoice_state(invoice) == ("partially_paid", Decimal("100.00"), Decimal("23.45"))


def test_charge_refunded_without_embedded_refunds_asks_stripe(client, fake_stripe, invoice, paid):
    world.dashboard_refund(fake_stripe, paid.gateway_reference, 12345)
    event = last_event(fake_stripe, "charge.refunded")
    del event["data"]["object"]["refunds"]  # newer API versions do not embed them

    deliver(client, event)

    assert Refund.objects.get(payment=paid).amount == Decimal("123.45")
    assert invoice_state(invoice) == ("issued", Decimal("0.00"), Decimal("123.45"))


def test_refund_events_settle_our_own_pending_refund(client, fake_stripe, paid):
    fake_stripe.delay_next("POST", "/v1/refunds", seconds=1.3)
    refund = refund_create(payment=paid, actor=SYSTEM, reason="Broken chair", amount="3.45")
    assert refund.status == "pending"

    deliver(client, last_event(fake_stripe, "refund.created"))

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert refund.gateway_reference == fake_stripe.objects("refund")[0]["id"]
    assert Refund.objects.count() == 1


def test_a_failed_refund_releases_its_amount(client, fake_stripe, paid):
    fake_stripe.delay_next("POST", "/v1/refunds", seconds=1.3)
    refund = refund_create(payment=paid, actor=SYSTEM, reason="Broken chair", amount="3.45")
    stripe_refund = {**fake_stripe.objects("refund")[0], "status": "failed"}
    stripe_refund["failure_reason"] = "expired_or_canceled_card"

    deliver(client, api.objects.event("refund.failed", stripe_refund))

    refund.refresh_from_db()
    assert (refund.status, refund.failure_message) == ("failed", "expired_or_canceled_card")


def test_a_dispute_marks_the_payment(client, fake_stripe, paid):
    world.open_dispute(fake_stripe, paid.gateway_reference)

    deliver(client, last_event(fake_stripe, "charge.dispute.created"))

    paid.refresh_from_db()
    assert paid.disputed is True
    audit = AuditEvent.objects.get(object_id=paid.pk, action="payment.disputed")
    assert "fraudulent" in audit.reason


# --- cards ------------------------------------------------------------------------------------


def test_setup_intent_succeeded_saves_the_card(client, fake_stripe, stripe_customer):
    session = api.create_checkout_session(
        fake_stripe,
        {
            "mode": "setup",
            "customer": stripe_customer.gateway_customer_id,
            "success_url": "https://billing.example/added",
            "setup_intent_data": {"metadata": {"settle_customer_id": stripe_customer.pk}},
        },
    )
    world.complete_checkout(fake_stripe, session["id"], "pm_card_visa")

    deliver(client, last_event(fake_stripe, "setup_intent.succeeded"))
    deliver(client, last_event(fake_stripe, "payment_method.attached"))  # same card: once

    method = SavedPaymentMethod.objects.get(customer=stripe_customer)
    assert (method.gateway, method.brand, method.last4, method.is_default) == (
        "stripe",
        "visa",
        "4242",
        True,
    )


def test_payment_method_detached_in_the_dashboard_stops_offering_the_card(
    client, fake_stripe, stripe_customer
):
    method = api.create_payment_method(fake_stripe, "pm_card_visa")
    api.attach_payment_method(
        fake_stripe, {"customer": stripe_customer.gateway_customer_id}, method["id"]
    )
    deliver(client, last_event(fake_stripe, "payment_method.attached"))
    saved = SavedPaymentMethod.objects.get(gateway_reference=method["id"])

    api.detach_payment_method(fake_stripe, {}, method["id"])
    deliver(client, last_event(fake_stripe, "payment_method.detached"))

    saved.refresh_from_db()
    assert saved.detached_at is not None


# --- robustness -------------------------------------------------------------------------------


def test_an_unknown_event_type_is_stored_and_acknowledged(client, fake_stripe):
    event = api.objects.event("customer.updated", {"id": "cus_x", "object": "customer"})

    with unchanged():
        response = deliver(client, event)

    assert response.status_code == 200
    assert WebhookEvent.objects.get(event_id=event["id"]).processed_at is not None


def test_a_live_event_at_a_test_deployment_is_acknowledged_but_not_acted_on(
    client, fake_stripe, pending_payment
):
    event = {**last_event(fake_stripe, "payment_intent.succeeded"), "livemode": True}

    with unchanged():
        assert deliver(client, event).status_code == 200

    assert Payment.objects.get(pk=pending_payment.pk).status == "pending"


def test_a_processing_failure_answers_500_and_the_redelivery_processes_it(
    client, fake_stripe, pending_payment, monkeypatch
):
    from payments.webhooks import stripe_events

    event = last_event(fake_stripe, "payment_intent.succeeded")
    original = stripe_events.HANDLERS["payment_intent.succeeded"]

    def broken(*args, **kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setitem(stripe_events.HANDLERS, "payment_intent.succeeded", broken)
    assert deliver(client, event).status_code == 500
    stored = WebhookEvent.objects.get(event_id=event["id"])
    assert (stored.processed_at, stored.attempts) == (None, 1)
    assert "database went away" in stored.error

    monkeypatch.setitem(stripe_events.HANDLERS, "payment_intent.succeeded", original)
    response = deliver(client, event)

    assert response.status_code == 200 and response.json()["duplicate"] is False
    assert Payment.objects.get(pk=pending_payment.pk).status == "succeeded"
    assert WebhookEvent.objects.get(event_id=event["id"]).attempts == 2


def test_the_signing_helper_matches_the_sdk(fake_stripe):
    import stripe

    payload = json.dumps({"id": "evt_x", "type": "ping"})
    stripe.WebhookSignature.verify_header(payload, signature_header(payload), WEBHOOK_SECRET, 300)
