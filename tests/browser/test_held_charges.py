"""A charge waiting for 3-D Secure, as the office and the member see it in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.steps import create_payment, open_invoice
from tests.factories import SavedCardFactory, charge_card, issued_invoice, record_payment

pytestmark = pytest.mark.browser


def secure_card(customer):
    return SavedCardFactory(
        customer=customer, gateway_reference="pm_card_authenticationRequired", last4="3184"
    )


def test_the_office_sees_what_a_waiting_charge_holds_and_cancels_it(page, live_server, customer):
    invoice = issued_invoice(customer, total="183.00")
    charge_card(invoice, "100.00", card=secure_card(customer))

    open_invoice(page, live_server, invoice)
    create_payment(page)
    expect(page.get_by_test_id("summary-reserved")).to_have_text("€100.00")
    expect(page.locator("#id_amount")).to_have_value("83.00")
    expect(page.get_by_test_id("reserved-note")).to_contain_text("€83.00 is left to pay")
    screenshot(page, "payment_create_with_waiting_charge")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "payment_create_with_waiting_charge_phone")
    page.set_viewport_size({"width": 1360, "height": 900})

    open_invoice(page, live_server, invoice)
    payment = page.locator("tbody.settle-payment").first
    payment.locator("summary").click()
    payment.get_by_role("menuitem", name="Cancel charge").click()
    expect(page.locator("h1")).to_have_text("Cancel charge")
    screenshot(page, "payment_cancel")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "payment_cancel_phone")
    page.set_viewport_size({"width": 1360, "height": 900})
    page.get_by_role("button", name="Cancel charge").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Canceled the waiting charge of €100.00; nothing was charged. €183.00 can now be paid."
    )
    expect(page.get_by_test_id("amount-due")).to_have_text("€183.00")
    screenshot(page, "invoice_after_cancel")


def test_the_member_is_not_asked_to_confirm_a_charge_the_invoice_no_longer_needs(
    portal, live_server, lena
):
    invoice = issued_invoice(lena, total="183.00")
    charge_card(invoice, "100.00", card=secure_card(lena))

    portal.goto(f"{live_server.url}/portal/invoices/{invoice.pk}/")
    expect(portal.get_by_role("heading", name="Confirm your payment")).to_be_visible()
    expect(portal.locator("#amount-reserved")).to_have_text(re.compile("100.00"))
    screenshot(portal, "portal_invoice_waiting_charge")
    portal.set_viewport_size({"width": 390, "height": 844})
    screenshot(portal, "portal_invoice_waiting_charge_phone")

    record_payment(invoice, "183.00", type="bank_transfer")  # the office, meanwhile
    portal.reload()

    expect(portal.get_by_role("heading", name="Paid in full")).to_be_visible()
    expect(portal.get_by_role("heading", name="Confirm your payment")).to_have_count(0)
    screenshot(portal, "portal_invoice_paid_another_way_phone")
