"""Hostile input as tables: every value no client should send, sent to every endpoint that
takes it, answered with a specific 4xx in our error format and no change to any money row.

Where the single cases already live (this file extends them to every endpoint):

- amounts on `POST /payments` (0, -1, "NaN", NaN, Infinity, 1e309, "1e3", 12.345 in EUR,
  10^13, 10^14, booleans), 1.5 in JPY, read-only fields on payments, metadata limits
  (51 keys, 41-character keys, 251-character values, nested objects, lists, null),
  401/404/405/429 and malformed JSON: `tests/api/test_api_contract.py`;
- `query` (unknown fields and operators, wrong kinds, SQL fragments as values, 1,000-deep
  nesting, 4,096+ characters), garbage, tampered and foreign cursors, limits:
  `tests/api/test_listing.py` (the shared implementation) and
  `tests/api/test_payment_lists_api.py` (over HTTP, payments);
- NUL bytes, lone surrogates, impossible ids and dates:
  `tests/api/test_hostile_input_api.py`;
- another entity's ids, in every verb of every endpoint:
  `tests/api/test_tenant_isolation_api.py`
  (its completeness against the URL patterns is checked in `test_security.py`);
- random and schema-driven input: `tests/api/test_fuzz.py` (Schemathesis).
"""

import json
from dataclasses import dataclass

import pytest
from django.core import signing

from tests.asserts import unchanged
from tests.factories import (
    CustomerFactory,
    SavedCardFactory,
    give_balance,
    issued_advance,
    issued_invoice,
    record_payment,
)

ERROR_KEYS = {"type", "code", "message", "param"}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.SETTLE_API_RATE = "1000000/s"


def assert_refused(response, status: int, code: str, param) -> None:
    assert response.status == status, response.body
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.body) == {"error"}
    assert set(response.error) == ERROR_KEYS
    assert (response.error["code"], response.error["param"]) == (code, param), response.error
    assert response.error["message"]


def raw_body(template: dict, literal: str) -> str:
    """`template` as JSON with the string "<hostile>" replaced by a raw JSON literal."""
    return json.dumps(template).replace('"<hostile>"', literal)


# --- amounts, on every endpoint that takes one ------------------------------------------------


@dataclass
class Target:
    method: str
    path: str
    body: dict


def _customer(entity, currency):
    return CustomerFactory(entity=entity, currency=currency)


def create_payment(entity, currency):
    invoice = issued_invoice(_customer(entity, currency), total="1000")
    return Target(
        "post", "payments", {"invoice_id": invoice.pk, "type": "cash", "amount": "<hostile>"}
    )


def update_payment(entity, currency):
    payment = record_payment(issued_invoice(_customer(entity, currency), total="1000"), "100")
    return Target("patch", f"payments/{payment.pk}", {"amount": "<hostile>"})


def refund_payment(entity, currency):
    payment = record_payment(issued_invoice(_customer(entity, currency), total="1000"), "100")
    return Target(
        "post", f"payments/{payment.pk}/refunds", {"amount": "<hostile>", "reason": "Returned"}
    )


def charge_invoice(entity, currency):
    customer = _customer(entity, currency)
    card = SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="1000")
    return Target(
        "post",
        f"invoices/{invoice.pk}/charge",
        {"payment_method_id": card.pk, "amount": "<hostile>"},
    )


def charge_advance(entity, currency):
    customer = _customer(entity, currency)
    card = SavedCardFactory(customer=customer)
    advance = issued_advance(customer, total="1000")
    return Target(
        "post",
        f"advance-invoices/{advance.pk}/charge",
        {"payment_method_id": card.pk, "amount": "<hostile>"},
    )


def apply_balance(entity, currency):
    customer = _customer(entity, currency)
    give_balance(customer, "500")
    invoice = issued_invoice(customer, total="1000", apply_balance=False)
    return Target("post", f"invoices/{invoice.pk}/apply-balance", {"amount": "<hostile>"})


def move_overpayment(entity, currency):
    invoice = issued_invoice(_customer(entity, currency), total="50")
    record_payment(invoice, "80")
    return Target("post", f"invoices/{invoice.pk}/move-overpayment", {"amount": "<hostile>"})


def credit_note(entity, currency):
    invoice = issued_invoice(_customer(entity, currency), total="1000")
    return Target(
        "post",
        "credit-notes",
        {"invoice_id": invoice.pk, "reason": "Room closed", "amount": "<hostile>"},
    )


def credit_note_allocation(entity, currency):
    invoice = issued_invoice(_customer(entity, currency), total="1000")
    return Target(
        "post",
        "credit-notes",
        {
            "invoice_id": invoice.pk,
            "reason": "Room closed",
            "amount": 100,
            "allocations": [{"type": "customer_balance", "amount": "<hostile>"}],
        },
    )


