"""Every portal page a member reaches, at a phone's width (390 px): nothing scrolls sideways."""

import pytest

from payments.services import refund_create
from tests.browser.conftest import screenshot
from tests.factories import (
    SYSTEM,
    SavedCardFactory,
    charge_card,
    give_balance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_no_portal_page_scrolls_sideways_on_a_phone(portal, live_server, lena):
    card = SavedCardFactory(customer=lena, is_default=True)
    invoice = issued_invoice(lena, total="1234567.89")
    record_payment(invoice, "1000.00", type="bank_transfer", reference="SEPA-2026-000123456789")
    paid = issued_invoice(lena, total="240.00")
    payment = charge_card(paid, card=card)
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Desk moved", amount="40.00")
    give_balance(lena, "12.50")
    issued_credit_note(paid, "20.00", to="customer_balance")

    portal.set_viewport_size(PHONE)
    pages = {
        "home": "/portal/",
        "invoice": f"/portal/invoices/{invoice.pk}/",
        "history": "/portal/payments/",
        "payment_receipt": f"/portal/receipts/payments/{payment.pk}",
        "refund_receipt": f"/portal/receipts/refunds/{refund.pk}",
        "balance": "/portal/balance/",
        "cards": "/portal/cards/",
    }
    too_wide = {}
    for name, path in pages.items():
        portal.goto(f"{live_server.url}{path}")
        widths = portal.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        screenshot(portal, f"portal_phone_{name}")
        if widths[0] > widths[1]:
            too_wide[name] = widths
    assert too_wide == {}, f"pages wider than the phone (scrollWidth, innerWidth): {too_wide}"
