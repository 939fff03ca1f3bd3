"""The member portal in Chromium with Stripe keys, against the local fake Stripe: a new card
typed on (fake) Stripe Checkout, and 3-D Secure on the (fake) bank page, back to Settle."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments.models import Payment, SavedPaymentMethod
from payments.services.saved_methods import customer_ensure_gateway
from tests.browser.conftest import screenshot
from tests.factories import SYSTEM, SavedCardFactory, issued_invoice
from tests.stripe_fake import fixtures as stripe_fixtures

pytestmark = pytest.mark.browser
_fake_stripe_server = stripe_fixtures._fake_stripe_server
fake_stripe = stripe_fixtures.fake_stripe


@pytest.fixture
def stripe_lena(fake_stripe, lena):
    customer_ensure_gateway(customer=lena, actor=SYSTEM, gateway_name="stripe")
    lena.refresh_from_db()
    return lena


def test_a_card_needing_3d_secure_is_authenticated_at_the_bank(portal, fake_stripe, stripe_lena):
    SavedCardFactory(
        customer=stripe_lena,
        gateway="stripe",
        gateway_reference="pm_card_authenticationRequired",
        last4="3184",
        is_default=True,
    )
    invoice = issued_invoice(stripe_lena, total="90.00")
    portal.reload()
    expect(portal.locator(".sandbox-banner")).to_have_count(0)  # real (test) Stripe here
    portal.get_by_role("link", name=invoice.number).click()

    portal.get_by_role("button", name="Pay", exact=True).click()

    expect(portal.locator("h1")).to_have_text("3D Secure 2 Test Page (fake)")
    portal.click("#complete")
    expect(portal.locator(".message.success")).to_contain_text("€90.00 was received")
    expect(portal.locator(".doc-head .badge")).to_have_text("Paid")
    screenshot(portal, "portal_stripe_after_3ds")
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.gateway, payment.status) == ("stripe", "succeeded")
    assert fake_stripe.count("payment_intent") == 1


def test_a_new_card_is_typed_on_stripe_checkout(portal, fake_stripe, stripe_lena):
    invoice = issued_invoice(stripe_lena, total="90.00")
    portal.reload()
    portal.get_by_role("link", name=invoice.number).click()
    portal.fill("#id_amount", "30.00")
    portal.get_by_label("A new card").check()

    portal.get_by_role("button", name="Pay", exact=True).click()

    expect(portal.locator("h1")).to_have_text("Stripe Checkout (fake)")
    portal.get_by_role("link", name="pm_card_visa", exact=True).click()
    expect(portal.locator(".message.success")).to_contain_text("€30.00 was received")
    expect(portal.locator("#amount-due")).to_have_text("€60.00")
    card = SavedPaymentMethod.objects.get(customer=stripe_lena)
    assert card.gateway == "stripe" and card.gateway_reference.startswith("pm_")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("partially_paid", Decimal("60.00"))
