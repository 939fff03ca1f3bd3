"""The help page, step by step: open an invoice, Create a payment, Charge."""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from payments.gateways import override_gateway
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, PaymentStatus
from tests.browser.conftest import PASSWORD, screenshot
from tests.browser.steps import create_payment, open_invoice
from tests.factories import SavedCardFactory, issued_invoice

pytestmark = pytest.mark.browser


def test_external_partial_payment_makes_the_invoice_partially_paid(page, live_server, customer):
    SavedCardFactory(customer=customer)
    due = timezone.localdate() + timedelta(days=14)
    invoice = issued_invoice(customer, total="500.00", due_date=due)

    open_invoice(page, live_server, invoice)
    expect(page.get_by_test_id("amount-due")).to_have_text("€500.00")
    screenshot(page, "invoice_page_before_payment")
    create_payment(page)
    expect(page.locator("#id_amount")).to_have_value("500.00")
    # Nothing is chosen: no card would be charged by accident, and the button records.
    expect(page.locator("input[name=method]:checked")).to_have_count(0)
    expect(page.get_by_test_id("submit-record")).to_be_visible()
    expect(page.get_by_test_id("submit-charge")).to_be_hidden()
    expect(page.locator("[data-external-fields]")).to_be_hidden()
    screenshot(page, "payment_create_nothing_chosen")
    page.get_by_label(re.compile(r"Visa •••• 4242")).check()
    expect(page.get_by_role("button", name="Charge card")).to_be_visible()
    expect(page.get_by_test_id("submit-record")).to_be_hidden()
    screenshot(page, "payment_create_card_chosen")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "payment_create_card_chosen_phone")
    page.set_viewport_size({"width": 1360, "height": 900})
    page.get_by_label("External — paid outside the app").check()
    expect(page.get_by_role("button", name="Record payment")).to_be_visible()
    expect(page.get_by_test_id("submit-charge")).to_be_hidden()
    page.fill("#id_amount", "200.00")
    page.select_option("#id_external_type", "bank_transfer")
    page.fill("#id_reference", "SEPA 2291-44")
    page.fill("#id_note", "Part payment, the rest next month")
    screenshot(page, "payment_create_form")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "payment_create_form_phone")
    page.set_viewport_size({"width": 1360, "height": 900})
    page.get_by_role("button", name="Record payment").click()

    expect(page.locator(".messagelist")).to_contain_text("Recorded €200.00 paid by bank transfer")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Partially paid")
    expect(page.get_by_test_id("amount-due")).to_have_text("€300.00")
    expect(page.get_by_test_id("paid")).to_have_text("€200.00")
    row = page.locator("tbody.settle-payment").first
    expect(row).to_contain_text("External · Bank transfer")
    expect(row).to_contain_text("SEPA 2291-44")
    screenshot(page, "invoice_page")
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"
    assert invoice.total_due == Decimal("300.00")


def test_charge_on_a_saved_card_succeeds(page, live_server, customer):
    SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="120.00")

    open_invoice(page, live_server, invoice)
    create_payment(page)
    page.get_by_label(re.compile(r"Visa •••• 4242")).check()
    page.get_by_role("button", name="Charge card").click()

    expect(page.locator(".messagelist")).to_contain_text("Charged €120.00 to Visa •••• 4242")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(page.get_by_test_id("amount-due")).to_have_text("€0.00")
    expect(page.locator("tbody.settle-payment").first).to_contain_text("Succeeded")
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.amount, payment.gateway) == (
        "succeeded",
        Decimal("120.00"),
        "sandbox",
    )


