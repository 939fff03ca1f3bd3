"""The member's money balance page: movements described for the member, never staff notes."""

import re
from decimal import Decimal

import pytest
from django.utils import dateformat, timezone

from billing.models import BalanceTransaction
from payments.models import RefundDestination
from payments.services import refund_create
from tests.factories import SYSTEM, give_balance, issued_invoice, record_payment

pytestmark = pytest.mark.django_db


def _ledger_rows(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("<tr>"))
        if cells
    ]


def test_the_balance_page_never_shows_internal_notes(member_client, customer):
    give_balance(customer, "30.00", reason="INTERNAL complained loudly, goodwill")
    give_balance(customer, "-5.00", reason="INTERNAL typo in the first adjustment")
    invoice = issued_invoice(customer, total="20.00", apply_balance=True)
    other = issued_invoice(customer, total="40.00", apply_balance=False)
    cash = record_payment(other, "40.00")
    refund_create(
        payment=cash,
        actor=SYSTEM,
        reason="INTERNAL double entry by the front desk",
        amount=Decimal("15.00"),
        destination=RefundDestination.CUSTOMER_BALANCE,
    )
    assert BalanceTransaction.objects.filter(customer=customer).count() == 4

    page = member_client.get("/portal/balance/").content.decode()

    assert "INTERNAL" not in page
    assert "Applied to" not in page  # the ledger's service note, not written for members
    today = dateformat.format(timezone.localdate(), "j M Y")
    assert _ledger_rows(page) == [
        [today, f"Refund of a payment on invoice {other.number}", "15.00 EUR", "20.00 EUR"],
        [today, f"Used to pay invoice {invoice.number}", "-20.00 EUR", "5.00 EUR"],
        [today, "Credit deducted", "-5.00 EUR", "25.00 EUR"],
        [today, "Credit added", "30.00 EUR", "30.00 EUR"],
    ]