def balance_adjustment(entity, currency):
    customer = _customer(entity, currency)
    give_balance(customer, "500")
    return Target(
        "post",
        f"customers/{customer.pk}/balance-adjustments",
        {"amount": "<hostile>", "reason": "Goodwill"},
    )


AMOUNT_TARGETS = {
    "create-payment": create_payment,
    "update-payment": update_payment,
    "refund": refund_payment,
    "charge-invoice": charge_invoice,
    "charge-advance": charge_advance,
    "apply-balance": apply_balance,
    "move-overpayment": move_overpayment,
    "credit-note": credit_note,
    "credit-note-allocation": credit_note_allocation,
    "balance-adjustment": balance_adjustment,
}
# (raw JSON literal, currency, code); the param is the amount's, except for malformed JSON.
HOSTILE_AMOUNTS = {
    "zero": ("0", "EUR", "amount_not_positive"),
    "minus-one": ("-1", "EUR", "amount_not_positive"),
    "NaN-string": ('"NaN"', "EUR", "invalid_number"),
    "NaN-literal": ("NaN", "EUR", "malformed_json"),
    "Infinity-literal": ("Infinity", "EUR", "malformed_json"),
    "1e309": ("1e309", "EUR", "amount_too_large"),
    # Beyond the decimal context's exponent limit: arithmetic on it raises decimal.Overflow.
    "1e1000000": ("1e1000000", "EUR", "amount_too_large"),
    "minus-1e1000000": ("-1e1000000", "EUR", "amount_too_large"),
    "1e-1000000": ("1e-1000000", "EUR", "too_many_decimals"),
    "string-1e3": ('"1e3"', "EUR", "invalid_number"),
    "12.345-EUR": ("12.345", "EUR", "too_many_decimals"),
    "1.5-JPY": ("1.5", "JPY", "too_many_decimals"),
    "10^14": ("100000000000000", "EUR", "amount_too_large"),
    "boolean": ("true", "EUR", "invalid_number"),
    "object": ('{"value": 10}', "EUR", "invalid_number"),
}


def _amount_param(target: Target) -> str:
    return "allocations[0].amount" if "allocations" in target.body else "amount"


AMOUNT_CASES = [
    pytest.param(endpoint, value, id=f"{endpoint}-{value}")
    for endpoint in AMOUNT_TARGETS
    for value in HOSTILE_AMOUNTS
    # A negative adjustment deducts from the balance: allowed.
    if (endpoint, value) != ("balance-adjustment", "minus-one")
]


@pytest.mark.parametrize(("endpoint", "value"), AMOUNT_CASES)
def test_hostile_amount_is_refused_everywhere_and_changes_nothing(api, entity, endpoint, value):
    literal, currency, code = HOSTILE_AMOUNTS[value]
    target = AMOUNT_TARGETS[endpoint](entity, currency)

    with unchanged():
        response = api.request(target.method, target.path, raw=raw_body(target.body, literal))

    param = None if code == "malformed_json" else _amount_param(target)
    assert_refused(response, 400, code, param)


@pytest.mark.parametrize(
    ("item", "param"),
    [
        pytest.param({"price": -1}, "items[0].price", id="negative-price"),
        pytest.param({"price": "<hostile>"}, "items[0].price", id="price-1e309"),
        pytest.param({"price": 10, "quantity": "<hostile>"}, "items[0].quantity", id="qty-1e309"),
        pytest.param({"price": 10, "tax_rate": "<hostile>"}, "items[0].tax_rate", id="tax-1e309"),
        pytest.param({"price": 10**14}, "items[0].price", id="price-10^14"),
        pytest.param({"price": 10, "quantity": 0}, "items[0].quantity", id="zero-quantity"),
        pytest.param({"price": 10, "quantity": -1}, "items[0].quantity", id="negative-quantity"),
        pytest.param({"price": 10, "tax_rate": -1}, "items[0].tax_rate", id="negative-tax"),
    ],
)
@pytest.mark.parametrize("huge", ["1e309", "1e1000000", "-1e1000000"])
def test_hostile_invoice_line_is_refused(api, entity, item, param, huge):
    customer = CustomerFactory(entity=entity)
    body = {"customer_id": customer.pk, "items": [{"name": "Desk", **item}]}

    with unchanged():
        response = api.post("invoices", raw=raw_body(body, huge))

    assert_refused(response, 400, "validation_error", param)


@pytest.mark.parametrize("position", [0, 1])
def test_refusal_in_a_list_names_the_item_by_its_index(api, entity, position):
    customer = CustomerFactory(entity=entity)
    items = [{"name": "Desk", "price": 10}, {"name": "Locker", "price": 5}]
    items[position]["price"] = "12"

    response = api.post("invoices", {"customer_id": customer.pk, "items": items})

    assert_refused(response, 400, "invalid_number", f"items[{position}].price")


