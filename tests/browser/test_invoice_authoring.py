"""Drafting an invoice in Chromium: two lines with a discount and decimal commas, "Add line"
from the page's script (and without it), editing the draft, and issuing it with a chosen due
date, on a desktop and on a phone with nothing wider than the screen; duplicating an issued
invoice and deleting the copy."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from invoices.models import Invoice
from tests.browser.conftest import PASSWORD, screenshot, watch_csp
from tests.factories import issued_invoice

pytestmark = pytest.mark.browser


def shown(day) -> str:
    """A date as the pages write it: `5 Mar 2026`."""
    return f"{day.day} {day:%b %Y}"


def fits(page) -> None:
    """Nothing on the page is wider than the window (no sideways scrolling)."""
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def fill_line(page, index: int, name, quantity, price, tax, discount="") -> None:
    page.fill(f"#id_lines-{index}-name", name)
    page.fill(f"#id_lines-{index}-quantity", quantity)
    page.fill(f"#id_lines-{index}-unit_price", price)
    page.fill(f"#id_lines-{index}-tax_rate", tax)
    page.fill(f"#id_lines-{index}-discount_percent", discount)


@pytest.mark.parametrize("width,height,device", [(1360, 900, "desktop"), (390, 844, "phone")])
def test_draft_edit_and_issue_an_invoice_with_a_discount(
    page, live_server, customer, width, height, device
):
    page.set_viewport_size({"width": width, "height": height})
    today = timezone.localdate()
    page.goto(f"{live_server.url}/admin/invoices/invoice/")
    page.get_by_role("link", name="Add invoice").click()
    expect(page.locator("h1")).to_have_text("Add invoice")

    page.select_option("#id_customer", label="Northwind Studio · EUR · Harbour Coworking")
    page.fill("#id_payment_terms_days", "30")
    fill_line(page, 0, "Desk rental, March", "2", "150,00", "20", "10")
    page.get_by_role("button", name="+ Add line").click()
    expect(page.locator("tr[data-line-row]")).to_have_count(2)
    fill_line(page, 1, "Coffee", "3", "2,35", "10")
    page.fill("#id_footer", "IBAN DE89 3704 0044 0532 0130 00 · Thank you!")
    fits(page)
    screenshot(page, f"invoice_draft_add_{device}")
    page.get_by_role("button", name="Create draft invoice").last.click()

    expect(page.locator(".messagelist")).to_contain_text("Drafted invoice for Northwind Studio")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Draft")
    expect(page.get_by_test_id("total")).to_have_text("€331.76")
    expect(page.get_by_test_id("due-date")).to_have_text(shown(today + timedelta(days=30)))
    expect(page.locator(".settle-head__meta")).not_to_contain_text("Issued")
    fits(page)
    screenshot(page, f"invoice_draft_page_{device}")

    page.get_by_role("link", name="Edit draft").click()
    expect(page.locator("#id_lines-1-unit_price")).to_have_value("2.35")
    page.fill("#id_lines-1-quantity", "4")
    fits(page)
    screenshot(page, f"invoice_draft_edit_{device}")
    page.get_by_role("button", name="Save draft").last.click()
    expect(page.locator(".messagelist")).to_contain_text("Saved the draft: €334.34")
    expect(page.get_by_test_id("total")).to_have_text("€334.34")

    page.get_by_role("link", name="Issue invoice").click()
    due = page.locator("#id_due_date")
    expect(due).to_have_value((today + timedelta(days=30)).isoformat())
    chosen = today + timedelta(days=45)
    due.fill(chosen.isoformat())
    fits(page)
    screenshot(page, f"invoice_issue_due_date_{device}")
    page.get_by_role("button", name="Issue invoice").click()

    expect(page.locator(".messagelist")).to_contain_text(f"due {shown(chosen)}")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Issued")
    expect(page.get_by_test_id("due-date")).to_have_text(shown(chosen))
    fits(page)
    screenshot(page, f"invoice_issued_{device}")
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.due_date, invoice.total) == (
        "issued",
        chosen,
        Decimal("334.34"),
    )
    assert [(line.discount_percent, line.total) for line in invoice.lines.all()] == [
        (Decimal("10.000"), Decimal("324.00")),
        (Decimal("0.000"), Decimal("10.34")),
    ]


def test_add_line_works_without_the_script_and_a_duplicate_can_be_deleted(
    browser, page, live_server, customer, office
):
    invoice = issued_invoice(customer, total="120.00")
    context = browser.new_context(
        viewport={"width": 1360, "height": 900}, locale="en-GB", java_script_enabled=False
    )
    violations = watch_csp(context)
    plain = context.new_page()
    plain.goto(f"{live_server.url}/admin/login/")
    plain.fill("#id_username", office[0].username)
    plain.fill("#id_password", PASSWORD)
    plain.click("input[type=submit]")
    plain.goto(f"{live_server.url}/admin/invoices/invoice/add/")
    plain.select_option("#id_customer", label="Northwind Studio · EUR · Harbour Coworking")
    fill_line(plain, 0, "Desk rental", "1", "99,90", "0")
    plain.get_by_role("button", name="+ Add line").click()
    expect(plain.locator("tr[data-line-row]")).to_have_count(2)
    expect(plain.locator("#id_lines-0-unit_price")).to_have_value("99,90")
    fill_line(plain, 1, "Locker", "1", "5", "0")
    plain.get_by_role("button", name="Create draft invoice").last.click()
    expect(plain.get_by_test_id("total")).to_have_text("€104.90")
    context.close()
    assert violations == []

    page.goto(f"{live_server.url}/admin/invoices/invoice/{invoice.pk}/change/")
    page.get_by_role("link", name="Duplicate as new draft").click()
    screenshot(page, "invoice_duplicate_confirm")
    page.get_by_role("button", name="Create the new draft").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Duplicated {invoice.number}")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Draft")
    expect(page.get_by_test_id("total")).to_have_text("€120.00")
    page.get_by_role("link", name="Delete draft").click()
    screenshot(page, "invoice_delete_draft_confirm")
    page.get_by_role("button", name="Delete draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Deleted the draft invoice")
    assert Invoice.objects.filter(status="draft").count() == 1  # the one drafted without script
