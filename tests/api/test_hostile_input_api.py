"""Input PostgreSQL cannot store or UTF-8 cannot carry is a 4xx in our format, never a 5xx."""

from urllib.parse import quote

import pytest
import simplejson
from django.test import Client

from tests.asserts import unchanged
from tests.factories import CustomerFactory, issued_invoice, record_payment


@pytest.fixture
def invoice(entity):
    return issued_invoice(CustomerFactory(entity=entity), total="100.00")


def _send(api, method, path, raw=None, headers=None):
    """A request whose body may hold a lone surrogate (the JSON escape `\\ud800`)."""
    kwargs = {"headers": {"Authorization": f"Bearer {api.key}", **(headers or {})}}
    if raw is not None:
        kwargs.update(data=raw.encode(), content_type="application/json")
    response = getattr(Client(), method)(f"/api/v1/{path}", **kwargs)
    assert response["Content-Type"] == "application/json"
    return response.status_code, simplejson.loads(response.content)


@pytest.mark.parametrize(
    "path",
    [
        "payments/pmt_%00",
        "invoices/inv%00x",
        "customers/%00/balance-transactions",
        "refunds/%01",
        "payments/" + "p" * 300,
    ],
)
def test_impossible_id_in_the_path_is_404(api, entity, path):
    status, body = _send(api, "get", path)

    assert status == 404
    assert body["error"]["code"] == "resource_missing"
    assert body["error"]["param"] == "id"
    assert len(body["error"]["message"]) < 120


def test_impossible_id_in_an_action_path_is_404_and_changes_nothing(api, invoice):
    with unchanged():
        status, body = _send(api, "post", "invoices/inv%00/void", '{"reason": "x"}')

    assert status == 404
    assert body["error"]["param"] == "id"


def test_impossible_entity_header_is_404(api, entity):
    status, body = _send(api, "get", "payments", headers={"x-entity-id": "ent_\x00"})

    assert status == 404
    assert body["error"]["param"] == "x-entity-id"


def test_blank_entity_header_means_the_default_entity(api, invoice):
    record_payment(invoice, "10.00")

    status, body = _send(api, "get", "payments", headers={"x-entity-id": "   "})

    assert status == 200
    assert [row["entity_id"] for row in body["data"]] == [invoice.entity_id]


@pytest.mark.parametrize(
    ("raw_metadata", "param"),
    [
        ('{"k": "\\ud800"}', "metadata.k"),
        ('{"\\udfff": "v"}', "metadata"),
        ('{"k": "a\\u0000b"}', "metadata.k"),
    ],
)
def test_metadata_postgresql_cannot_store_is_refused(api, invoice, raw_metadata, param):
    raw = (
        f'{{"invoice_id": "{invoice.pk}", "amount": 1, "type": "cash", "metadata": {raw_metadata}}}'
    )

    with unchanged():
        status, body = _send(api, "post", "payments", raw)

    assert status == 400
    assert (body["error"]["code"], body["error"]["param"]) == ("invalid_metadata", param)


def test_customer_metadata_with_a_lone_surrogate_is_refused(api, entity):
    status, body = _send(api, "post", "customers", '{"name": "Ada", "metadata": {"k": "\\ud800"}}')

    assert status == 400
    assert body["error"]["param"] == "metadata.k"


def test_unknown_field_named_with_a_lone_surrogate_is_echoed_escaped(api, invoice):
    with unchanged():
        status, body = _send(api, "post", "payments", '{"\\ud800": 1}')

    assert status == 400
    assert body["error"]["code"] == "unknown_field"
    assert body["error"]["param"] == "\ud800"


@pytest.mark.parametrize("text", ["a\\u0000", "\\ud800"])
def test_text_fields_postgresql_cannot_store_are_refused(api, invoice, text):
    payment = record_payment(invoice, "10.00")

    with unchanged():
        created = _send(
            api,
            "post",
            "payments",
            f'{{"invoice_id": "{invoice.pk}", "amount": 1, "type": "cash", "note": "{text}"}}',
        )
        patched = _send(api, "patch", f"payments/{payment.pk}", f'{{"reference": "{text}"}}')

    assert (created[0], created[1]["error"]["param"]) == (400, "note")
    assert (patched[0], patched[1]["error"]["param"]) == (400, "reference")


