"""`GET /api/v1/customers/{id}/statement`: the statement as JSON, its period checked, scoped."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    CustomerFactory,
    EntityFactory,
    give_balance,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_statement_of_this_year_so_far(api, customer):
    invoice = issued_invoice(customer, total="100.00", apply_balance=False)
    record_payment(invoice, "30.00", reference="TILL-7")
    give_balance(customer, "5.00")

    response = api.get(f"customers/{customer.pk}/statement")

    assert response.status == 200
    body = response.body
    today = timezone.localdate()
    assert (body["from"], body["to"]) == (date(today.year, 1, 1).isoformat(), today.isoformat())
    assert [(r["kind"], r["effect"], r["balance"]) for r in body["rows"]] == [
        ("invoice", D("100.00"), D("100.00")),
        ("payment", D("-30.00"), D("70.00")),
        ("balance", D("-5.00"), D("65.00")),
    ]
    assert body["rows"][1]["reference"] == "TILL-7"
    assert body["rows"][2]["balance_kind"] == "adjustment"
    assert body["rows"][2]["money_balance"] == D("5.00")
    assert [str(body[k]) for k in ("opening_balance", "closing_balance")] == ["0.00", "65.00"]
    assert body["stored"]["balance"] == D("65.00")
    assert body["reconciliation"]["matches"] is True


def test_a_period_before_the_movements_opens_and_closes_at_zero(api, customer):
    issued_invoice(customer, total="100.00")
    body = api.get(f"customers/{customer.pk}/statement?from=2001-01-01&to=2001-12-31").body
    assert body["rows"] == [] and str(body["closing_balance"]) == "0.00"
    assert body["stored"]["later_effect"] == D("100.00")
    assert body["reconciliation"]["matches"] is True


@pytest.mark.parametrize(
    "query, code",
    [
        ("from=2026-13-01", "invalid_date"),
        ("from=2026-05-01&to=2026-04-01", "invalid_period"),
        ("to=1066-10-14", "invalid_date"),
        ("currency=XYZ", "invalid_currency"),
    ],
)
def test_a_bad_period_or_currency_is_a_400(api, customer, query, code):
    response = api.get(f"customers/{customer.pk}/statement?{query}")
    assert response.status == 400
    assert response.body["error"]["code"] == code


def test_another_entitys_customer_is_not_found(api):
    foreign = CustomerFactory(entity=EntityFactory())
    assert api.get(f"customers/{foreign.pk}/statement").status == 404
