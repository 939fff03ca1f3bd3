"""Sending an invoice and a credit note from their pages, their e-mail histories and the
invoice's "Explain these figures", at desktop and phone widths; the member's credit notes."""

import pytest
from django.contrib.admin.utils import quote
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.steps import open_invoice
from tests.factories import issued_credit_note, issued_invoice, record_payment

pytestmark = pytest.mark.browser
SIZES = [(1360, 900, "desktop"), (390, 844, "phone")]


def fits(page) -> bool:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    return width <= inner


# Tables of these sections that stick out of the screen instead of scrolling in their card.
STICKING_OUT = """(ids) => ids.flatMap(id => [...document.querySelectorAll(`#${id} table`)])
  .filter(t => !t.closest('.settle-table-wrap') && t.getBoundingClientRect().right > innerWidth)
  .map(t => t.dataset.testid || t.className)"""


@pytest.mark.parametrize("width,height,name", SIZES)
def test_an_invoice_and_its_credit_note_are_sent_from_their_pages(
    page, live_server, customer, width, height, name
):
    invoice = issued_invoice(customer, total="120.00")
    record_payment(invoice, "50.00")
    credit_note = issued_credit_note(invoice, "20.00", to="invoice")
    page.set_viewport_size({"width": width, "height": height})

    open_invoice(page, live_server, invoice)
    page.get_by_role("link", name="Send by e-mail").click()
    expect(page.locator("h1")).to_contain_text(f"Send {invoice.number} by e-mail")
    expect(page.locator("#send-form")).to_contain_text("ap@northwind.example")
    assert fits(page)
    screenshot(page, f"invoice_send_{name}")
    page.get_by_role("button", name="Send e-mail").click()

    expect(page.get_by_test_id("emails")).to_contain_text(f"Invoice {invoice.number} from")
    page.locator("#explain summary").click()
    expect(page.get_by_test_id("explain-figures")).to_contain_text("Matches")
    screenshot(page, f"invoice_emails_and_explain_{name}")
    # The invoice page's own Payments table is still wider than a phone (its menus); the
    # e-mails and the explanation scroll inside their cards.
    assert page.evaluate(STICKING_OUT, ["emails", "explain"]) == []

    note_url = reverse("admin:invoices_creditnote_change", args=[quote(credit_note.pk)])
    page.goto(f"{live_server.url}{note_url}")
    page.get_by_test_id("send-credit-note").click()
    expect(page.locator("#send-form")).to_contain_text(f"{credit_note.number}.pdf")
    screenshot(page, f"credit_note_send_{name}")
    page.get_by_role("button", name="Send e-mail").click()
    expect(page.get_by_test_id("emails")).to_contain_text(f"Credit note {credit_note.number}")
    screenshot(page, f"credit_note_emails_{name}")
    assert [m.attachments[0][0] for m in mail.outbox if m.attachments] == [
        f"{invoice.number}.pdf",
        f"{credit_note.number}.pdf",
    ]


def test_the_member_sees_credit_notes_and_credits_on_a_phone(portal, live_server, lena):
    invoice = issued_invoice(lena, total="120.00")
    credit_note = issued_credit_note(invoice, "20.00", to="invoice")
    portal.set_viewport_size({"width": 390, "height": 844})

    portal.goto(f"{live_server.url}/portal/")
    expect(portal.get_by_test_id("credit-notes")).to_contain_text(credit_note.number)
    assert fits(portal)
    screenshot(portal, "portal_phone_credit_notes")
    portal.goto(f"{live_server.url}{reverse('portal:invoice', args=[invoice.pk])}")
    expect(portal.get_by_test_id("credits")).to_contain_text(f"Credit note {credit_note.number}")
    assert fits(portal)
    screenshot(portal, "portal_phone_invoice_credits")
