"""`GET /api/v1/payments`: query, search, include, cursors, limits, order and filters over HTTP."""

import json
from decimal import Decimal

import pytest

from payments.models import Payment
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    issued_advance,
    issued_invoice,
    record_payment,
)


def _ids(response) -> list[str]:
    assert response.status == 200, response.body
    return [row["id"] for row in response.body["data"]]


def _query(api, query, **params):
    text = query if isinstance(query, str) else json.dumps(query)
    return api.get("payments", {"query": text, **params})


@pytest.fixture
def two_payments(entity):
    """Payment A (cash, 100.00, 2024-01-10) and B (bank transfer, 250.00, 2024-03-01)."""
    customer = CustomerFactory(entity=entity)
    first_invoice = issued_invoice(customer, total="1000.00")
    second_invoice = issued_invoice(customer, total="1000.00")
    a = record_payment(
        first_invoice,
        "100.00",
        type="cash",
        date="2024-01-10",
        reference="TXN-2024-0015",
        note="First installment payment",
        metadata={"source": "web_app", "processor": "stripe"},
    )
    b = record_payment(
        second_invoice,
        "250.00",
        type="bank_transfer",
        date="2024-03-01",
        reference="WIRE-77",
        note="Second installment",
        metadata={"source": "import"},
    )
    return {"A": a.pk, "B": b.pk, "invoice_A": first_invoice.pk, "invoice_B": second_invoice.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"type": "cash"}, "A", id="bare-value"),
        pytest.param({"type": {"equals": "bank_transfer"}}, "B", id="equals"),
        pytest.param({"amount": {"gte": 250}}, "B", id="gte"),
        pytest.param({"amount": {"lte": "100.00"}}, "A", id="lte"),
        pytest.param({"amount": {"gt": 100}}, "B", id="gt"),
        pytest.param({"amount": {"lt": 250}}, "A", id="lt"),
        pytest.param({"type": {"in": ["cash", "check"]}}, "A", id="in"),
        pytest.param({"type": {"notIn": ["cash", "check"]}}, "B", id="notIn"),
        pytest.param({"reference": {"contains": "txn-2024"}}, "A", id="contains"),
        pytest.param({"note": {"startsWith": "SECOND"}}, "B", id="startsWith"),
        pytest.param({"reference": {"endsWith": "-0015"}}, "A", id="endsWith"),
        pytest.param({"date": {"between": ["2024-02-01", "2024-12-31"]}}, "B", id="between-dates"),
        pytest.param({"amount": {"between": [50, 150]}}, "A", id="between-amounts"),
        pytest.param({"metadata.source": "web_app"}, "A", id="metadata-dot-path"),
        pytest.param({"metadata.source": {"startsWith": "imp"}}, "B", id="metadata-operator"),
    ],
)
def test_query_operator_selects_the_matching_row_only(api, two_payments, query, expected):
    response = _query(api, query)

    assert _ids(response) == [two_payments[expected]]
    assert response.body["pagination"]["total"] == 1


def test_query_by_invoice_id_and_id(api, two_payments):
    by_invoice = _query(api, {"invoice_id": two_payments["invoice_B"]})
    by_id = _query(api, {"id": {"in": [two_payments["A"]]}})

    assert _ids(by_invoice) == [two_payments["B"]]
    assert _ids(by_id) == [two_payments["A"]]


def test_query_conditions_on_several_fields_all_apply(api, two_payments):
    both = _query(api, {"amount": {"gte": 50}, "metadata.processor": "stripe"})
    none = _query(api, {"amount": {"gte": 200}, "metadata.processor": "stripe"})

    assert _ids(both) == [two_payments["A"]]
    assert _ids(none) == []
    assert none.body["pagination"]["total"] == 0


def test_query_with_an_unknown_field_is_rejected_naming_it(api, two_payments):
    response = _query(api, {"total": {"gte": 1000}})

    assert response.status == 400
    assert response.error["code"] == "invalid_query"
    assert response.error["param"] == "query.total"
    assert '"total"' in response.error["message"]


