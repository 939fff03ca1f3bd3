"""Reports → Aged receivables and Collections in Chromium, at desktop and phone width: the
figures, the customer links, the CSV downloads, and wide tables that scroll inside their
card instead of widening the page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, issued_credit_note, issued_invoice, record_payment

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def book(office, customer):
    _user, entity = office
    today = timezone.localdate()
    other = CustomerFactory(entity=entity, name="Bright Ideas Collective of Very Long Names")
    for who, total, late in [
        (customer, "1200.00", 45),
        (customer, "300.00", 0),
        (other, "80.00", 95),
    ]:
        invoice = issued_invoice(
            who,
            total=total,
            date=today - timedelta(days=late + 30),
            due_date=today - timedelta(days=late),
            apply_balance=False,
        )
        record_payment(invoice, "50.00", type="bank_transfer", date=today)
    issued_credit_note(invoice, "10.00", to="invoice")
    return customer


def page_fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_aged_receivables_page_at_desktop_and_phone_width(page, live_server, book):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Aged receivables").first.click()

    expect(page.locator("h1")).to_have_text("Aged receivables")
    section = page.get_by_test_id("aging-EUR")
    expect(section).to_contain_text("€1,420.00")
    expect(section.get_by_test_id("aging-customers")).to_contain_text("Northwind Studio")
    screenshot(page, "report_aged_receivables")
    with page.expect_download() as download:
        page.get_by_test_id("download-csv").click()
    assert download.value.suggested_filename.startswith("aged-receivables-")

    page.set_viewport_size(PHONE)
    page.reload()
    assert page_fits_the_screen(page)
    screenshot(page, "report_aged_receivables_phone")

    section.get_by_role("link", name="Northwind Studio").click()
    expect(page).to_have_url(re.compile(r"/admin/billing/customer/cus_.+/change/$"))


def test_collections_page_at_desktop_and_phone_width(page, live_server, book):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Collections").first.click()

    expect(page.locator("h1")).to_have_text("Collections")
    page.select_option("#id_group_by", "week")
    page.get_by_role("button", name="Show").click()
    section = page.get_by_test_id("collections-EUR")
    expect(section).to_contain_text("€150.00 net")
    expect(section).to_contain_text("Credits, not money")
    screenshot(page, "report_collections")

    page.set_viewport_size(PHONE)
    page.reload()
    assert page_fits_the_screen(page)
    wrap = section.locator(".settle-table-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls in its card
    screenshot(page, "report_collections_phone")
