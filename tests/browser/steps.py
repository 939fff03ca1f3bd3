"""Steps an administrator takes, shared by the browser tests."""

from playwright.sync_api import expect


def open_invoice(page, live_server, invoice):
    """Billing → Invoices → the invoice, as an administrator gets there."""
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Invoices", exact=True).first.click()
    page.get_by_role("link", name=invoice.number).click()
    expect(page.locator("h1")).to_contain_text(invoice.number)


def create_payment(page):
    """In the Payments section, press Create."""
    page.get_by_test_id("create-payment").click()
    expect(page.locator("h1")).to_have_text("Create payment")
