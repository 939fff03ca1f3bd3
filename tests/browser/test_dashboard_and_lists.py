"""The admin index as a dashboard, and Billing → Payments with its CSV export."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import (
    SavedCardFactory,
    charge_card,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_month(customer):
    """Payments on several days, an overdue invoice, a declined charge, an overpayment."""
    today = timezone.localdate()
    for days_ago, amount in [(2, "300.00"), (9, "120.00"), (30, "450.00"), (61, "80.00")]:
        invoice = issued_invoice(customer, total=amount, date=today - timedelta(days=days_ago + 5))
        record_payment(invoice, amount, type="bank_transfer", date=today - timedelta(days=days_ago))
    overdue = issued_invoice(
        customer,
        total="200.00",
        date=today - timedelta(days=40),
        due_date=today - timedelta(days=10),
    )
    declined = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_chargeDeclined", last4="0002"
    )
    charge_card(overdue, card=declined)
    overpaid = issued_invoice(customer, total="90.00")
    record_payment(overpaid, "100.00", type="cash", reference="CASH-77")
    return overdue, overpaid


def test_dashboard_shows_what_needs_attention(page, live_server, busy_month):
    overdue, overpaid = busy_month

    page.goto(f"{live_server.url}/admin/")

    expect(page.get_by_test_id("kpi-outstanding")).to_contain_text("€200.00")
    expect(page.get_by_test_id("kpi-outstanding")).to_contain_text("overdue")
    expect(page.get_by_test_id("kpi-failed")).to_contain_text("1")
    expect(page.get_by_test_id("kpi-overpaid")).to_contain_text("€10.00 to settle")
    chart = page.locator("svg.settle-chart")
    expect(chart).to_have_count(1)
    assert chart.locator("rect.settle-chart__bar").count() == 5
    screenshot(page, "dashboard")

    page.get_by_role("link", name=overdue.number).click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Overdue")
    page.go_back()
    page.get_by_role("link", name=overpaid.number).click()
    expect(page.get_by_test_id("overpaid")).to_have_text("€10.00")
    page.get_by_role("link", name="Move excess to money balance").first.click()
    expect(page.locator("#id_amount")).to_have_value("10.00")
    page.get_by_role("button", name="Move to money balance").click()
    expect(page.locator(".messagelist")).to_contain_text("Moved €10.00")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")


def test_payments_list_filters_and_exports_csv(page, live_server, busy_month):
    page.goto(f"{live_server.url}/admin/payments/payment/")
    expect(page.locator("#result_list tbody tr")).to_have_count(6)
    page.get_by_role("link", name="Cash", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    screenshot(page, "payments_list")

    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))

    assert [(row["type"], row["amount"], row["reference"]) for row in rows] == [
        ("cash", "100.00", "CASH-77")
    ]
    assert Decimal(rows[0]["amount"]) == Decimal("100.00")


def test_payments_list_tells_money_received_from_credit_applied(page, live_server, customer):
    paid = issued_invoice(customer, total="300.00")
    record_payment(paid, "120.00", type="bank_transfer", reference="SEPA-1")
    credited = issued_invoice(customer, total="200.00")
    issued_credit_note(credited, "50.00", to="invoice")

    page.goto(f"{live_server.url}/admin/payments/payment/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#result_list thead")).to_contain_text("Kind")
    expect(rows.filter(has_text="SEPA-1").locator("td.field-payment_kind")).to_have_text(
        "Money received"
    )
    expect(rows.filter(has_text="Credit note").locator("td.field-payment_kind")).to_have_text(
        "Credit applied"
    )
    screenshot(page, "payments_list_kinds")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "payments_list_kinds_phone")
    page.set_viewport_size({"width": 1360, "height": 900})

    page.get_by_role("link", name="Credit applied", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Credit applied")

    page.goto(f"{live_server.url}/admin/invoices/invoice/")
    row = page.locator("#result_list tbody tr").filter(has_text=credited.number)
    expect(row).to_contain_text("Partially credited")
    screenshot(page, "invoices_list_partially_credited")
