"""`GET /api/v1/reports/aged-receivables` and `/reports/collections`: exact JSON numbers, one
currency at a time, bad input refused with a code."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.services import refund_create
from tests.api.export_support import csv_rows, export
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
AGED = "reports/aged-receivables"


def owed(customer, total, overdue_days, issued_days_ago=200):
    return issued_invoice(
        customer,
        total=total,
        date=TODAY - timedelta(days=issued_days_ago),
        due_date=TODAY - timedelta(days=overdue_days),
        apply_balance=False,
    )


def test_aged_receivables_in_the_entitys_currency(api, entity):
    alice = CustomerFactory(entity=entity, name="Alice")
    bob = CustomerFactory(entity=entity, name="Bob")
    owed(alice, "100.00", 0)
    owed(alice, "40.50", 95)
    record_payment(owed(bob, "300.00", 31), "99.99")
    owed(CustomerFactory(entity=entity, currency="USD"), "7.00", 3)

    response = api.get(AGED)

    assert response.status == 200, response.body
    body = response.body
    assert body["as_of"] == TODAY.isoformat()
    assert (body["currency"], body["currencies"]) == ("EUR", ["EUR", "USD"])
    assert body["buckets"] == {
        "current": {"amount": Decimal("100.00")},
        "1_30": {"amount": Decimal("0.00")},
        "31_60": {"amount": Decimal("200.01")},
        "61_90": {"amount": Decimal("0.00")},
        "over_90": {"amount": Decimal("40.50")},
    }
    assert body["total"] == Decimal("340.51")
    assert body["invoice_count"] == 3
    assert [(c["customer_id"], c["customer_name"], c["total"]) for c in body["customers"]] == [
        (bob.pk, "Bob", Decimal("200.01")),
        (alice.pk, "Alice", Decimal("140.50")),
    ]
    assert body["customers"][1]["buckets"]["over_90"] == {"amount": Decimal("40.50")}


def test_amounts_are_exact_json_numbers(api, customer):
    owed(customer, "0.10", 1)
    owed(customer, "0.20", 2)

    raw = api.client.get("/api/v1/" + AGED, headers={"Authorization": f"Bearer {api.key}"})

    assert b'"1_30":{"amount":0.30}' in raw.content
    assert b'"total":0.30' in raw.content


def test_another_currency_and_a_past_date(api, entity):
    dollars = CustomerFactory(entity=entity, currency="USD")
    invoice = owed(dollars, "250.00", 10, issued_days_ago=40)
    record_payment(invoice, "50.00", date=TODAY - timedelta(days=1))

    now = api.get(AGED, {"currency": "usd"}).body
    then = api.get(AGED, {"currency": "USD", "as_of": (TODAY - timedelta(days=20)).isoformat()})

    assert (now["currency"], now["total"]) == ("USD", Decimal("200.00"))
    assert now["buckets"]["1_30"] == {"amount": Decimal("200.00")}
    assert then.status == 200
    assert then.body["buckets"]["current"] == {"amount": Decimal("250.00")}
    assert then.body["total"] == Decimal("250.00")


def test_a_date_before_any_invoice_is_an_empty_report(api, customer):
    owed(customer, "10.00", 1, issued_days_ago=5)

    body = api.get(AGED, {"as_of": "2020-01-31"}).body

    assert body["total"] == Decimal("0.00")
    assert body["customers"] == [] and body["currencies"] == []


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"as_of": "31.01.2026"}, "invalid_date", "as_of"),
        ({"as_of": "2026-02-30"}, "invalid_date", "as_of"),
        ({"as_of": "yesterday"}, "invalid_date", "as_of"),
        ({"currency": "XXX"}, "unsupported_currency", "currency"),
    ],
)
def test_bad_parameters_are_400_with_a_code(api, entity, params, code, param):
    response = api.get(AGED, params)

    assert response.status == 400, response.body
    assert (response.error["code"], response.error["param"]) == (code, param)


def test_without_a_key_it_is_401(entity):
    from tests.api_client import ApiClient

    assert ApiClient(None).get(AGED).status == 401


COLLECTIONS = "reports/collections"


def test_collections_per_month_with_refunds_and_credits_apart(api, customer):
    invoice = issued_invoice(customer, total="500.00", date=date(2026, 1, 5), apply_balance=False)
    cash = record_payment(invoice, "100.00", type="cash", date=date(2026, 3, 10))
    record_payment(invoice, "40.00", type="bank_transfer", date=date(2026, 4, 1))
    refund_create(payment=cash, actor=SYSTEM, reason="Overpaid", amount=Decimal("10.00"))
    issued_credit_note(invoice, "25.00", to="invoice")

    response = api.get(COLLECTIONS, {"from": "2026-03-15", "to": "2026-04-30"})

    assert response.status == 200, response.body
    body = response.body
    assert (body["from"], body["to"], body["group_by"]) == ("2026-03-15", "2026-04-30", "month")
    assert (body["currency"], body["currencies"]) == ("EUR", ["EUR"])
    assert [(p["start"], p["end"], p["received"]) for p in body["periods"]] == [
        ("2026-03-15", "2026-03-31", Decimal("0.00")),
        ("2026-04-01", "2026-04-30", Decimal("40.00")),
    ]
    april = body["periods"][1]
    assert april["methods"]["bank_transfer"] == {
        "received": Decimal("40.00"),
        "refunded": Decimal("0.00"),
        "refunded_to_balance": Decimal("0.00"),
        "net": Decimal("40.00"),
    }
    whole_year = api.get(COLLECTIONS, {"from": "2026-01-01", "to": TODAY.isoformat()}).body
    totals = whole_year["totals"]
    assert (totals["received"], totals["refunded"], totals["net"]) == (
        Decimal("140.00"),
        Decimal("10.00"),
        Decimal("130.00"),
    )
    assert totals["methods"]["cash"]["refunded"] == Decimal("10.00")
    assert totals["credits"] == {
        "credit_applied": Decimal("25.00"),
        "balance_used": Decimal("0.00"),
        "advance_applied": Decimal("0.00"),
    }
    assert totals["credited"] == Decimal("25.00")


def test_collections_default_to_this_month_in_the_entitys_currency(api, entity):
    body = api.get(COLLECTIONS).body

    assert body["from"] == TODAY.replace(day=1).isoformat()
    assert body["to"] == TODAY.isoformat()
    assert (body["currency"], body["currencies"]) == ("EUR", [])
    assert body["totals"]["net"] == Decimal("0.00")


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"from": "2026-13-01"}, "invalid_date", "from"),
        ({"to": "soon"}, "invalid_date", "to"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "invalid_date_range", "from"),
        ({"group_by": "year"}, "invalid_group_by", "group_by"),
        ({"from": "2020-01-01", "to": "2026-01-01", "group_by": "day"}, "range_too_long", "to"),
        ({"currency": "EURO"}, "unsupported_currency", "currency"),
    ],
)
def test_collections_bad_parameters_are_400_with_a_code(api, entity, params, code, param):
    response = api.get(COLLECTIONS, params)

    assert response.status == 400, response.body
    assert (response.error["code"], response.error["param"]) == (code, param)


# --- the same as CSV -------------------------------------------------------------------------


def test_aged_receivables_as_csv_has_every_currency_unless_one_is_asked_for(api, entity):
    alice = CustomerFactory(entity=entity, name="Alice")
    sam = CustomerFactory(entity=entity, currency="USD", name="Sam")
    owed(alice, "40.50", 95)
    owed(sam, "7.00", 3)
    header = ["currency", "customer_id", "customer_name", "current", "1_30", "31_60"]
    header += ["61_90", "over_90", "total"]

    rows = csv_rows(export(api, AGED), header)
    dollars = csv_rows(export(api, AGED, {"currency": "USD"}))

    assert [list(row.values()) for row in rows] == [
        ["EUR", alice.pk, "Alice", "0.00", "0.00", "0.00", "0.00", "40.50", "40.50"],
        ["EUR", "", "Total", "0.00", "0.00", "0.00", "0.00", "40.50", "40.50"],
        ["USD", sam.pk, "Sam", "0.00", "7.00", "0.00", "0.00", "0.00", "7.00"],
        ["USD", "", "Total", "0.00", "7.00", "0.00", "0.00", "0.00", "7.00"],
    ]
    assert [row["currency"] for row in dollars] == ["USD", "USD"]


def test_collections_as_csv_and_its_refusals_in_json(api, customer):
    record_payment(issued_invoice(customer, "100.00"), "60.00", date=TODAY)

    rows = csv_rows(export(api, COLLECTIONS, {"group_by": "day", "from": TODAY.isoformat()}))
    refused = api.get(f"{COLLECTIONS}/export", {"group_by": "year"})

    assert [(row["row"], row["currency"]) for row in rows] == [("period", "EUR"), ("total", "EUR")]
    assert "60.00" in rows[-1].values()
    assert refused.status == 400
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.error["code"] == "invalid_group_by"
