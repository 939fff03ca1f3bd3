"""`GET /api/v1/{refunds,credit-notes,invoices,balance-transactions,audit-events}/export`:
streamed CSVs, header first, with exact rows (periods and filters: test_export_filters_api)."""

import pytest

from tests.api.export_support import csv_rows, export, make_book
from tests.factories import CustomerFactory

REFUND_HEADER = [
    "id",
    "created_at",
    "status",
    "destination",
    "amount",
    "currency",
    "payment_id",
    "payment_type",
    "invoice_id",
    "invoice_number",
    "advance_invoice_id",
    "customer_id",
    "customer_name",
    "reason",
    "failure_message",
    "updated_at",
]
CREDIT_NOTE_HEADER = [
    "id",
    "number",
    "status",
    "date",
    "invoice_id",
    "invoice_number",
    "customer_id",
    "customer_name",
    "currency",
    "subtotal",
    "total_tax",
    "total",
    "total_applied",
    "total_remaining",
    "reason",
    "created_at",
]
INVOICE_HEADER = [
    "id",
    "kind",
    "number",
    "status",
    "date",
    "due_date",
    "customer_id",
    "customer_name",
    "currency",
    "subtotal",
    "total_tax",
    "total",
    "total_paid",
    "total_credited",
    "total_due",
    "total_applied",
    "issued_at",
    "voided_at",
    "written_off_at",
    "note",
    "created_at",
]
LEDGER_HEADER = [
    "id",
    "created_at",
    "customer_id",
    "customer_name",
    "kind",
    "amount",
    "currency",
    "balance_after",
    "reason",
    "invoice_id",
    "credit_note_id",
    "payment_id",
    "refund_id",
]
AUDIT_HEADER = [
    "id",
    "created_at",
    "actor_kind",
    "actor_id",
    "actor_name",
    "source",
    "action",
    "object_type",
    "object_id",
    "invoice_id",
    "customer_id",
    "reason",
    "before",
    "after",
]
REASON = "Desk was double-booked"


@pytest.fixture
def book(entity):
    return make_book(entity)


def test_refund_export_has_its_header_and_exact_rows(api, book):
    response = export(api, "refunds")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="refunds-')
    assert csv_rows(response, REFUND_HEADER) == [
        {
            "id": book["refund"].pk,
            "created_at": "2024-01-15T12:00:00.000Z",
            "status": "succeeded",
            "destination": "original",
            "amount": "12.50",
            "currency": "EUR",
            "payment_id": book["payment"].pk,
            "payment_type": "cash",
            "invoice_id": book["january"].pk,
            "invoice_number": "INV-2024-00001",
            "advance_invoice_id": "",
            "customer_id": book["customer"].pk,
            "customer_name": "Ada Lovelace",
            "reason": REASON,
            "failure_message": "",
            "updated_at": "2024-01-15T12:00:00.000Z",
        }
    ]


def test_credit_note_export_has_its_header_and_exact_rows(api, book):
    rows = csv_rows(export(api, "credit-notes"), CREDIT_NOTE_HEADER)

    assert rows == [
        {
            "id": book["credit_note"].pk,
            "number": "CN-2024-00001",
            "status": "issued",
            "date": "2024-01-20",
            "invoice_id": book["january"].pk,
            "invoice_number": "INV-2024-00001",
            "customer_id": book["customer"].pk,
            "customer_name": "Ada Lovelace",
            "currency": "EUR",
            "subtotal": "10.00",
            "total_tax": "0.00",
            "total": "10.00",
            "total_applied": "10.00",
            "total_remaining": "0.00",
            "reason": REASON,
            "created_at": "2024-01-20T09:00:00.000Z",
        }
    ]


