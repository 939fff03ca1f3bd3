"""The portal with Stripe keys: Checkout collects new cards, the bank's page authenticates,
and the payment settles on return (the webhook may come first: see test_portal_races)."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import requests

from payments.models import Payment, SavedPaymentMethod
from payments.services.saved_methods import customer_ensure_gateway
from tests.asserts import assert_no_drift
from tests.factories import SYSTEM, SavedCardFactory, charge_card, issued_invoice, record_payment
from tests.stripe_fake import api, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_customer(fake_stripe, customer):
    customer_ensure_gateway(customer=customer, actor=SYSTEM, gateway_name="stripe")
    customer.refresh_from_db()
    return customer


def pay(client, invoice, amount, method, token="tok-1"):
    return client.post(
        f"/portal/invoices/{invoice.pk}/pay",
        {"amount": amount, "method": method, "form_token": token},
    )


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_authentication_at_the_bank_then_the_return_url_settles(
    member_client, fake_stripe, stripe_customer, invoice
):
    card = SavedCardFactory(
        customer=stripe_customer,
        gateway="stripe",
        gateway_reference="pm_card_authenticationRequired",
        last4="3184",
    )

    response = pay(member_client, invoice, "120.00", card.pk)

    [pi] = fake_stripe.objects("payment_intent")
    assert response["Location"] == f"{fake_stripe.url}/fake/3ds/{pi['id']}"
    assert pi["next_action"]["redirect_to_url"]["return_url"] == (
        "http://testserver/portal/payments/return"
    )
    # The member passes 3-D Secure on the bank's page, which sends them back to us.
    bank = requests.get(response["Location"] + "?result=success", allow_redirects=False, timeout=5)
    assert bank.status_code == 303

    response = member_client.get(local(bank.headers["Location"]))

    assert response["Location"] == f"/portal/invoices/{invoice.pk}/"
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.gateway_reference) == ("succeeded", pi["id"])
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("paid", Decimal("0.00"))
    assert fake_stripe.count("payment_intent") == 1


def test_a_new_card_is_collected_by_stripe_checkout_then_charged(
    member_client, fake_stripe, stripe_customer, invoice
):
    response = pay(member_client, invoice, "50.00", "new")

    [session] = fake_stripe.objects("checkout.session")
    assert response["Location"] == session["url"]
    assert (session["mode"], session["customer"]) == ("setup", stripe_customer.gateway_customer_id)
    assert session["success_url"] == (
        "http://testserver/portal/cards/added?session_id={CHECKOUT_SESSION_ID}"
    )
    # The member types the card on Stripe's page; Stripe sends them back with the session id.
    checkout = requests.get(session["url"] + "?card=pm_card_visa", allow_redirects=False, timeout=5)

    response = member_client.get(local(checkout.headers["Location"]))

    card = SavedPaymentMethod.objects.get(customer=stripe_customer)
    assert card.gateway == "stripe" and card.gateway_reference.startswith("pm_")
    assert (card.brand, card.last4) == ("visa", "4242")
    assert response["Location"] == f"/portal/invoices/{invoice.pk}/"
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.amount, payment.saved_payment_method) == (
        "succeeded",
        Decimal("50.00"),
        card,
    )
    [pi] = fake_stripe.objects("payment_intent")
    assert (pi["payment_method"], pi["customer"]) == (
        card.gateway_reference,
        stripe_customer.gateway_customer_id,
    )
    # Reloading Stripe's return URL charges nothing more.
    member_client.get(local(checkout.headers["Location"]))
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_a_checkout_session_not_started_here_saves_nothing(
    member_client, fake_stripe, stripe_customer
):
    session = api.create_checkout_session(
        fake_stripe,
        {"mode": "setup", "customer": stripe_customer.gateway_customer_id, "success_url": "x"},
    )
    world.complete_checkout(fake_stripe, session["id"])

    response = member_client.get(f"/portal/cards/added?session_id={session['id']}", follow=True)

    assert "This card setup has expired" in response.content.decode()
    assert not SavedPaymentMethod.objects.exists()


def test_removing_a_stripe_card_detaches_it_at_stripe(member_client, fake_stripe, stripe_customer):
    method = api.create_payment_method(
        fake_stripe, "pm_card_visa", stripe_customer.gateway_customer_id
    )
    card = SavedCardFactory(
        customer=stripe_customer, gateway="stripe", gateway_reference=method["id"]
    )

    member_client.post(f"/portal/cards/{card.pk}/remove")

    card.refresh_from_db()
    assert card.detached_at is not None
    assert fake_stripe.get("payment_method", method["id"])["customer"] is None


@pytest.mark.django_db(transaction=True)
def test_an_invoice_paid_another_way_cancels_the_waiting_payment_intent(
    member_client, fake_stripe, stripe_customer
):
    """The defect: charged off-session (3-D Secure needed), then paid by bank transfer, then
    confirmed by the member: paid twice. Now the PaymentIntent is canceled at Stripe and the
    portal offers nothing to confirm."""
    invoice = issued_invoice(stripe_customer, total="183.00")
    card = SavedCardFactory(
        customer=stripe_customer,
        gateway="stripe",
        gateway_reference="pm_card_authenticationRequired",
        last4="3184",
    )
    charge = charge_card(invoice, "100.00", card=card)
    assert charge.status == "requires_action"
    page = member_client.get(f"/portal/invoices/{invoice.pk}/").content.decode()
    assert "Confirm your payment" in page
    assert "Awaiting your bank's confirmation" in page

    record_payment(invoice, "183.00", type="bank_transfer")

    [pi] = fake_stripe.objects("payment_intent")
    assert (pi["status"], pi["cancellation_reason"]) == ("canceled", "duplicate")
    charge.refresh_from_db()
    assert charge.status == "canceled"
    answer = member_client.post(f"/portal/payments/{charge.pk}/authenticate")
    assert answer.status_code == 302
    assert fake_stripe.count("payment_intent") == 1
    assert not [r for r in fake_stripe.requests if r["path"].endswith("/confirm")]
    page = member_client.get(f"/portal/invoices/{invoice.pk}/").content.decode()
    assert "Paid in full" in page
    assert "Confirm your payment" not in page
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "paid",
        Decimal("183.00"),
        Decimal("0.00"),
    )
    assert_no_drift()