def test_declined_charge_shows_the_reason_and_can_be_retried(page, live_server, customer):
    SavedCardFactory(customer=customer, gateway_reference="pm_card_chargeDeclined", last4="0002")
    invoice = issued_invoice(customer, total="80.00")

    open_invoice(page, live_server, invoice)
    create_payment(page)
    page.get_by_label(re.compile(r"Visa •••• 0002")).check()
    page.get_by_role("button", name="Charge card").click()

    expect(page.locator(".messagelist .error")).to_contain_text("Your card was declined.")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Issued")
    failed = page.locator("tbody.settle-payment").first
    expect(failed).to_contain_text("Failed")
    expect(failed).to_contain_text("Declined: Your card was declined.")
    screenshot(page, "declined_charge")

    SavedCardFactory(customer=customer, gateway_reference="pm_card_visa", last4="4242")
    failed.locator("summary").click()
    failed.get_by_role("menuitem", name="Retry").click()
    page.get_by_label(re.compile(r"Visa •••• 4242")).check()
    page.get_by_role("button", name="Retry charge").click()

    expect(page.locator(".messagelist")).to_contain_text("Charged €80.00 to Visa •••• 4242")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    statuses = sorted(Payment.objects.filter(invoice=invoice).values_list("status", flat=True))
    assert statuses == [PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]


class SlowSandbox(SandboxGateway):
    """The sandbox, answering after a second like a real gateway on a slow day."""

    def charge(self, request):
        time.sleep(1.0)
        return super().charge(request)


@pytest.fixture
def slow_gateway():
    override_gateway("sandbox", SlowSandbox())
    yield
    override_gateway("sandbox", None)


def test_double_clicking_charge_creates_one_payment(page, live_server, customer):
    SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="64.00")

    open_invoice(page, live_server, invoice)
    create_payment(page)
    page.get_by_label(re.compile(r"Visa •••• 4242")).check()
    page.get_by_role("button", name="Charge card").dblclick()

    expect(page.locator(".messagelist")).to_contain_text("Charged €64.00")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(page.locator("tbody.settle-payment")).to_have_count(1)
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_a_second_submission_of_the_same_form_is_answered_not_charged(
    page, live_server, customer, slow_gateway
):
    SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="64.00")

    open_invoice(page, live_server, invoice)
    create_payment(page)
    page.get_by_label(re.compile(r"Visa •••• 4242")).check()
    form = page.locator("#payment-create-form")
    sent = form.evaluate("form => Object.fromEntries(new FormData(form))")
    # Without the page's own guard, a second click 0.3 s after the first reaches the server
    # with the same form token while the first is still waiting for the gateway.
    form.evaluate(
        """form => {
            form.removeAttribute("data-once");
            const button = form.querySelector("input[type=submit]");
            button.addEventListener("click", () => setTimeout(() => button.click(), 300), {once: true});
        }"""
    )
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    page.get_by_role("button", name="Charge card").click()

    expect(page.locator(".messagelist")).to_contain_text("already submitted")
    # The second answer does not wait for the first: reloading shows the charge once done.
    deadline = time.monotonic() + 15
    while page.get_by_test_id("invoice-status").inner_text() != "Paid":
        assert time.monotonic() < deadline, "the first submission's charge never showed"
        time.sleep(0.2)
        page.reload()
    expect(page.locator("tbody.settle-payment")).to_have_count(1)
    assert len(posts) == 2
    assert Payment.objects.filter(invoice=invoice).count() == 1

    # The same form sent once more later (a resubmitted page) is answered too.
    create_url = reverse("admin:invoices_invoice_payment_create", args=[invoice.pk])
    again = page.request.post(f"{live_server.url}{create_url}", form=sent)
    assert again.ok
    assert "already submitted" in again.text()
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_without_javascript_both_buttons_show_and_a_wrong_press_charges_nothing(
    browser, live_server, office, customer
):
    SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="90.00")
    context = browser.new_context(
        viewport={"width": 1360, "height": 900}, locale="en-GB", java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", office[0].username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(
            f"{live_server.url}{reverse('admin:invoices_invoice_payment_create', args=[invoice.pk])}"
        )

        expect(page.get_by_role("button", name="Record payment")).to_be_visible()
        expect(page.get_by_role("button", name="Charge card")).to_be_visible()
        screenshot(page, "payment_create_without_javascript")
        page.get_by_label(re.compile(r"Visa •••• 4242")).check()
        page.get_by_role("button", name="Record payment").click()

        expect(page.locator(".field-method .errorlist")).to_contain_text(
            "A saved card is charged, not recorded: press Charge card"
        )
        assert not Payment.objects.filter(invoice=invoice).exists()
        page.get_by_role("button", name="Charge card").click()
        expect(page.locator(".messagelist")).to_contain_text("Charged €90.00 to Visa •••• 4242")
    finally:
        context.close()
