"""`GET /api/v1/invoices/{id}/explain`: the rows behind an invoice's figures, a running sum
that ends at the stored figure, and the drift when a stored total was tampered with."""

from decimal import Decimal

import pytest
from django.db import connection

from billing.models import Customer
from invoices.models import Invoice
from payments.services import refund_create
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    give_balance,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(customer):
    invoice = issued_invoice(customer, total="100.00")
    cash = record_payment(invoice, "30.00", reference="CASH-1")
    refund_create(payment=cash, actor=SYSTEM, reason="Counted twice", amount=Decimal("10.00"))
    issued_credit_note(invoice, "20.00", to="invoice")
    return invoice


def test_the_rows_add_up_to_the_stored_figures(api, invoice):
    response = api.get(f"invoices/{invoice.pk}/explain")

    assert response.status == 200
    body = response.body
    assert [(row["type"], row["kind"], row["net"]) for row in body["rows"]] == [
        ("cash", "money_received", Decimal("20.00")),
        ("credit_note", "credit_applied", Decimal("20.00")),
    ]
    assert [row["running_paid"] for row in body["rows"]] == [Decimal("20.00"), Decimal("40.00")]
    assert body["rows"][0]["amount_refunded"] == Decimal("10.00")
    assert {f["name"]: (f["computed"], f["stored"], f["drift"]) for f in body["figures"]} == {
        "total_paid": (Decimal("40.00"), Decimal("40.00"), Decimal("0.00")),
        "total_credited": (Decimal("20.00"), Decimal("20.00"), Decimal("0.00")),
        "total_due": (Decimal("60.00"), Decimal("60.00"), Decimal("0.00")),
    }
    assert body["matches"] is True


def test_a_total_tampered_with_in_sql_shows_its_drift(api, invoice):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Invoice._meta.db_table} SET total_paid = 45.00 WHERE id = %s", [invoice.pk]
        )

    body = api.get(f"invoices/{invoice.pk}/explain").body

    paid = next(f for f in body["figures"] if f["name"] == "total_paid")
    assert (paid["computed"], paid["stored"], paid["matches"], paid["drift"]) == (
        Decimal("40.00"),
        Decimal("45.00"),
        False,
        Decimal("5.00"),
    )
    assert body["matches"] is False


def test_another_entitys_invoice_and_an_advance_are_not_found(api, customer):
    foreign = issued_invoice(CustomerFactory(entity=EntityFactory()))
    advance = issued_advance(customer)

    assert api.get(f"invoices/{foreign.pk}/explain").status == 404
    assert api.get(f"invoices/{advance.pk}/explain").status == 404


def test_a_customers_balance_is_explained_by_its_ledger(api, customer):
    give_balance(customer, "50.00")
    issued_invoice(customer, total="30.00")  # uses 30.00 of it at issue

    body = api.get(f"customers/{customer.pk}/balance/explain").body

    assert [(row["kind"], row["amount"], row["running_balance"]) for row in body["rows"]] == [
        ("adjustment", Decimal("50.00"), Decimal("50.00")),
        ("invoice_application", Decimal("-30.00"), Decimal("20.00")),
    ]
    assert body["figure"]["stored"] == Decimal("20.00") and body["matches"] is True


def test_a_balance_tampered_with_in_sql_shows_its_drift(api, customer):
    give_balance(customer, "50.00")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Customer._meta.db_table} SET balance = 48.50 WHERE id = %s", [customer.pk]
        )

    body = api.get(f"customers/{customer.pk}/balance/explain").body

    assert (body["figure"]["computed"], body["figure"]["drift"], body["matches"]) == (
        Decimal("50.00"),
        Decimal("-1.50"),
        False,
    )