def test_invoice_export_lists_invoices_and_advances_apart_by_kind(api, book):
    rows = csv_rows(export(api, "invoices"), INVOICE_HEADER)

    assert [
        (row["id"], row["kind"], row["number"], row["status"], row["date"], row["due_date"])
        for row in rows
    ] == [
        (book["march"].pk, "invoice", "INV-2024-00002", "issued", "2024-03-05", "2024-03-19"),
        (book["advance"].pk, "advance", "ADV-2024-00001", "issued", "2024-02-01", "2024-02-15"),
        (
            book["january"].pk,
            "invoice",
            "INV-2024-00001",
            "partially_paid",
            "2024-01-10",
            "2024-01-24",
        ),
    ]
    january = rows[2]
    assert {
        name: january[name]
        for name in ("subtotal", "total_tax", "total", "total_paid", "total_credited", "total_due")
    } == {
        "subtotal": "100.00",
        "total_tax": "0.00",
        "total": "100.00",
        "total_paid": "47.50",  # 60.00 paid, 12.50 refunded
        "total_credited": "0.00",  # the credit note went to the balance
        "total_due": "52.50",
    }
    assert january["issued_at"] == "2024-01-10T12:00:00.000Z"
    assert (january["voided_at"], january["written_off_at"]) == ("", "")
    assert january["customer_name"] == "Ada Lovelace"
    only_advances = csv_rows(export(api, "invoices", {"kind": "advance"}))
    assert [row["id"] for row in only_advances] == [book["advance"].pk]


def test_ledger_export_has_each_movement_with_the_balance_after_it(api, book):
    rows = csv_rows(export(api, "balance-transactions"), LEDGER_HEADER)

    assert [
        (row["created_at"], row["kind"], row["amount"], row["balance_after"], row["reason"])
        for row in rows
    ] == [
        ("2024-03-05T12:00:00.000Z", "adjustment", "-5.00", "25.00", "Used"),
        ("2024-01-20T15:00:00.000Z", "adjustment", "20.00", "30.00", REASON),
        ("2024-01-20T09:00:00.000Z", "credit_note", "10.00", "10.00", ""),
    ]
    credited = rows[2]
    assert credited["credit_note_id"] == book["credit_note"].pk
    assert credited["payment_id"].startswith("pmt_")
    assert (credited["invoice_id"], credited["refund_id"]) == ("", "")
    assert {(row["customer_id"], row["customer_name"], row["currency"]) for row in rows} == {
        (book["customer"].pk, "Ada Lovelace", "EUR")
    }
    assert rows[0]["id"] == book["used"].pk


def test_audit_export_names_the_actor_and_writes_before_and_after_as_compact_json(api, book):
    rows = csv_rows(export(api, "audit-events"), AUDIT_HEADER)

    assert [row["action"] for row in rows] == [
        "balance.adjusted",
        "invoice.issued",
        "invoice.created",
        "invoice.issued",
        "advance.created",
        "balance.adjusted",
        "payment.recorded",
        "credit_note.issued",
        "refund.created",
        "payment.recorded",
        "invoice.issued",
        "invoice.created",
    ]
    ids = [int(row["id"]) for row in rows]
    assert ids == sorted(ids, reverse=True)
    top_up = rows[5]
    assert {name: value for name, value in top_up.items() if name != "id"} == {
        "created_at": "2024-01-20T15:00:00.000Z",
        "actor_kind": "system",
        "actor_id": "",
        "actor_name": "tests",
        "source": "system",
        "action": "balance.adjusted",
        "object_type": "balancetransaction",
        "object_id": book["top_up"].pk,
        "invoice_id": "",
        "customer_id": book["customer"].pk,
        "reason": REASON,
        "before": '{"balance":"10.00"}',
        "after": '{"balance":"30.00"}',
    }


def test_audit_export_names_a_user_and_an_api_key_as_actors(api, entity):
    from billing.actors import Actor
    from tests.factories import UserFactory

    customer = CustomerFactory(entity=entity)
    api.post(f"customers/{customer.pk}/balance-adjustments", {"amount": 5, "reason": "By key"})
    user = UserFactory(username="clara")
    from billing.services import balance_adjust

    balance_adjust(customer=customer, amount="1.00", reason="By hand", actor=Actor.admin(user))

    rows = csv_rows(export(api, "audit-events", {"action": "balance.adjusted"}))

    assert [(row["actor_kind"], row["actor_name"], row["source"]) for row in rows] == [
        ("user", "clara", "admin"),
        ("api_key", rows[1]["actor_name"], "api"),
    ]
    assert rows[0]["actor_id"] == str(user.pk)
    assert rows[1]["actor_id"].startswith("key_")
