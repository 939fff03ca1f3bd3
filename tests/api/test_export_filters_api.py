"""The exports' period (`from`/`to`), their lists' language, one entity's rows, formula-safe
cells, JSON errors and chunked reads."""

import json

import pytest
import simplejson
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from billing.csv_export import CHUNK
from tests.api.export_support import csv_rows, export, make_book
from tests.factories import CustomerFactory, EntityFactory, give_balance

EXPORTS = [
    "payments",
    "refunds",
    "credit-notes",
    "invoices",
    "balance-transactions",
    "audit-events",
]


@pytest.fixture
def book(entity):
    return make_book(entity)


@pytest.mark.parametrize(
    ("path", "params", "column", "expected"),
    [
        ("payments", {"from": "2024-01-15"}, "amount", ["10.00"]),
        ("payments", {"to": "2024-01-10"}, "amount", ["60.00"]),
        ("refunds", {"from": "2024-01-15", "to": "2024-01-15"}, "amount", ["12.50"]),
        ("refunds", {"from": "2024-01-16"}, "amount", []),
        ("refunds", {"to": "2024-01-14"}, "amount", []),
        ("credit-notes", {"from": "2024-01-20"}, "number", ["CN-2024-00001"]),
        ("credit-notes", {"to": "2024-01-19"}, "number", []),
        ("invoices", {"from": "2024-02-01", "to": "2024-02-29"}, "number", ["ADV-2024-00001"]),
        ("invoices", {"to": "2024-02-01"}, "number", ["ADV-2024-00001", "INV-2024-00001"]),
        ("balance-transactions", {"from": "2024-03-01"}, "amount", ["-5.00"]),
        ("balance-transactions", {"to": "2024-01-31"}, "amount", ["20.00", "10.00"]),
        (
            "audit-events",
            {"from": "2024-02-01", "to": "2024-02-01"},
            "action",
            ["invoice.issued", "advance.created"],
        ),
    ],
)
def test_exports_keep_the_rows_of_the_period(api, book, path, params, column, expected):
    rows = csv_rows(export(api, path, params))

    assert [row[column] for row in rows] == expected


@pytest.mark.parametrize(
    ("path", "params", "column", "expected"),
    [
        ("refunds", {"query": json.dumps({"amount": {"gte": 10}})}, "amount", ["12.50"]),
        ("refunds", {"query": json.dumps({"amount": {"gt": 20}})}, "amount", []),
        ("refunds", {"status": "pending"}, "amount", []),
        ("credit-notes", {"search": "DOUBLE-booked"}, "number", ["CN-2024-00001"]),
        ("credit-notes", {"search": "nothing like it"}, "number", []),
        ("invoices", {"order_by": "total"}, "total", ["90.00", "100.00", "250.50"]),
        (
            "invoices",
            {"query": json.dumps({"total_due": {"lt": 100}})},
            "number",
            ["INV-2024-00001", "ADV-2024-00001"],
        ),
        (
            "balance-transactions",
            {"query": json.dumps({"kind": "credit_note"})},
            "amount",
            ["10.00"],
        ),
        ("balance-transactions", {"customer_id": "cus_00000000000000000000000000"}, "amount", []),
        ("audit-events", {"action": "refund.created"}, "object_type", ["refund"]),
        (
            "audit-events",
            {"query": json.dumps({"action": {"startsWith": "payment."}})},
            "action",
            ["payment.recorded"] * 2,
        ),
    ],
)
def test_exports_speak_the_list_language(api, book, path, params, column, expected):
    rows = csv_rows(export(api, path, params))

    assert sorted(row[column] for row in rows) == sorted(expected)
    if "order_by" in params:
        assert [row[column] for row in rows] == expected


@pytest.mark.parametrize("path", EXPORTS)
def test_exports_leave_out_another_entitys_rows(api, entity, path):
    make_book(EntityFactory(), name="Someone Else")
    mine = make_book(entity)

    rows = csv_rows(export(api, path))

    assert rows
    assert {row["customer_id"] for row in rows} == {mine["customer"].pk}


@pytest.mark.parametrize("path", EXPORTS)
def test_exports_neutralise_spreadsheet_formulas(api, entity, path):
    evil = '=HYPERLINK("http://evil.example","click")'
    make_book(entity, name=evil, reason=evil)

    rows = csv_rows(export(api, path))

    cells = [value for row in rows for value in row.values()]
    assert f"'{evil}" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]


@pytest.mark.parametrize("path", EXPORTS)
@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"from": "garbage"}, "invalid_date", "from"),
        ({"to": "2024-02-30"}, "invalid_date", "to"),
        ({"to": "9999-12-31"}, "invalid_date", "to"),
        ({"from": "2024-03-01", "to": "2024-02-01"}, "invalid_period", "from"),
        ({"query": "{not json"}, "invalid_query", "query"),
        ({"order_by": "reason"}, "invalid_order_by", "order_by"),
    ],
)
def test_export_with_an_invalid_parameter_answers_a_json_error(
    api, entity, path, params, code, param
):
    response = export(api, path, params)

    assert response.status_code == 400
    assert response.streaming is False
    assert response["Content-Type"] == "application/json"
    error = simplejson.loads(response.content)["error"]
    assert (error["code"], error["param"]) == (code, param)


@pytest.mark.parametrize("path", EXPORTS)
def test_export_without_a_key_is_a_json_401(db, path):
    from django.test import Client

    response = Client().get(f"/api/v1/{path}/export")

    assert response.status_code == 401
    assert simplejson.loads(response.content)["error"]["type"] == "authentication_error"


def test_exports_read_rows_in_chunks_at_a_constant_number_of_queries(api, entity, monkeypatch):
    customer = CustomerFactory(entity=entity)
    chunk_sizes = []
    iterate = QuerySet.iterator

    def spy(queryset, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return iterate(queryset, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)

    def measured():
        with CaptureQueriesContext(connection) as queries:
            rows = csv_rows(export(api, "balance-transactions"))
        return len(queries.captured_queries), len(rows)

    give_balance(customer, "1.00")
    assert api.get("customers").status == 200  # the key's first use is recorded once
    few = measured()
    for _ in range(30):
        give_balance(customer, "1.00")
    many = measured()

    assert (few[1], many[1]) == (1, 31)
    assert few[0] == many[0]
    assert chunk_sizes == [CHUNK, CHUNK]
