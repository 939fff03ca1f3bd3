"""The member's money balance page: movements described for the member, never staff notes."""

import re
from decimal import Decimal

import pytest
from django.utils import dateformat, timezone

from billing.models import BalanceTransaction
from payments.models import RefundDestination
from payments.services import refund_create
from portal.ledger import movement_description
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
        [today, f"Refund of a payment on invoice {other.number}", "€15.00", "€20.00"],
        [today, f"Used to pay invoice {invoice.number}", "-€20.00", "€5.00"],
        [today, "Credit deducted", "-€5.00", "€25.00"],
        [today, "Credit added", "€30.00", "€30.00"],
    ]


@pytest.mark.parametrize(
    ("kind", "amount", "links", "expected"),
    [
        ("adjustment", "5.00", {}, "Credit added"),
        ("adjustment", "-5.00", {}, "Credit deducted"),
        (
            "overpayment",
            "5.00",
            {"invoice_id": "inv_1"},
            "Overpayment of invoice INV-1 moved to your balance",
        ),
        ("credit_note", "5.00", {"credit_note_id": "cn_1"}, "Credit from credit note CN-1"),
        (
            "credit_note",
            "-5.00",
            {"credit_note_id": "cn_1"},
            "Credit from credit note CN-1 corrected",
        ),
        ("invoice_application", "-5.00", {"invoice_id": "inv_1"}, "Used to pay invoice INV-1"),
        ("invoice_application", "5.00", {"invoice_id": "inv_1"}, "Returned from invoice INV-1"),
        ("application_reversal", "5.00", {"invoice_id": "inv_1"}, "Returned from invoice INV-1"),
        (
            "application_reversal",
            "-5.00",
            {"credit_note_id": "cn_1"},
            "Credit from credit note CN-1 withdrawn",
        ),
        ("refund", "5.00", {"invoice_id": "inv_1"}, "Refund of a payment on invoice INV-1"),
        ("refund", "5.00", {}, "Refund of a payment"),
        ("invoice_application", "-5.00", {"invoice_id": "inv_unknown"}, "Used to pay an invoice"),
    ],
)
def test_every_movement_kind_has_a_member_description(kind, amount, links, expected):
    txn = BalanceTransaction(
        kind=kind, amount=Decimal(amount), reason="INTERNAL staff note", **links
    )

    description = movement_description(txn, {"inv_1": "INV-1"}, {"cn_1": "CN-1"})

    assert description == expected
