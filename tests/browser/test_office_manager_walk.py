"""The whole life of an invoice in Chromium, as its two people live it.

The office manager, at a desk (1360 px): creates a customer, writes a two-line invoice with a
discount, issues it and has it e-mailed with its PDF, downloads the PDF, and records a part
payment by bank transfer typed with a decimal comma. Then the member, on a phone (390 px):
finds the invoice in the portal, pays the rest with a sandbox card and downloads the receipt.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import Customer
from invoices.models import Invoice
from payments.models import Payment
from tests.admin_support import MONEY_PERMISSIONS, staff
from tests.browser.conftest import PASSWORD, screenshot, watch_csp
from tests.factories import EntityFactory, UserFactory
from tests.payments.pdf_support import pdf_text

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1360, "height": 900}
PHONE = {"width": 390, "height": 844}
# What an office manager is given: the pages, the money flows, and writing customers and
# invoices; no more.
OFFICE_MANAGER = [
    *MONEY_PERMISSIONS,
    "billing.add_customer",
    "billing.change_customer",
    "invoices.add_invoice",
    "invoices.change_invoice",
]


def shown(day) -> str:
    """A date as the pages write it: `5 Mar 2026`."""
    return f"{day.day} {day:%b %Y}"


def fits(page, what: str) -> None:
    """Nothing on the page is wider than the window (no sideways scrolling)."""
    width, window = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width <= window, f"{what} is {width} px wide in a {window} px window"


def on_screen(locator) -> None:
    """`locator` shows whole: not cut off by the edge of a card that scrolls sideways."""
    left, right, card_left, card_right = locator.evaluate(
        """element => {
            const box = element.getBoundingClientRect();
            const card = (element.closest(".card") || document.body).getBoundingClientRect();
            return [box.left, box.right, Math.max(card.left, 0), Math.min(card.right, innerWidth)];
        }"""
    )
    assert card_left <= left and right <= card_right, (
        f"{locator} spans {left}-{right} px, its card shows {card_left}-{card_right} px"
    )


def look(page, name: str, what: str) -> None:
    fits(page, what)
    screenshot(page, f"walk_{name}")


def downloaded(page, link) -> tuple[str, bytes]:
    """Click `link`, wait for the download, return its file name and bytes."""
    with page.expect_download() as started:
        link.click()
    download = started.value
    with open(download.path(), "rb") as file:
        return download.suggested_filename, file.read()


def fill_line(page, index: int, name, quantity, price, tax, discount="") -> None:
    page.fill(f"#id_lines-{index}-name", name)
    page.fill(f"#id_lines-{index}-quantity", quantity)
    page.fill(f"#id_lines-{index}-unit_price", price)
    page.fill(f"#id_lines-{index}-tax_rate", tax)
    page.fill(f"#id_lines-{index}-discount_percent", discount)


@pytest.fixture
def entity(live_server):
    return EntityFactory(name="Harbour Coworking")


@pytest.fixture
def contexts(browser):
    """Open browser contexts, each watched for CSP violations; closed and checked at the end."""
    opened = []

    def open_context(viewport):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        context.set_default_timeout(15_000)
        opened.append((context, watch_csp(context)))
        return context.new_page()

    yield open_context
    for context, _violations in opened:
        context.close()
    violations = [line for _context, found in opened for line in found]
    assert violations == [], "Content Security Policy violations:\n" + "\n".join(violations)


def sign_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("[type=submit]").click()


def test_an_invoice_from_the_office_to_the_members_phone(live_server, entity, contexts):
    manager = staff(entity, grant=OFFICE_MANAGER)
    today = timezone.localdate()
    office = contexts(DESKTOP)
    sign_in(office, f"{live_server.url}/admin/login/", manager.username)
    office.wait_for_url(f"{live_server.url}/admin/")

    # 1. A new customer, through the customer form.
    office.get_by_role("link", name="Customers", exact=True).first.click()
    office.get_by_role("link", name="Add customer").click()
    expect(office.locator("h1")).to_have_text("Add customer")
    office.fill("#id_name", "Northwind Studio")
    office.fill("#id_email", "ap@northwind.example")
    office.fill("#id_address", "1 Quay Street\n20457 Hamburg")  # sent as CR LF, kept as LF
    look(office, "1_customer_add", "the new customer form")
    office.locator("input[name=_continue]").click()
    expect(office.locator(".messagelist")).to_contain_text("was added successfully")
    customer = Customer.objects.get(name="Northwind Studio")
    assert (customer.entity, customer.email, customer.currency, customer.address) == (
        entity,
        "ap@northwind.example",
        "EUR",
        "1 Quay Street\n20457 Hamburg",
    )
    look(office, "1_customer_page", "the customer page")

    # 2. A two-line draft, one line with a discount, prices typed with decimal commas.
    office.goto(f"{live_server.url}/admin/")
    office.get_by_role("link", name="Invoices", exact=True).first.click()
    office.get_by_role("link", name="Add invoice").click()
    expect(office.locator("h1")).to_have_text("Add invoice")
    office.select_option("#id_customer", label="Northwind Studio · EUR · Harbour Coworking")
    office.fill("#id_payment_terms_days", "30")
    fill_line(office, 0, "Desk rental, March", "2", "150,00", "20", "10")
    office.get_by_role("button", name="+ Add line").click()
    fill_line(office, 1, "Coffee", "3", "2,35", "10")
    look(office, "2_invoice_add", "the new invoice form")
    office.get_by_role("button", name="Create draft invoice").last.click()

    expect(office.locator(".messagelist")).to_contain_text("Drafted invoice for Northwind Studio")
    expect(office.get_by_test_id("invoice-status")).to_have_text("Draft")
    expect(office.get_by_test_id("total")).to_have_text("€331.76")
    expect(office.get_by_test_id("amount-due")).to_have_text("€331.76")
    lines = office.locator("table.settle-lines")
    expect(lines.locator("tbody tr")).to_have_count(2)
    expect(lines.locator("tbody tr").first).to_contain_text("−10 %")
    expect(lines.locator("tfoot")).to_contain_text("€277.05")  # subtotal: 270.00 + 7.05
    expect(lines.locator("tfoot")).to_contain_text("€54.71")  # tax: 54.00 + 0.71
    look(office, "2_invoice_draft", "the draft")

    # 3. Issued, and e-mailed with its PDF once issued.
    office.get_by_role("link", name="Issue invoice").click()
    due = today + timedelta(days=30)
    expect(office.locator("#id_due_date")).to_have_value(due.isoformat())
    send = office.get_by_label("E-mail the invoice to the customer once issued")
    expect(send).to_be_checked()
    expect(office.locator("#issue-form")).to_contain_text("To ap@northwind.example")
    look(office, "3_invoice_issue", "the issue page")
    office.get_by_role("button", name="Issue invoice").click()

    expect(office.locator(".messagelist")).to_contain_text(f"due {shown(due)}")
    expect(office.locator(".messagelist")).to_contain_text("being e-mailed to ap@northwind.example")
    expect(office.get_by_test_id("invoice-status")).to_have_text("Issued")
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.due_date, invoice.total) == ("issued", due, Decimal("331.76"))
    number = invoice.number
    expect(office.locator("h1")).to_contain_text(number)
    (sent,) = mail.outbox
    assert sent.to == ["ap@northwind.example"]
    assert sent.subject == f"Invoice {number} from Harbour Coworking"
    ((name, attached, kind),) = sent.attachments
    assert (name, kind) == (f"{number}.pdf", "application/pdf")
    emails = office.get_by_test_id("emails").locator("tbody tr")
    expect(emails).to_have_count(1)
    expect(emails.first).to_contain_text("ap@northwind.example")
    expect(emails.first).to_contain_text(sent.subject)
    expect(emails.first).to_contain_text(f"{number}.pdf")
    expect(emails.first).to_contain_text("Sent")
    look(office, "3_invoice_issued", "the issued invoice")

    # 4. The PDF, as downloaded from the invoice page.
    name, content = downloaded(office, office.get_by_test_id("invoice-pdf"))
    assert name == f"{number}.pdf" and content.startswith(b"%PDF")
    assert content == attached  # the PDF kept at issue, as the customer was sent it
    text = pdf_text(content)
    for expected in [
        f"Invoice {number} Harbour Coworking",
        "BILLED TO Northwind Studio 1 Quay Street 20457 Hamburg",
        f"Due {shown(due)}",
        "Desk rental, March",
        "less 10 % discount",
        "2 × 150.00 20 % 270.00",
        "Coffee 3 × 2.35 10 % 7.05",
        "Total €331.76",
        "Amount due €331.76",
    ]:
        assert expected in text, f"{expected!r} is not in the invoice PDF: {text}"

    # 5. A part payment by bank transfer, the amount typed with a decimal comma.
    office.get_by_test_id("create-payment").click()
    expect(office.locator("h1")).to_have_text("Create payment")
    expect(office.locator("#id_amount")).to_have_value("331.76")
    office.get_by_label("External — paid outside the app").check()
    office.fill("#id_amount", "50,00")
    office.select_option("#id_external_type", "bank_transfer")
    office.fill("#id_reference", "SEPA NW-0312")
    look(office, "5_payment_create", "the payment form")
    office.get_by_role("button", name="Record payment").click()

    expect(office.locator(".messagelist")).to_contain_text("Recorded €50.00 paid by bank transfer")
    expect(office.get_by_test_id("invoice-status")).to_have_text("Partially paid")
    expect(office.get_by_test_id("paid")).to_have_text("€50.00")
    expect(office.get_by_test_id("amount-due")).to_have_text("€281.76")
    row = office.locator("tbody.settle-payment").first
    expect(row).to_contain_text("External · Bank transfer")
    expect(row).to_contain_text("SEPA NW-0312")
    # The customer is sent a receipt for the money received.
    assert [message.subject for message in mail.outbox[1:]] == [
        "Receipt: €50.00 received by Harbour Coworking"
    ]
    expect(emails).to_have_count(2)
    expect(emails.first).to_contain_text("Receipt: €50.00 received")
    look(office, "5_invoice_part_paid", "the partly paid invoice")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "partially_paid",
        Decimal("50.00"),
        Decimal("281.76"),
    )

    # 6. The member, on a phone: the invoice in the portal, the rest paid by card, a receipt.
    member = UserFactory(username="northwind", first_name="Ada", last_name="North")
    customer.user = member
    customer.save(update_fields=["user"])
    phone = contexts(PHONE)
    sign_in(phone, f"{live_server.url}/portal/login/", "northwind")
    phone.wait_for_url(f"{live_server.url}/portal/")
    expect(phone.locator(".tile").first).to_contain_text("€281.76")
    row = phone.locator("tbody tr", has_text=number)
    expect(row).to_contain_text("Partially paid")
    expect(row).to_contain_text("€281.76")
    on_screen(row.get_by_role("link", name="Pay"))
    look(phone, "6_portal_home", "the portal's home page")
    row.get_by_role("link", name=number).click()
    expect(phone.locator("h1")).to_contain_text(number)
    expect(phone.locator(".doc-head .badge")).to_have_text("Partially paid")
    expect(phone.locator("#amount-due")).to_have_text("€281.76")
    expect(phone.locator("#id_amount")).to_have_value("281.76")
    lines = phone.locator("section.card").first.locator("tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.first).to_contain_text("Desk rental, March")
    expect(lines.first).to_contain_text("−10 % discount")
    expect(lines.first).to_contain_text("€324.00")
    expect(lines.nth(1)).to_contain_text("Coffee")
    expect(lines.nth(1)).to_contain_text("€7.76")
    on_screen(phone.get_by_role("button", name="Pay", exact=True))
    look(phone, "6_portal_invoice", "the portal's invoice page")

    phone.get_by_label("A new card").check()
    phone.get_by_role("button", name="Pay", exact=True).click()
    expect(phone.locator("h1")).to_have_text("Add a test card")
    expect(phone.locator(".notice-inline")).to_have_text(
        f"After saving the card we charge €281.76 for invoice {number}."
    )
    cancel = phone.get_by_role("link", name="Cancel")
    expect(cancel).to_have_attribute("href", f"/portal/invoices/{invoice.pk}/")
    phone.fill("#id_number", "4242 4242 4242 4242")
    phone.fill("#id_expiry", "12/34")
    phone.fill("#id_cvc", "123")
    look(phone, "6_portal_sandbox_card", "the sandbox card page")
    phone.get_by_role("button", name="Save the card and pay").click()

    expect(phone.locator(".message.success")).to_contain_text("€281.76 was received")
    expect(phone.locator(".doc-head .badge")).to_have_text("Paid")
    expect(phone.locator("#amount-due")).to_have_text("€0.00")
    look(phone, "6_portal_invoice_paid", "the paid invoice in the portal")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "paid",
        Decimal("331.76"),
        Decimal("0.00"),
    )
    card_payment = Payment.objects.get(invoice=invoice, gateway="sandbox")
    assert (card_payment.status, card_payment.amount) == ("succeeded", Decimal("281.76"))
    assert [message.subject for message in mail.outbox[2:]] == [
        "Receipt: €281.76 received by Harbour Coworking"
    ]
    paid_row = phone.locator("tbody tr", has_text="Visa •••• 4242")
    expect(paid_row).to_contain_text("€281.76")
    receipt = paid_row.get_by_role("link", name="Receipt", exact=True)
    on_screen(receipt)
    receipt.click()
    expect(phone.locator("h1")).to_have_text("Payment receipt")
    expect(phone.locator(".receipt-amount")).to_have_text("€281.76")
    look(phone, "6_portal_receipt", "the receipt")
    name, content = downloaded(phone, phone.get_by_role("link", name="Download PDF"))
    assert name.endswith(".pdf") and content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in [
        "RECEIVED FROM Northwind Studio",
        f"For Invoice {number}",
        "Method Visa •••• 4242",
        "Amount received €281.76",
        f"Still due on Invoice {number} €0.00",
    ]:
        assert expected in text, f"{expected!r} is not in the receipt PDF: {text}"

    # The office sees the invoice paid in full.
    office.reload()
    expect(office.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(office.get_by_test_id("amount-due")).to_have_text("€0.00")
    expect(office.locator("tbody.settle-payment")).to_have_count(2)
    card_row = office.locator("tbody.settle-payment", has_text="Visa •••• 4242")
    expect(card_row).to_contain_text("€281.76")
    expect(card_row).to_contain_text("Succeeded")
    expect(emails).to_have_count(3)
    assert len(mail.outbox) == 3
    look(office, "7_invoice_paid", "the paid invoice")
