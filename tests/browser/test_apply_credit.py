"""Applying a customer's open credit note to another of their invoices, from the invoice
page, at desktop and phone widths."""

from decimal import Decimal

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.steps import open_invoice
from tests.factories import issued_credit_note, issued_invoice, record_payment

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width,height,name", [(1360, 900, "desktop"), (390, 844, "phone")])
def test_an_open_credit_note_is_applied_to_a_chosen_invoice(
    page, live_server, customer, width, height, name
):
    corrected = issued_invoice(customer, total="100.00")
    record_payment(corrected, "100.00", type="bank_transfer")
    credit_note = issued_credit_note(corrected, "30.00", reason="Meeting room unavailable")
    invoice = issued_invoice(customer, total="80.00")
    page.set_viewport_size({"width": width, "height": height})

    note_url = reverse("admin:invoices_creditnote_change", args=[quote(credit_note.pk)])
    page.goto(f"{live_server.url}{note_url}")
    expect(page.get_by_test_id("apply-credit")).to_have_text("Apply to an invoice")
    screenshot(page, f"apply_credit_note_page_{name}")

    open_invoice(page, live_server, invoice)
    section = page.locator("#credit-to-apply")
    expect(section).to_contain_text(f"Credit note {credit_note.number}")
    expect(section).to_contain_text("€30.00")
    screenshot(page, f"apply_credit_invoice_section_{name}")
    section.get_by_test_id("apply-credit").click()

    expect(page.locator("h1")).to_have_text("Apply to an invoice")
    expect(page.get_by_label(f"{invoice.number} · €80.00 due", exact=False)).to_be_checked()
    expect(page.locator("#id_amount")).to_have_value("30.00")
    screenshot(page, f"apply_credit_form_{name}")
    page.get_by_role("button", name="Apply").click()

    expect(page.locator(".messagelist")).to_contain_text(
        f"Applied €30.00 of credit note {credit_note.number} to invoice {invoice.number}."
    )
    expect(page.get_by_test_id("amount-due")).to_have_text("€50.00")
    expect(page.locator("#credit-to-apply")).to_have_count(0)
    screenshot(page, f"apply_credit_done_{name}")
    credit_note.refresh_from_db()
    assert credit_note.total_remaining == Decimal("0.00")