def test_query_with_an_unknown_operator_is_rejected_naming_it(api, two_payments):
    response = _query(api, {"amount": {"regex": "^1"}})

    assert response.status == 400
    assert response.error["code"] == "invalid_query"
    assert response.error["param"] == "query.amount"
    assert '"regex"' in response.error["message"]


def test_query_operator_that_does_not_fit_the_field_is_rejected(api, two_payments):
    response = _query(api, {"type": {"gte": "cash"}})

    assert response.status == 400
    assert response.error["code"] == "invalid_query"
    assert response.error["param"] == "query.type"
    assert "gte" in response.error["message"]


def test_query_that_is_not_json_is_rejected(api, two_payments):
    response = _query(api, '{"amount": {"gte": 10}')

    assert response.status == 400
    assert response.error["code"] == "invalid_query"
    assert response.error["param"] == "query"
    assert "not valid JSON" in response.error["message"]


def test_query_value_of_the_wrong_kind_is_rejected(api, two_payments):
    response = _query(api, {"amount": {"gte": "a lot"}})

    assert response.status == 400
    assert response.error["code"] == "invalid_query"
    assert response.error["param"] == "query.amount"


def test_search_matches_a_metadata_value_but_not_a_key(api, two_payments):
    by_value = api.get("payments", {"search": "WEB_"})
    by_key = api.get("payments", {"search": "processor"})

    assert _ids(by_value) == [two_payments["A"]]
    assert _ids(by_key) == []


def test_search_matches_a_reference_substring(api, two_payments):
    response = api.get("payments", {"search": "ire-7"})

    assert _ids(response) == [two_payments["B"]]


def test_search_follows_a_changed_reference_and_metadata(api, two_payments):
    payment = two_payments["A"]
    api.patch(f"payments/{payment}", {"reference": "CHQ-0042", "metadata": {"desk": "loft"}})

    assert _ids(api.get("payments", {"search": "chq-00"})) == [payment]
    assert _ids(api.get("payments", {"search": "loft"})) == [payment]
    assert _ids(api.get("payments", {"search": "WEB_"})) == []


def test_include_embeds_invoice_credit_note_and_advance_invoice(api, entity):
    customer = CustomerFactory(entity=entity)
    invoice = issued_invoice(customer, total="500.00")
    advance = issued_advance(customer, total="300.00")
    credit_note = api.post(
        "credit-notes", {"invoice_id": invoice.pk, "amount": 40, "reason": "Discount"}
    ).body
    on_advance = record_payment(advance, "300.00", type="bank_transfer")
    applied = api.post(
        "payments",
        {
            "invoice_id": invoice.pk,
            "credit_note_id": credit_note["id"],
            "amount": 40,
            "type": "credit_note",
        },
    ).body

    response = api.get("payments", {"include": "Invoice,CreditNote,AdvanceInvoice"})

    assert response.status == 200, response.body
    rows = {row["id"]: row for row in response.body["data"]}
    assert set(rows) == {on_advance.pk, applied["id"]}
    application = rows[applied["id"]]
    assert application["Invoice"]["id"] == invoice.pk
    assert application["Invoice"]["total_paid"] == Decimal("40.00")
    assert application["Invoice"]["items"][0]["total"] == Decimal("500.00")
    assert application["CreditNote"]["id"] == credit_note["id"]
    assert application["CreditNote"]["total_remaining"] == Decimal("0.00")
    assert application["AdvanceInvoice"] is None
    prepayment = rows[on_advance.pk]
    assert prepayment["Invoice"] is None and prepayment["CreditNote"] is None
    assert prepayment["AdvanceInvoice"]["id"] == advance.pk
    assert prepayment["AdvanceInvoice"]["total_paid"] == Decimal("300.00")


def test_without_include_no_related_object_is_embedded(api, two_payments):
    row = api.get("payments").body["data"][0]

    assert not {"Invoice", "CreditNote", "AdvanceInvoice"} & set(row)


