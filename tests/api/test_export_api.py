"""`GET /api/v1/payments/export`: the filtered payment list as a streamed CSV."""

import csv
import io
import json

import pytest
import simplejson

from tests.factories import CustomerFactory, issued_credit_note, issued_invoice, record_payment

HEADER = [
    "id",
    "date",
    "type",
    "status",
    "amount",
    "amount_refunded",
    "currency",
    "invoice_id",
    "invoice_number",
    "credit_note_id",
    "advance_invoice_id",
    "customer_id",
    "customer_name",
    "reference",
    "note",
    "created_at",
    "kind",
]


def _export(api, params=None, headers=None):
    return api.client.get(
        "/api/v1/payments/export",
        params or {},
        headers={"Authorization": f"Bearer {api.key}", **(headers or {})},
    )


def _rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.streaming is True
    text = b"".join(response.streaming_content).decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in reader]


@pytest.fixture
def payments(entity):
    customer = CustomerFactory(entity=entity, name="Ada Lovelace")
    invoice = issued_invoice(customer, total="1000.00")
    cash = record_payment(
        invoice,
        "100.00",
        type="cash",
        date="2024-01-10",
        reference="TXN-2024-0015",
        metadata={"source": "web_app"},
    )
    transfer = record_payment(invoice, "250.50", type="bank_transfer", date="2024-03-01")
    return {"invoice": invoice, "cash": cash, "transfer": transfer}


def test_export_streams_csv_with_a_header_and_one_row_per_payment(api, payments):
    response = _export(api)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="payments-')
    rows = _rows(response)
    assert [row["id"] for row in rows] == [payments["transfer"].pk, payments["cash"].pk]
    transfer = rows[0]
    assert transfer["amount"] == "250.50"
    assert transfer["amount_refunded"] == "0.00"
    assert transfer["type"] == "bank_transfer"
    assert transfer["date"] == "2024-03-01"
    assert transfer["currency"] == "EUR"
    assert transfer["invoice_id"] == payments["invoice"].pk
    assert transfer["invoice_number"] == payments["invoice"].number
    assert transfer["customer_name"] == "Ada Lovelace"
    assert transfer["status"] == "succeeded"
    assert transfer["kind"] == "money_received"


def test_export_tells_money_received_from_credit_applied_in_its_last_column(api, payments):
    issued_credit_note(payments["invoice"], "25.00", to="invoice")

    rows = _rows(_export(api))

    assert [(row["type"], row["amount"], row["kind"]) for row in rows] == [
        ("credit_note", "25.00", "credit_applied"),
        ("bank_transfer", "250.50", "money_received"),
        ("cash", "100.00", "money_received"),
    ]


def test_export_without_payments_is_just_the_header(api, entity):
    assert _rows(_export(api)) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"query": json.dumps({"amount": {"gte": 200}})}, "transfer"),
        ({"query": json.dumps({"metadata.source": "web_app"})}, "cash"),
        ({"query": json.dumps({"date": {"between": ["2024-01-01", "2024-01-31"]}})}, "cash"),
        ({"search": "txn-2024"}, "cash"),
        ({"search": "WEB_APP"}, "cash"),
        ({"type": "bank_transfer"}, "transfer"),
        ({"date_from": "2024-02-01"}, "transfer"),
    ],
)
def test_export_applies_the_same_filters_as_the_list(api, payments, params, expected):
    listed = api.get("payments", params)

    exported = _rows(_export(api, params))

    assert [row["id"] for row in exported] == [payments[expected].pk]
    assert [row["id"] for row in listed.body["data"]] == [payments[expected].pk]


def test_export_follows_order_by(api, payments):
    rows = _rows(_export(api, {"order_by": "amount"}))

    assert [row["amount"] for row in rows] == ["100.00", "250.50"]


def test_export_leaves_out_other_entities_and_deleted_payments(api, payments):
    from payments.services import payment_delete
    from tests.factories import SYSTEM

    record_payment(issued_invoice(total="70.00"), "70.00", reference="other entity")
    payment_delete(payment=payments["transfer"], actor=SYSTEM)

    rows = _rows(_export(api))

    assert [row["id"] for row in rows] == [payments["cash"].pk]


def test_export_neutralises_spreadsheet_formulas(api, entity):
    customer = CustomerFactory(entity=entity, name='=HYPERLINK("http://evil")')
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "10.00", reference="=cmd|' /C calc'!A0", note="@SUM(A1:A9)")
    record_payment(invoice, "20.00", reference="+41 22 000", note="-2+3")

    rows = _rows(_export(api, {"order_by": "amount"}))

    assert [(row["reference"], row["note"]) for row in rows] == [
        ("'=cmd|' /C calc'!A0", "'@SUM(A1:A9)"),
        ("'+41 22 000", "'-2+3"),
    ]
    assert {row["customer_name"] for row in rows} == {'\'=HYPERLINK("http://evil")'}


def test_export_keeps_newlines_and_commas_inside_one_field(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    record_payment(invoice, "10.00", note='Paid, in "two"\nparts')

    (row,) = _rows(_export(api))

    assert row["note"] == 'Paid, in "two"\nparts'


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"query": "{not json"}, "invalid_query", "query"),
        ({"order_by": "note"}, "invalid_order_by", "order_by"),
        ({"date_from": "garbage"}, "invalid_filter", "date_from"),
    ],
)
def test_export_with_an_invalid_filter_answers_a_json_error(api, payments, params, code, param):
    response = _export(api, params)

    assert response.status_code == 400
    assert response.streaming is False
    assert response["Content-Type"] == "application/json"
    error = simplejson.loads(response.content)["error"]
    assert (error["code"], error["param"]) == (code, param)


def test_export_without_a_key_is_a_json_401(payments):
    from django.test import Client

    response = Client().get("/api/v1/payments/export")

    assert response.status_code == 401
    assert simplejson.loads(response.content)["error"]["type"] == "authentication_error"