# --- bodies that set what only the server sets --------------------------------------------------


def _invoice_for(entity):
    return issued_invoice(CustomerFactory(entity=entity), total="100")


DRAFT = {"customer_id": "{customer}", "items": [{"name": "Desk", "price": 10}]}
# (path, a body the endpoint accepts, a field only the server sets, a value for it)
SERVER_SET_FIELDS = [
    ("invoices", DRAFT, "status", "paid"),
    ("invoices", DRAFT, "total_paid", 100),
    ("invoices", DRAFT, "number", "INV-1"),
    ("advance-invoices", DRAFT, "total_applied", 100),
    ("customers", {"name": "Ada"}, "balance", 1000),
    ("credit-notes", {"invoice_id": "{invoice}", "reason": "x"}, "total_applied", 0),
    ("credit-notes", {"invoice_id": "{invoice}", "reason": "x"}, "status", "void"),
    ("payments/{payment}/refunds", {"reason": "x"}, "status", "succeeded"),
    ("customers/{customer}/balance-adjustments", {"amount": 5, "reason": "x"}, "balance_after", 9),
    ("invoices/{invoice}/charge", {"payment_method_id": "x"}, "status", "succeeded"),
    ("invoices/{invoice}/void", {"reason": "x"}, "status", "void"),
    ("invoices/{invoice}/write-off", {"reason": "x"}, "total_due", 0),
    ("invoices/{invoice}/apply-balance", {}, "total_paid", 100),
]


def _filled(value, ids: dict):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: _filled(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, ids) for item in value]
    return value


@pytest.mark.parametrize(
    ("path", "body", "field", "value"),
    SERVER_SET_FIELDS,
    ids=[f"{path.split('/')[-1]}-{field}" for path, _, field, _ in SERVER_SET_FIELDS],
)
def test_body_setting_a_server_owned_field_is_refused(api, entity, path, body, field, value):
    invoice = _invoice_for(entity)
    ids = {
        "invoice": invoice.pk,
        "customer": invoice.customer_id,
        "payment": record_payment(invoice, "10").pk,
    }

    with unchanged():
        response = api.post(_filled(path, ids), {**_filled(body, ids), field: value})

    assert_refused(response, 400, "unknown_field", field)


def test_patch_setting_total_paid_is_refused(api, entity):
    payment = record_payment(_invoice_for(entity), "10")

    with unchanged():
        response = api.patch(f"payments/{payment.pk}", {"total_paid": 1000})

    assert_refused(response, 400, "unknown_field", "total_paid")


# --- metadata on every resource that has it -----------------------------------------------------

METADATA_TARGETS = {
    "invoice": lambda e: (
        "invoices",
        {"customer_id": CustomerFactory(entity=e).pk, "items": [{"name": "Desk", "price": 10}]},
    ),
    "credit-note": lambda e: (
        "credit-notes",
        {"invoice_id": _invoice_for(e).pk, "reason": "x", "amount": 5},
    ),
    "customer": lambda e: ("customers", {"name": "Ada"}),
}
HOSTILE_METADATA = {
    "51-keys": ({f"key_{index}": "v" for index in range(51)}, "metadata"),
    "251-character-value": ({"note": "v" * 251}, "metadata.note"),
    "nested-object": ({"nested": {"a": "b"}}, "metadata.nested"),
    "not-an-object": (["a"], "metadata"),
}


@pytest.mark.parametrize("case", HOSTILE_METADATA)
@pytest.mark.parametrize("resource", METADATA_TARGETS)
def test_hostile_metadata_is_refused_on_every_resource(api, entity, resource, case):
    path, body = METADATA_TARGETS[resource](entity)
    metadata, param = HOSTILE_METADATA[case]

    with unchanged():
        response = api.post(path, {**body, "metadata": metadata})

    assert_refused(response, 400, "invalid_metadata", param)


# --- malformed bodies on every write ---------------------------------------------------------------

WRITES = [
    ("post", "payments"),
    ("patch", "payments/{payment}"),
    ("post", "payments/{payment}/refunds"),
    ("post", "invoices"),
    ("post", "invoices/{invoice}/charge"),
    ("post", "invoices/{invoice}/void"),
    ("post", "credit-notes"),
    ("post", "customers"),
    ("post", "customers/{customer}/balance-adjustments"),
]
MALFORMED = {
    "not-an-object": ("[1, 2]", "invalid_body"),
    "truncated": ('{"amount": 10,', "malformed_json"),
    "1000-deep": ("[" * 1000 + "]" * 1000, "malformed_json"),
    "1000-deep-object": ('{"a":' * 1000 + "1" + "}" * 1000, "malformed_json"),
    "not-utf8": (b'{"amount": "\xff"}', "malformed_json"),
}


