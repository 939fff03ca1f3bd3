"""The customer statement in Chromium, back office and portal, at desktop and phone width:
the page never scrolls sideways; a wide table scrolls inside its card."""

import pytest

from tests.browser.conftest import screenshot
from tests.factories import (
    give_balance,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

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


def test_the_balance_and_advance_explanations_fit_a_phone(page, live_server, customer):
    give_balance(customer, "1234567.50", reason="A long internal note about a goodwill credit")
    issued_invoice(customer, total="30.00")
    advance = issued_advance(customer, total="100.00")
    record_payment(advance, "70.00", type="bank_transfer")
    final = issued_invoice(customer, total="80.00", apply_balance=False)
    record_payment(final, "50.00", type="advance", advance_invoice_id=advance.pk)

    page.set_viewport_size(PHONE)
    # The explanation's tables scroll inside their card: the card ends within the screen.
    fits = "(selector) => document.querySelector(selector).getBoundingClientRect().right"
    pages = {
        "balance": (f"/admin/billing/customer/{customer.pk}/change/", "#explain-balance"),
        "advance": (f"/admin/invoices/advanceinvoice/{advance.pk}/change/", "#explain"),
    }
    for name, (path, selector) in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.locator(f"{selector} summary").click()
        page.locator(f"{selector} table").first.wait_for()
        screenshot(page, f"explain_{name}_phone")
        assert page.evaluate(fits, selector) <= PHONE["width"], name
    page.goto(f"{live_server.url}/admin/billing/customer/{customer.pk}/change/")
    assert page.evaluate(WIDTHS)[0] <= PHONE["width"]  # the whole profile fits, too
