"""`GET /api/v1/reports/aged-receivables`: exact JSON numbers, one currency at a time, bad
input refused with a code."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, issued_invoice, record_payment

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
