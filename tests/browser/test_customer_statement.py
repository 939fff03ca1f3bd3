"""The customer statement in Chromium, back office and portal, at desktop and phone width:
the page never scrolls sideways; a wide table scrolls inside its card."""

import pytest

from tests.browser.conftest import screenshot
from tests.factories import give_balance, issued_credit_note, issued_invoice, record_payment

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _history(customer):
    invoice = issued_invoice(customer, total="1234567.89", apply_balance=False)
    record_payment(invoice, "1000.00", type="bank_transfer", reference="SEPA-2026-000123456789")
    give_balance(customer, "12.50")
    issued_credit_note(invoice, "20.00", to="invoice")
    return invoice


def test_the_back_office_statement_at_desktop_and_phone_width(page, live_server, customer):
    invoice = _history(customer)
    page.goto(f"{live_server.url}/admin/billing/customer/{customer.pk}/change/")
    page.get_by_test_id("customer-statement").click()
    page.get_by_test_id("statement-rows").wait_for()
    assert f"Invoice {invoice.number}" in page.get_by_test_id("statement-rows").inner_text()
    screenshot(page, "statement_admin_desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    widths = page.evaluate(WIDTHS)
    screenshot(page, "statement_admin_phone")
    assert widths[0] <= widths[1], widths


def test_the_portal_statement_at_desktop_and_phone_width(portal, live_server, lena):
    invoice = _history(lena)
    portal.get_by_role("link", name="Statement").click()
    portal.get_by_test_id("statement-rows").wait_for()
    assert f"Invoice {invoice.number}" in portal.get_by_test_id("statement-rows").inner_text()
    screenshot(portal, "statement_portal_desktop")

    portal.set_viewport_size(PHONE)
    portal.reload()
    widths = portal.evaluate(WIDTHS)
    screenshot(portal, "statement_portal_phone")
    assert widths[0] <= widths[1], widths
