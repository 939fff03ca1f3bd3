"""The member portal in Chromium (sandbox mode): sign in, pay what is due with a saved card,
pay part of it with a new test card, and be told clearly when an amount is too high."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments.models import Payment, SavedPaymentMethod
from tests.browser.conftest import screenshot
from tests.factories import SavedCardFactory, issued_invoice, record_payment

pytestmark = pytest.mark.browser


def open_invoice(tab, invoice):
    tab.get_by_role("link", name=invoice.number).click()
    expect(tab.locator("h1")).to_contain_text(invoice.number)


def test_member_pays_the_remaining_amount_with_a_saved_card(portal, live_server, lena):
    SavedCardFactory(customer=lena, is_default=True)
    paid_before = issued_invoice(lena, total="80.00")
    invoice = issued_invoice(lena, total="240.00")
    record_payment(invoice, "40.00", type="bank_transfer")
    record_payment(paid_before, "80.00", type="cash")

    portal.reload()
    expect(portal.locator(".tile").first).to_contain_text("€200.00")
    screenshot(portal, "portal_invoices")
    open_invoice(portal, invoice)
    expect(portal.locator("#amount-due")).to_have_text("€200.00")
    expect(portal.locator("#id_amount")).to_have_value("200.00")
    expect(portal.get_by_label("Visa •••• 4242")).to_be_checked()
    screenshot(portal, "portal_invoice_pay")

    portal.get_by_role("button", name="Pay", exact=True).click()

    expect(portal.locator(".message.success")).to_contain_text(
        "your payment of €200.00 was received"
    )
    expect(portal.locator(".doc-head .badge")).to_have_text("Paid")
    expect(portal.locator("#amount-due")).to_have_text("€0.00")
    screenshot(portal, "portal_invoice_paid")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("paid", Decimal("0.00"))

    portal.get_by_role("link", name="Receipt").first.click()
    expect(portal.locator("h1")).to_have_text("Payment receipt")
    expect(portal.locator(".receipt-amount")).to_have_text("€200.00")
    screenshot(portal, "portal_receipt")


def test_member_pays_part_with_a_new_sandbox_card(portal, live_server, lena):
    invoice = issued_invoice(lena, total="120.00")
    portal.reload()
    open_invoice(portal, invoice)

    portal.fill("#id_amount", "45.50")
    portal.get_by_label("A new card").check()
    portal.get_by_role("button", name="Pay", exact=True).click()

    expect(portal.locator("h1")).to_have_text("Add a test card")
    expect(portal.locator(".sandbox-banner")).to_contain_text("Sandbox")
    portal.fill("#id_number", "4242 4242 4242 4242")
    portal.fill("#id_expiry", "12/34")
    portal.fill("#id_cvc", "123")
    screenshot(portal, "portal_sandbox_card")
    portal.get_by_role("button", name="Save the card and pay").click()

    expect(portal.locator(".message.success")).to_contain_text("€45.50 was received")
    expect(portal.locator("#amount-due")).to_have_text("€74.50")
    expect(portal.locator(".doc-head .badge")).to_have_text("Partially paid")
    expect(portal.locator("#id_amount")).to_have_value("74.50")
    screenshot(portal, "portal_invoice_partially_paid")
    card = SavedPaymentMethod.objects.get(customer=lena)
    assert (card.gateway, card.gateway_reference, card.last4) == ("sandbox", "pm_card_visa", "4242")
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.amount, payment.saved_payment_method) == (
        "succeeded",
        Decimal("45.50"),
        card,
    )


def test_an_amount_above_what_is_due_is_refused(portal, live_server, lena):
    SavedCardFactory(customer=lena, is_default=True)
    invoice = issued_invoice(lena, total="120.00")
    portal.reload()
    open_invoice(portal, invoice)

    portal.fill("#id_amount", "500.00")
    portal.get_by_role("button", name="Pay", exact=True).click()

    expect(portal.locator("#amount-error")).to_have_text(
        "You can pay at most €120.00: €500.00 is more than what is due."
    )
    screenshot(portal, "portal_amount_refused")
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_a_card_needing_authentication_goes_through_the_sandbox_check(portal, live_server, lena):
    SavedCardFactory(
        customer=lena,
        gateway_reference="pm_card_authenticationRequired",
        last4="3184",
        is_default=True,
    )
    invoice = issued_invoice(lena, total="60.00")
    portal.reload()
    open_invoice(portal, invoice)

    portal.get_by_role("button", name="Pay", exact=True).click()

    expect(portal.locator("h1")).to_have_text("Confirm the payment")
    expect(portal.locator(".tag.sandbox").first).to_have_text("Sandbox")
    screenshot(portal, "portal_sandbox_authentication")
    portal.get_by_role("button", name="Complete authentication").click()

    expect(portal.locator(".message.success")).to_contain_text("€60.00 was received")
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_member_reads_their_balance_without_staff_notes(portal, live_server, lena):
    from tests.factories import give_balance

    give_balance(lena, "25.00", reason="Internal: goodwill after the heating complaint")
    issued_invoice(lena, total="10.00")

    portal.get_by_role("link", name="Balance").first.click()
    rows = portal.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Credit added")
    expect(rows.nth(0)).to_contain_text("Used to pay invoice")
    expect(portal.locator("body")).not_to_contain_text("heating complaint")
    screenshot(portal, "portal_balance")
    portal.set_viewport_size({"width": 390, "height": 844})
    screenshot(portal, "portal_balance_phone")
