"""Correcting a payment as the help page suggests: refund it, credit the invoice, or adjust
the customer's money balance."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from billing.models import BalanceTransaction
from invoices.models import CreditNote
from tests.browser.conftest import screenshot
from tests.browser.steps import open_invoice
from tests.factories import (
    SavedCardFactory,
    charge_card,
    invoice_with_items,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.browser


def test_refunding_part_of_a_card_payment_updates_the_totals(page, live_server, customer):
    invoice = invoice_with_items(customer, [{"name": "Private office", "price": "150.00"}])
    charge_card(invoice)

    open_invoice(page, live_server, invoice)
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    payment = page.locator("tbody.settle-payment").first
    payment.locator("summary").click()
    screenshot(page, "payment_menu")
    payment.get_by_role("menuitem", name="Refund").click()
    expect(page.locator("h1")).to_have_text("Refund payment")
    expect(page.locator("#id_amount")).to_have_value("150.00")
    expect(page.get_by_label(re.compile("Back to the card: Visa •••• 4242"))).to_be_checked()
    page.fill("#id_amount", "40.00")
    page.fill("#id_reason", "Two days without heating")
    screenshot(page, "refund_form")
    page.get_by_role("button", name="Refund").click()

    expect(page.locator(".messagelist")).to_contain_text("Refunded €40.00")
    expect(page.get_by_test_id("paid")).to_have_text("€110.00")
    expect(page.get_by_test_id("amount-due")).to_have_text("€40.00")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Partially paid")
    refund = page.locator("tr.settle-refund")
    expect(refund).to_contain_text("Refund to Visa •••• 4242")
    expect(refund).to_contain_text("−€40.00")
    expect(refund).to_contain_text("Two days without heating")


def test_a_refund_above_what_is_refundable_is_refused_on_the_form(page, live_server, customer):
    invoice = invoice_with_items(customer, [{"name": "Day pass", "price": "30.00"}])
    record_payment(invoice, "30.00", type="cash")

    open_invoice(page, live_server, invoice)
    payment = page.locator("tbody.settle-payment").first
    payment.locator("summary").click()
    payment.get_by_role("menuitem", name="Refund").click()
    page.fill("#id_amount", "45.00")
    page.fill("#id_reason", "Mistake")
    page.get_by_role("button", name="Refund").click()

    expect(page.locator(".field-amount .errorlist")).to_contain_text(
        "exceeds the refundable amount"
    )
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("30.00")


def test_credit_note_on_a_paid_invoice_goes_to_the_customer_balance(page, live_server, customer):
    invoice = invoice_with_items(
        customer,
        [
            {"name": "Dedicated desk", "quantity": 2, "price": "100.00"},
            {"name": "Locker", "price": "15.00"},
        ],
    )
    record_payment(invoice, "215.00", type="bank_transfer", reference="SEPA 1")

    open_invoice(page, live_server, invoice)
    page.get_by_test_id("create-credit-note").click()
    expect(page.locator("h1")).to_have_text("Create credit note")
    page.fill("#id_reason", "One desk was never used")
    desk = invoice.lines.get(name="Dedicated desk")
    page.fill(f"#id_line_{desk.pk}_quantity", "1")
    page.fill("#id_to_balance", "100.00")
    screenshot(page, "credit_note_form")
    page.get_by_role("button", name="Issue credit note").click()

    expect(page.locator(".messagelist")).to_contain_text("Issued credit note CN-")
    credit_notes = page.locator("#credit-notes")
    expect(credit_notes).to_contain_text("€100.00 to the money balance")
    expect(credit_notes).to_contain_text("One desk was never used")
    page.get_by_role("link", name=customer.name).first.click()
    expect(page.get_by_test_id("money-balance")).to_have_text("€100.00")
    expect(page.locator(".settle-ledger")).to_contain_text("Credit note credited")
    credit_note = CreditNote.objects.get(invoice=invoice)
    assert (credit_note.total, credit_note.total_remaining) == (Decimal("100.00"), Decimal("0"))


def test_adjusting_a_balance_needs_a_note_and_shows_in_the_ledger(page, live_server, customer):
    SavedCardFactory(customer=customer)
    issued_invoice(customer, total="45.00")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Customers", exact=True).first.click()
    page.get_by_role("link", name=customer.name).click()
    expect(page.get_by_test_id("money-balance")).to_have_text("€0.00")
    page.get_by_role("link", name="Adjust balance").click()

    page.fill("#id_amount", "25.00")
    page.get_by_role("button", name="Adjust balance").click()
    expect(page.locator(".field-note .errorlist")).to_contain_text("This field is required")

    page.fill("#id_note", "Goodwill: printer out of order")
    page.get_by_role("button", name="Adjust balance").click()
    expect(page.locator(".messagelist")).to_contain_text("money balance is now €25.00")
    expect(page.get_by_test_id("money-balance")).to_have_text("€25.00")
    ledger = page.locator(".settle-ledger tbody tr").first
    expect(ledger).to_contain_text("Manual adjustment")
    expect(ledger).to_contain_text("+€25.00")
    expect(ledger).to_contain_text("Goodwill: printer out of order")

    page.get_by_role("link", name="Adjust balance").click()
    page.get_by_label("Deduct credit").check()
    page.fill("#id_amount", "40.00")
    page.fill("#id_note", "Taking back too much")
    page.get_by_role("button", name="Adjust balance").click()
    expect(page.locator(".field-amount .errorlist")).to_contain_text("cannot cover 40.00")
    screenshot(page, "customer_profile_adjust_refused")
    page.goto(f"{live_server.url}/admin/billing/customer/{customer.pk}/change/")
    screenshot(page, "customer_profile")
    assert [row.amount for row in BalanceTransaction.objects.filter(customer=customer)] == [
        Decimal("25.00")
    ]