def test_retrieve_with_include_embeds_the_invoice(api, two_payments):
    response = api.get(f"payments/{two_payments['A']}", {"include": "Invoice"})

    assert response.status == 200, response.body
    assert response.body["Invoice"]["id"] == two_payments["invoice_A"]
    assert "CreditNote" not in response.body


@pytest.mark.parametrize("include", ["Customer", "invoice", "Invoice,Refunds"])
def test_unknown_include_is_rejected(api, two_payments, include):
    response = api.get("payments", {"include": include})

    assert response.status == 400
    assert response.error["code"] == "invalid_include"
    assert response.error["param"] == "include"


def _payments(invoice, count, amount="10.00"):
    return [record_payment(invoice, amount).pk for _ in range(count)]


def test_cursor_walk_forward_then_back_has_no_duplicate_or_gap_while_payments_arrive(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100000.00")
    original = list(reversed(_payments(invoice, 7)))  # newest first, the default order
    arrived = []

    pages = [api.get("payments", {"limit": 3})]
    while pages[-1].body["pagination"]["next_cursor"]:
        arrived += _payments(invoice, 2)
        pages.append(
            api.get(
                "payments", {"limit": 3, "next_cursor": pages[-1].body["pagination"]["next_cursor"]}
            )
        )

    assert [len(_ids(page)) for page in pages] == [3, 3, 1]
    assert [row_id for page in pages for row_id in _ids(page)] == original
    assert [page.body["pagination"]["has_more"] for page in pages] == [True, True, False]
    assert pages[0].body["pagination"]["prev_cursor"] is None
    assert pages[-1].body["pagination"]["next_cursor"] is None

    back = [pages[-1]]
    for _ in range(2):
        arrived += _payments(invoice, 1)
        back.append(
            api.get(
                "payments", {"limit": 3, "prev_cursor": back[-1].body["pagination"]["prev_cursor"]}
            )
        )

    assert [_ids(page) for page in reversed(back)] == [_ids(page) for page in pages]
    # Payments that arrived meanwhile sort before the first page: reachable, never mixed in.
    newer = api.get(
        "payments", {"limit": 3, "prev_cursor": back[-1].body["pagination"]["prev_cursor"]}
    )
    assert set(_ids(newer)) <= set(arrived)
    assert len(_ids(newer)) == 3
    assert api.get("payments", {"include_total_count": "true"}).body["pagination"]["total"] == (
        len(original) + len(arrived)
    )


def test_include_total_count_false_reports_minus_one(api, two_payments):
    counted = api.get("payments", {"limit": 1})
    uncounted = api.get("payments", {"limit": 1, "include_total_count": "false"})

    assert counted.body["pagination"]["total"] == 2
    assert uncounted.body["pagination"]["total"] == -1
    assert uncounted.body["pagination"]["has_more"] is True
    assert _ids(uncounted) == _ids(counted)


@pytest.mark.parametrize("limit", ["0", "101", "1000000", "-1", "ten", "1.5"])
def test_limit_outside_1_to_100_is_rejected(api, two_payments, limit):
    response = api.get("payments", {"limit": limit})

    assert response.status == 400
    assert response.error["code"] == "invalid_limit"
    assert response.error["param"] == "limit"


def test_default_limit_is_10_and_100_is_allowed(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100000.00")
    _payments(invoice, 12)

    assert len(_ids(api.get("payments"))) == 10
    assert len(_ids(api.get("payments", {"limit": "100"}))) == 12


@pytest.mark.parametrize("param", ["next_cursor", "prev_cursor"])
def test_garbage_cursor_is_rejected(api, two_payments, param):
    response = api.get("payments", {param: "not-a-cursor"})

    assert response.status == 400
    assert response.error["code"] == "invalid_cursor"
    assert response.error["param"] == param


def test_cursor_issued_for_another_order_is_rejected(api, two_payments):
    cursor = api.get("payments", {"limit": 1}).body["pagination"]["next_cursor"]

    response = api.get("payments", {"limit": 1, "next_cursor": cursor, "order_by": "amount"})

    assert response.status == 400
    assert response.error["code"] == "invalid_cursor"
    assert "order_by" in response.error["message"]


def _walk(api, params) -> list[dict]:
    rows, cursor = [], None
    while True:
        page = api.get("payments", {**params, **({"next_cursor": cursor} if cursor else {})})
        assert page.status == 200, page.body
        rows += page.body["data"]
        cursor = page.body["pagination"]["next_cursor"]
        if cursor is None:
            return rows


def test_order_by_amount_with_ties_pages_through_every_row_once(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100000.00")
    for amount in ("20.00", "10.00", "20.00", "30.00", "20.00", "20.00"):
        record_payment(invoice, amount)
    expected = sorted(Payment.objects.values_list("amount", "id"))

    ascending = _walk(api, {"order_by": "amount", "limit": 2})
    descending = _walk(api, {"order_by": "-amount", "limit": 2})

    assert [(row["amount"], row["id"]) for row in ascending] == expected
    assert [(row["amount"], row["id"]) for row in descending] == expected[::-1]
    assert [row["amount"] for row in ascending] == [
        Decimal(a) for a in ("10.00", "20.00", "20.00", "20.00", "20.00", "30.00")
    ]


def test_order_by_an_unknown_field_is_rejected(api, two_payments):
    response = api.get("payments", {"order_by": "-reference"})

    assert response.status == 400
    assert response.error["code"] == "invalid_order_by"
    assert response.error["param"] == "order_by"


def test_per_field_filters_select_by_type_and_invoice(api, two_payments):
    assert _ids(api.get("payments", {"type": "cash"})) == [two_payments["A"]]
    assert _ids(api.get("payments", {"invoice_id": two_payments["invoice_B"]})) == [
        two_payments["B"]
    ]
    assert _ids(api.get("payments", {"date_from": "2024-02-01"})) == [two_payments["B"]]
    assert _ids(api.get("payments", {"date_to": "2024-02-01"})) == [two_payments["A"]]


def test_per_field_filters_combine_with_query(api, two_payments):
    response = _query(api, {"amount": {"gte": 1}}, type="bank_transfer")

    assert _ids(response) == [two_payments["B"]]
    assert response.body["pagination"]["total"] == 1


@pytest.mark.parametrize(
    ("param", "value"), [("date_from", "garbage"), ("type", "barter"), ("date_to", "2024-13-01")]
)
def test_invalid_per_field_filter_is_rejected_naming_it(api, two_payments, param, value):
    response = api.get("payments", {param: value})

    assert response.status == 400
    assert response.error["code"] == "invalid_filter"
    assert response.error["param"] == param


def test_deleted_and_other_entity_payments_are_not_listed(api, entity, two_payments):
    from payments.services import payment_delete

    payment_delete(payment=Payment.objects.get(pk=two_payments["B"]), actor=SYSTEM)
    record_payment(issued_invoice(total="50.00"), "50.00")  # another entity

    response = api.get("payments")

    assert _ids(response) == [two_payments["A"]]
    assert response.body["pagination"]["total"] == 1


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("payments", "amount"),
        ("refunds", "amount"),
        ("invoices", "total_due"),
        ("credit-notes", "total_remaining"),
    ],
)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param("{literal}", id="equals"),
        pytest.param('{{"gte": {literal}}}', id="gte"),
        pytest.param('{{"lt": -{literal}}}', id="lt-negative"),
        pytest.param('{{"in": [1, {literal}]}}', id="in"),
        pytest.param('{{"between": [0, {literal}]}}', id="between"),
    ],
)
@pytest.mark.parametrize("literal", ["1e309", "1e1000000"])
def test_query_number_beyond_any_amount_is_rejected_naming_the_field(
    api, two_payments, path, field, condition, literal
):
    text = f'{{"{field}": {condition.format(literal=literal)}}}'

    response = api.get(path, {"query": text})

    assert response.status == 400, response.body
    assert response.error["code"] == "invalid_query"
    assert response.error["param"] == f"query.{field}"
    assert response.error["message"].endswith(
        "must be a finite number below 1,000,000,000,000,000,000."
    )