@pytest.mark.parametrize("case", MALFORMED)
@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m}-{p}" for m, p in WRITES])
def test_malformed_body_is_refused_on_every_write(api, entity, method, path, case):
    invoice = _invoice_for(entity)
    payment = record_payment(invoice, "10")
    path = path.format(payment=payment.pk, invoice=invoice.pk, customer=invoice.customer_id)
    raw, code = MALFORMED[case]

    with unchanged():
        response = api.request(method, path, raw=raw)

    assert_refused(response, 400, code, None)


# --- list parameters on every list ----------------------------------------------------------------

LISTS = [
    "payments",
    "payments/export",
    "refunds",
    "payments/{payment}/refunds",
    "invoices",
    "advance-invoices",
    "credit-notes",
    "customers",
    "customers/{customer}/balance-transactions",
    "customers/{customer}/payment-methods",
]
FORGED_CURSOR = signing.dumps(
    {"v": 1, "o": "-created_at", "d": "next", "k": ["2024-01-15T00:00:00+00:00", "x"]},
    salt="settle.api.listing.cursor:payments.payment",
    key="not-our-secret",
    compress=True,
)
HOSTILE_LIST_PARAMS = {
    "unknown-field": ({"query": '{"nope": 1}'}, "invalid_query", "query.nope"),
    "unknown-operator": ({"query": '{"id": {"regex": "^a"}}'}, "invalid_query", "query.id"),
    "sql-as-field": (
        {"query": '{"id; DROP TABLE payments_payment; --": 1}'},
        "invalid_query",
        "query.id; DROP TABLE payments_payment; --",
    ),
    "sql-as-operator": ({"query": '{"id": {"equals) OR 1=1 --": 1}}'}, "invalid_query", "query.id"),
    "10kB-query": ({"query": json.dumps({"id": "x" * 10240})}, "query_too_long", "query"),
    "1000-deep-query": ({"query": "[" * 1000 + "]" * 1000}, "invalid_query", "query"),
    "garbage-cursor": ({"next_cursor": "garbage"}, "invalid_cursor", "next_cursor"),
    "forged-cursor": ({"next_cursor": FORGED_CURSOR}, "invalid_cursor", "next_cursor"),
    "forged-prev-cursor": ({"prev_cursor": FORGED_CURSOR}, "invalid_cursor", "prev_cursor"),
    "limit-1000000": ({"limit": "1000000"}, "invalid_limit", "limit"),
    "unknown-order": ({"order_by": "password"}, "invalid_order_by", "order_by"),
    "10kB-search": ({"search": "x" * 10240}, "invalid_search", "search"),
    "count-maybe": (
        {"include_total_count": "maybe"},
        "invalid_include_total_count",
        "include_total_count",
    ),
}


def _list_path(template: str, entity) -> str:
    invoice = _invoice_for(entity)
    payment = record_payment(invoice, "10") if "{payment}" in template else None
    return template.format(payment=payment and payment.pk, customer=invoice.customer_id)


# The CSV export streams the whole filtered list: it takes no page or count parameters.
PAGE_CASES = {"garbage-cursor", "forged-cursor", "forged-prev-cursor", "limit-1000000"}
LIST_CASES = [
    pytest.param(path, case, id=f"{path}-{case}")
    for path in LISTS
    for case in HOSTILE_LIST_PARAMS
    if not (path == "payments/export" and (case in PAGE_CASES or case == "count-maybe"))
]


@pytest.mark.parametrize(("path", "case"), LIST_CASES)
def test_hostile_list_parameter_is_refused_on_every_list(api, entity, path, case):
    path = _list_path(path, entity)
    params, code, param = HOSTILE_LIST_PARAMS[case]

    response = api.get(path, params)

    assert_refused(response, 400, code, param)


def _read(api, path: str, params=None) -> tuple[int, object]:
    """Status and body of a GET; the CSV export streams, so it is read as bytes."""
    if path.endswith("export"):
        response = api.client.get(f"/api/v1/{path}", params or {}, headers=api._headers())
        return response.status_code, b"".join(response.streaming_content)
    response = api.get(path, params)
    return response.status, response.body


@pytest.mark.parametrize("path", LISTS)
def test_sql_fragment_as_a_value_is_matched_literally(api, entity, path):
    path = _list_path(path, entity)
    _, before = _read(api, path)

    status, body = _read(api, path, {"query": json.dumps({"id": "x' OR '1'='1"})})

    assert status == 200
    if path.endswith("export"):
        assert body.count(b"\n") == 1, body  # the header line only
    else:
        assert body["data"] == [], body
    assert _read(api, path) == (200, before)