@pytest.mark.parametrize("day", ["0099-01-15", "1899-12-31", "3000-01-01"])
def test_payment_date_outside_accounting_years_is_refused(api, invoice, day):
    with unchanged():
        status, body = _send(
            api,
            "post",
            "payments",
            f'{{"invoice_id": "{invoice.pk}", "amount": 1, "type": "cash", "date": "{day}"}}',
        )

    assert status == 400
    assert (body["error"]["code"], body["error"]["param"]) == ("invalid_date", "date")


IMPOSSIBLE_DATES = [
    "2024-02-28T25:61:00Z",
    "2024-02-28T24:00:00Z",
    "2024-02-28T23:60:00Z",
    "2024-02-28T23:59:61Z",
    "2024-02-28T12:00:00+25:00",
    "2024-02-30",
    "2024-02-30T00:00:00Z",
    "2024-13-01",
    "2024-02-28junk",
    "2024-02-28T",
    "2024-02-28 10:00",
]


@pytest.mark.parametrize("day", IMPOSSIBLE_DATES)
def test_impossible_payment_date_is_refused_on_create_and_update(api, invoice, day):
    payment = record_payment(invoice, "10.00", date="2024-01-10")

    with unchanged():
        created = _send(
            api,
            "post",
            "payments",
            f'{{"invoice_id": "{invoice.pk}", "amount": 1, "type": "cash", "date": "{day}"}}',
        )
        patched = _send(api, "patch", f"payments/{payment.pk}", f'{{"date": "{day}"}}')

    for status, body in (created, patched):
        assert status == 400
        assert body["error"] == {
            "type": "invalid_request_error",
            "code": "invalid_date",
            "message": "date must be a date in YYYY-MM-DD format (or an ISO 8601 date-time).",
            "param": "date",
        }


@pytest.mark.parametrize(
    ("day", "stored"),
    [
        ("2024-02-28", "2024-02-28T00:00:00.000Z"),
        ("2024-02-28T23:59:59.999Z", "2024-02-28T00:00:00.000Z"),
        ("2024-02-28T10:30Z", "2024-02-28T00:00:00.000Z"),
        ("2024-02-29T23:30:00-05:00", "2024-02-29T00:00:00.000Z"),
    ],
)
def test_a_real_date_or_date_time_is_stored_as_its_date(api, invoice, day, stored):
    status, body = _send(
        api,
        "post",
        "payments",
        f'{{"invoice_id": "{invoice.pk}", "amount": 1, "type": "cash", "date": "{day}"}}',
    )

    assert status == 201
    assert body["date"] == stored


@pytest.mark.parametrize("field", ["date", "due_date"])
@pytest.mark.parametrize("day", ["2024-02-28T25:61:00Z", "2024-02-30", "2024-02-28junk"])
def test_impossible_invoice_date_is_refused(api, entity, field, day):
    customer = CustomerFactory(entity=entity)
    body = {"customer_id": customer.pk, "items": [{"name": "Desk", "price": 10}], field: day}

    with unchanged():
        status, answer = _send(api, "post", "invoices", simplejson.dumps(body))

    assert (status, answer["error"]["param"]) == (400, field)


@pytest.mark.parametrize("day", ["2024-02-28T25:61:00Z", "2024-02-30"])
def test_impossible_date_in_a_query_is_refused(api, invoice, day):
    status, body = _send(api, "get", "payments?query=" + quote(f'{{"date": {{"gte": "{day}"}}}}'))

    assert status == 400
    assert (body["error"]["code"], body["error"]["param"]) == ("invalid_query", "query.date")


def test_early_timestamps_render_with_a_four_digit_year():
    from datetime import date

    from billing.formats import format_timestamp

    assert format_timestamp(date(99, 1, 15)) == "0099-01-15T00:00:00.000Z"
