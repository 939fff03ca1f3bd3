"""`GET /api/v1/advance-invoices/{id}/explain`: money paid into an advance and its applications
to final invoices, running sums ending at paid, applied and remaining, and a drift."""

from decimal import Decimal

import pytest
from django.db import connection

from invoices.models import Invoice
from payments.services import refund_create
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    issued_advance,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def advance(customer):
    advance = issued_advance(customer, total="100.00")
    cash = record_payment(advance, "70.00")
    refund_create(payment=cash, actor=SYSTEM, reason="Counted twice", amount=D("10.00"))
    record_payment(advance, "30.00", type="bank_transfer")
    final = issued_invoice(customer, total="80.00", apply_balance=False)
    record_payment(final, "50.00", type="advance", advance_invoice_id=advance.pk)
    return advance


def test_payments_in_and_applications_out_add_up_to_the_stored_figures(api, advance):
    body = api.get(f"advance-invoices/{advance.pk}/explain").body

    assert body["object"] == "advance_invoice_explanation"
    rows = [
        (r["type"], r["direction"], r["net"], r["running_paid"], r["running_applied"])
        for r in body["rows"]
    ]
    assert rows == [
        ("cash", "in", D("60.00"), D("60.00"), D("0.00")),
        ("bank_transfer", "in", D("30.00"), D("90.00"), D("0.00")),
        ("advance", "out", D("50.00"), D("90.00"), D("50.00")),
    ]
    assert [r["running_remaining"] for r in body["rows"]] == [D("60.00"), D("90.00"), D("40.00")]
    assert body["rows"][2]["invoice_id"].startswith("inv_")
    assert {f["name"]: (f["computed"], f["stored"]) for f in body["figures"]} == {
        "total_paid": (D("90.00"), D("90.00")),
        "total_applied": (D("50.00"), D("50.00")),
        "remaining": (D("40.00"), D("40.00")),
        "total_due": (D("10.00"), D("10.00")),
    }
    assert body["matches"] is True


def test_an_applied_total_tampered_with_in_sql_shows_its_drift(api, advance):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Invoice._meta.db_table} SET total_applied = 45.00 WHERE id = %s",
            [advance.pk],
        )

    body = api.get(f"advance-invoices/{advance.pk}/explain").body

    figures = {f["name"]: (f["computed"], f["stored"], f["drift"]) for f in body["figures"]}
    assert figures["total_applied"] == (D("50.00"), D("45.00"), D("-5.00"))
    assert figures["remaining"] == (D("40.00"), D("45.00"), D("5.00"))
    assert body["matches"] is False


def test_a_final_invoice_and_another_entitys_advance_are_not_found(api, customer):
    final = issued_invoice(customer)
    foreign = issued_advance(CustomerFactory(entity=EntityFactory()))

    assert api.get(f"advance-invoices/{final.pk}/explain").status == 404
    assert api.get(f"advance-invoices/{foreign.pk}/explain").status == 404
