"""How many SQL queries the payments endpoints cost: fixed, whatever the number of rows.

Counts include the savepoints the test transaction turns `atomic()` blocks
into. Measured on PostgreSQL:

- list with include=Invoice,CreditNote,AdvanceInvoice: 5 queries for a page of
  1 or 100 applications (key joined to its entity, count, the page joined to its
  documents, the lines of each of the two documents a payment can reference), 6 for
  a page that mixes all three kinds, one fewer with include_total_count=false;
- retrieve: 2 (key with entity, payment), 4 with every include on a credit-note
  application (+ the invoice's and the credit note's lines);
- create: 8 without Idempotency-Key, 15 with one (its claim commits on its own, without
  waiting for a disk flush), 7 for its replay.
"""

from decimal import Decimal

import pytest

from payments.services import credit_note_issue
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    issued_advance,
    issued_invoice,
    record_payment,
)

EVERY_INCLUDE = "Invoice,CreditNote,AdvanceInvoice"


@pytest.fixture
def documents(entity):
    """An invoice, an open credit note on it and a paid advance of the same customer."""
    customer = CustomerFactory(entity=entity)
    invoice = issued_invoice(customer, total="10000.00")
    credit_note = credit_note_issue(
        entity=entity, invoice_id=invoice.pk, actor=SYSTEM, reason="Discount", amount="500.00"
    )
    advance = issued_advance(customer, total="500.00")
    record_payment(advance, "500.00", type="bank_transfer")
    return invoice, credit_note, advance


def _apply_credit_note(documents, count):
    invoice, credit_note, _ = documents
    for _ in range(count):
        record_payment(invoice, "1.00", type="credit_note", credit_note_id=credit_note.pk)


def _apply_advance(documents, count):
    invoice, _, advance = documents
    for _ in range(count):
        record_payment(invoice, "1.00", type="advance", advance_invoice_id=advance.pk)


def _warm_up(api):
    """The first request of a key records its last use; later ones within a minute do not."""
    assert api.get("payments", {"limit": 1}).status == 200


# A payment references at most two documents (a credit-note application: the invoice and
# the credit note; an advance application: the invoice and the advance), and a relation
# no row on the page has costs nothing, so each kind is measured on its own.
@pytest.mark.parametrize("rows", [1, 100])
@pytest.mark.parametrize(
    ("kind", "apply"), [("credit_note", _apply_credit_note), ("advance", _apply_advance)]
)
def test_listing_with_every_include_costs_five_queries_for_1_or_100_rows(
    api, documents, django_assert_num_queries, rows, kind, apply
):
    apply(documents, rows)
    _warm_up(api)

    with django_assert_num_queries(5):
        response = api.get("payments", {"include": EVERY_INCLUDE, "type": kind, "limit": 100})

    assert response.status == 200, response.body
    assert len(response.body["data"]) == rows
    assert response.body["data"][0]["Invoice"]["items"][0]["total"] == Decimal("10000.00")


@pytest.mark.parametrize("rows", [3, 99])
def test_listing_a_mixed_page_costs_one_query_per_included_relation(
    api, documents, django_assert_num_queries, rows
):
    invoice = documents[0]
    _apply_credit_note(documents, rows // 3)
    _apply_advance(documents, rows // 3)
    for _ in range(rows // 3):
        record_payment(invoice, "1.00", type="cash")
    _warm_up(api)

    with django_assert_num_queries(6):
        counted = api.get("payments", {"include": EVERY_INCLUDE, "limit": 100})
    with django_assert_num_queries(5):
        uncounted = api.get(
            "payments", {"include": EVERY_INCLUDE, "limit": 100, "include_total_count": "false"}
        )

    assert len(counted.body["data"]) == rows + 1  # and the advance's own payment
    assert uncounted.body["data"] == counted.body["data"]
    embedded = {
        name for row in counted.body["data"] for name in EVERY_INCLUDE.split(",") if row[name]
    }
    assert embedded == {"Invoice", "CreditNote", "AdvanceInvoice"}


def test_retrieve_costs_two_queries_and_four_with_every_include(
    api, documents, django_assert_num_queries
):
    _apply_credit_note(documents, 1)
    _apply_advance(documents, 50)  # rows of the entity that retrieve must never load
    payment_id = api.get("payments", {"type": "credit_note"}).body["data"][0]["id"]

    with django_assert_num_queries(2):
        plain = api.get(f"payments/{payment_id}")
    with django_assert_num_queries(4):
        embedded = api.get(f"payments/{payment_id}", {"include": EVERY_INCLUDE})

    assert plain.status == embedded.status == 200
    assert embedded.body["CreditNote"]["id"] == documents[1].pk
    assert embedded.body["AdvanceInvoice"] is None


@pytest.mark.postgres  # measured on PostgreSQL (sessions carry lock_timeout; no SET LOCAL)
def test_create_stays_within_its_budget_with_and_without_idempotency_key(
    api, documents, django_assert_num_queries
):
    invoice = documents[0]
    body = {"invoice_id": invoice.pk, "amount": 12, "type": "cash"}
    _warm_up(api)

    # With the outbox: each event is one insert (the worker makes the deliveries). The
    # first payment writes two (payment.created, invoice.partially_paid, which renders the
    # invoice's lines: +3), the second only payment.created (+1).
    with django_assert_num_queries(11):
        plain = api.post("payments", body)
    with django_assert_num_queries(16):
        keyed = api.post("payments", body, idempotency_key="budget-1")
    with django_assert_num_queries(7):
        replayed = api.post("payments", body, idempotency_key="budget-1")

    assert plain.status == keyed.status == replayed.status == 201
    assert replayed.body == keyed.body
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("24.00")
