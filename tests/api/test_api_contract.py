"""The API contract every endpoint shares: error format, keys, limits, amounts, metadata.

Idempotency is in `test_idempotency_api.py`, entities and tenant isolation in
`test_tenant_isolation_api.py`, input the database cannot store in `test_hostile_input_api.py`.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import simplejson
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api.framework.throttling import ApiKeyRateThrottle
from billing.models import ApiKey
from payments.models import Payment
from tests.api_client import ApiClient
from tests.asserts import unchanged
from tests.factories import CustomerFactory, issued_invoice, record_payment

ERROR_KEYS = {"type", "code", "message", "param"}


def assert_error(response, status: int, type_: str, code: str, param=None) -> dict:
    assert response.status == status, response.body
    assert set(response.body) == {"error"}
    error = response.error
    assert set(error) == ERROR_KEYS
    assert (error["type"], error["code"]) == (type_, code)
    assert error["param"] == param
    assert isinstance(error["message"], str) and error["message"]
    return error


@pytest.fixture
def invoice(entity):
    return issued_invoice(CustomerFactory(entity=entity), total="1500.00")


# --- the reference's curl examples, as written --------------------------------------------


def test_reference_curl_examples_work_as_written(entity, api_key, invoice):
    client = Client()
    headers = {"Authorization": f"Bearer {api_key}", "x-entity-id": entity.pk}
    body = """{
    "invoice_id": "inv_abc123def456",
    "amount": 1200,
    "type": "cash"
  }""".replace("inv_abc123def456", invoice.pk)

    created = client.post(
        "/api/v1/payments", data=body, content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    payment = simplejson.loads(created.content, use_decimal=True)
    assert (payment["amount"], payment["type"], payment["invoice_id"]) == (
        Decimal("1200.00"),
        "cash",
        invoice.pk,
    )

    listed = simplejson.loads(client.get("/api/v1/payments", headers=headers).content)
    assert [row["id"] for row in listed["data"]] == [payment["id"]]
    assert listed["pagination"] == {
        "total": 1,
        "next_cursor": None,
        "prev_cursor": None,
        "has_more": False,
    }

    fetched = client.get(f"/api/v1/payments/{payment['id']}", headers=headers)
    assert simplejson.loads(fetched.content, use_decimal=True) == payment

    patched = client.patch(
        f"/api/v1/payments/{payment['id']}",
        data="""{
    "amount": 800
  }""",
        content_type="application/json",
        headers=headers,
    )
    assert patched.status_code == 200, patched.content
    assert simplejson.loads(patched.content, use_decimal=True)["amount"] == Decimal("800.00")
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due) == (Decimal("800.00"), Decimal("700.00"))

    deleted = client.delete(f"/api/v1/payments/{payment['id']}", headers=headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.status) == (Decimal("0.00"), "issued")
    assert client.get(f"/api/v1/payments/{payment['id']}", headers=headers).status_code == 404


def test_payment_object_has_every_reference_field(api, invoice):
    created = api.post(
        "payments",
        {
            "invoice_id": invoice.pk,
            "amount": 600,
            "type": "bank_transfer",
            "date": "2024-01-10",
            "reference": "TXN-2024-0015",
            "note": "First installment payment",
            "metadata": {"source": "web_app", "processor": "stripe"},
        },
    )

    assert created.status == 201, created.body
    body = created.body
    assert {
        "id",
        "invoice_id",
        "credit_note_id",
        "advance_invoice_id",
        "amount",
        "type",
        "date",
        "reference",
        "note",
        "entity_id",
        "metadata",
        "created_at",
        "updated_at",
    } <= set(body)
    assert body["date"] == "2024-01-10T00:00:00.000Z"
    assert body["reference"] == "TXN-2024-0015"
    assert body["metadata"] == {"source": "web_app", "processor": "stripe"}
    assert body["created_at"].endswith("Z") and body["created_at"][-5] == "."


# --- the error format ----------------------------------------------------------------------


def test_unknown_url_under_the_api_is_a_json_404(api, entity):
    for method, path in (
        ("get", "/api/v1/nothing-here"),
        ("get", "/api/v1/"),
        ("post", "/api/v1/payments/pmt_x/capture"),
    ):
        response = api.request(method, path, {} if method == "post" else None)
        assert response.headers["Content-Type"] == "application/json"
        error = assert_error(response, 404, "invalid_request_error", "unknown_url")
        assert path in error["message"]


def test_unknown_url_without_a_key_is_still_a_json_404(db):
    response = ApiClient(None).get("/api/v1/no-such-thing")

    assert_error(response, 404, "invalid_request_error", "unknown_url")


def test_error_format_on_400_401_404_and_409(api, entity, invoice):
    bad_request = api.post("payments", {"invoice_id": invoice.pk, "type": "cash"})
    unauthorized = ApiClient("sk_settle_nope").get("payments")
    not_found = api.get("payments/pmt_doesnotexist")
    record_payment(invoice, "10.00")
    conflict = api.post(f"invoices/{invoice.pk}/void", {"reason": "Duplicate"})

    assert_error(bad_request, 400, "invalid_request_error", "required", "amount")
    assert_error(unauthorized, 401, "authentication_error", "invalid_api_key")
    assert unauthorized.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    error = assert_error(not_found, 404, "not_found_error", "resource_missing", "id")
    assert "pmt_doesnotexist" in error["message"]
    assert_error(conflict, 409, "invalid_state_error", "invoice_has_payments")


def test_method_not_allowed_and_malformed_json_use_the_error_format(api, invoice):
    put = api.request("put", "payments", {})
    broken = api.post("payments", raw='{"amount": 10,')
    not_an_object = api.post("payments", raw="[1, 2]")

    assert_error(put, 405, "invalid_request_error", "method_not_allowed")
    assert_error(broken, 400, "invalid_request_error", "malformed_json")
    assert_error(not_an_object, 400, "invalid_request_error", "invalid_body")
    assert Payment.objects.count() == 0


# --- API keys ----------------------------------------------------------------------------


def test_missing_key_is_401(entity):
    response = ApiClient(None).get("payments")

    assert_error(response, 401, "authentication_error", "missing_api_key")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer sk_settle_wrong", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-our-prefix"],
)
def test_invalid_key_is_401(entity, authorization):
    response = ApiClient(None).get("payments", headers={"Authorization": authorization})

    assert_error(response, 401, "authentication_error", "invalid_api_key")


def test_revoked_key_is_401_and_writes_nothing(api, invoice):
    ApiKey.objects.update(revoked_at=timezone.now())

    with unchanged():
        listed = api.get("payments")
        created = api.post("payments", {"invoice_id": invoice.pk, "amount": 10, "type": "cash"})

    assert_error(listed, 401, "authentication_error", "invalid_api_key")
    assert_error(created, 401, "authentication_error", "invalid_api_key")


def test_last_used_at_is_written_at_most_once_a_minute(api):
    key = ApiKey.objects.get()
    assert key.last_used_at is None

    api.get("payments")
    key.refresh_from_db()
    first_use = key.last_used_at
    api.get("payments")
    key.refresh_from_db()
    assert first_use is not None and key.last_used_at == first_use

    ApiKey.objects.update(last_used_at=first_use - timedelta(minutes=2))
    api.get("payments")
    key.refresh_from_db()
    assert key.last_used_at > first_use


def test_the_openapi_document_and_docs_need_no_key(db):
    client = Client()

    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


# --- rate limiting -------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(settings):
    settings.SETTLE_API_RATE = "3/min"
    cache.clear()
    yield
    cache.clear()


def test_fourth_request_in_a_minute_is_429_with_retry_after(api, entity, three_a_minute):
    answers = [api.get("payments") for _ in range(4)]

    assert [answer.status for answer in answers[:3]] == [200, 200, 200]
    assert_error(answers[3], 429, "rate_limit_error", "rate_limited")
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 61


@pytest.mark.parametrize(("elapsed", "seconds"), [(0.0, 60), (0.5, 60), (59.2, 1), (30.0, 30)])
def test_retry_after_states_the_same_seconds_as_the_message(
    api, entity, three_a_minute, monkeypatch, elapsed, seconds
):
    clock = [1_000_000.0]
    monkeypatch.setattr(ApiKeyRateThrottle, "timer", staticmethod(lambda: clock[0]))
    for _ in range(3):
        api.get("payments")
    clock[0] += elapsed

    response = api.get("payments")

    assert_error(response, 429, "rate_limit_error", "rate_limited")
    assert response.headers["Retry-After"] == str(seconds)
    unit = "second" if seconds == 1 else "seconds"
    assert f"retry in {seconds} {unit}." in response.error["message"]


def test_rate_limited_write_changes_nothing(api, invoice, three_a_minute):
    for _ in range(3):
        api.get("payments")

    with unchanged():
        response = api.post("payments", {"invoice_id": invoice.pk, "amount": 10, "type": "cash"})

    assert_error(response, 429, "rate_limit_error", "rate_limited")


def test_rate_limit_counts_per_key(api, entity, three_a_minute):
    from billing.services import api_key_create

    _, other_raw = api_key_create(name="other", entities=[entity])
    for _ in range(3):
        api.get("payments")

    assert api.get("payments").status == 429
    assert ApiClient(other_raw).get("payments").status == 200


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        pytest.param("0", "amount_not_positive", id="zero"),
        pytest.param("-1", "amount_not_positive", id="negative"),
        pytest.param('"NaN"', "invalid_number", id="NaN-string"),
        pytest.param("NaN", "malformed_json", id="NaN-literal"),
        pytest.param("Infinity", "malformed_json", id="Infinity-literal"),
        pytest.param("-Infinity", "malformed_json", id="minus-Infinity-literal"),
        pytest.param("1e309", "amount_too_large", id="1e309"),
        pytest.param("1e1000000", "amount_too_large", id="1e1000000"),
        pytest.param("-1e1000000", "amount_too_large", id="minus-1e1000000"),
        pytest.param('"1e3"', "invalid_number", id="string-1e3"),
        pytest.param('"12.00"', "invalid_number", id="numeric-string"),
        pytest.param("true", "invalid_number", id="boolean"),
        pytest.param("12.345", "too_many_decimals", id="three-decimals-in-EUR"),
        pytest.param("0.001", "too_many_decimals", id="below-a-cent"),
        pytest.param("100000000000000", "amount_too_large", id="10^14"),
        pytest.param("10000000000000", "amount_too_large", id="10^13"),
    ],
)
def test_invalid_amount_is_refused_and_nothing_is_created(api, invoice, amount, code):
    raw = f'{{"invoice_id": "{invoice.pk}", "type": "cash", "amount": {amount}}}'

    with unchanged():
        response = api.post("payments", raw=raw)

    error = assert_error(
        response,
        400,
        "invalid_request_error",
        code,
        None if code == "malformed_json" else "amount",
    )
    assert error["message"]


def test_fraction_of_a_yen_is_refused(api, entity):
    customer = CustomerFactory(entity=entity, currency="JPY")
    invoice = issued_invoice(customer, total="1000", currency="JPY")

    with unchanged():
        response = api.post(
            "payments", {"invoice_id": invoice.pk, "type": "cash", "amount": Decimal("1.5")}
        )
    whole = api.post("payments", {"invoice_id": invoice.pk, "type": "cash", "amount": 1000})

    error = assert_error(response, 400, "invalid_request_error", "too_many_decimals", "amount")
    assert "JPY" in error["message"]
    assert whole.status == 201
    assert whole.body["amount"] == Decimal("1000")


def test_exponent_notation_with_exact_cents_is_accepted(api, invoice):
    response = api.post(
        "payments", raw=f'{{"invoice_id": "{invoice.pk}", "type": "cash", "amount": 1.2e2}}'
    )

    assert response.status == 201, response.body
    assert response.body["amount"] == Decimal("120.00")


def test_total_past_what_a_column_holds_is_a_400_not_a_database_error(api, invoice):
    record_payment(invoice, "9999999999999.00")

    with unchanged():
        response = api.post(
            "payments",
            {"invoice_id": invoice.pk, "type": "cash", "amount": Decimal("9999999999999.00")},
        )

    assert_error(response, 400, "invalid_request_error", "amount_too_large", "amount")


@pytest.mark.parametrize("field", ["status", "total_paid", "amount_refunded", "entity_id", "id"])
def test_body_that_sets_a_read_only_field_is_refused(api, invoice, field):
    with unchanged():
        created = api.post(
            "payments", {"invoice_id": invoice.pk, "amount": 10, "type": "cash", field: "x"}
        )

    assert_error(created, 400, "invalid_request_error", "unknown_field", field)


def test_patch_that_sets_status_is_refused_and_changes_nothing(api, invoice):
    payment = record_payment(invoice, "10.00")

    with unchanged():
        response = api.patch(f"payments/{payment.pk}", {"status": "refunded", "amount": 5})

    assert_error(response, 400, "invalid_request_error", "unknown_field", "status")


# --- metadata ------------------------------------------------------------------------------


def _create_with_metadata(api, invoice, metadata):
    return api.post(
        "payments", {"invoice_id": invoice.pk, "amount": 1, "type": "cash", "metadata": metadata}
    )


def test_metadata_at_the_limits_is_accepted(api, invoice):
    metadata = {f"key_{index:02d}": "v" * 250 for index in range(49)}
    metadata["k" * 40] = "edge"

    response = _create_with_metadata(api, invoice, metadata)

    assert response.status == 201, response.body
    assert response.body["metadata"] == metadata
    assert Payment.objects.get().metadata == metadata


@pytest.mark.parametrize(
    ("metadata", "param", "named"),
    [
        pytest.param({f"key_{index}": "v" for index in range(51)}, "metadata", "50", id="51-keys"),
        pytest.param({"k" * 41: "v"}, "metadata." + "k" * 41, "k" * 41, id="41-character-key"),
        pytest.param({"note": "v" * 251}, "metadata.note", "'note'", id="251-character-value"),
        pytest.param({"nested": {"a": "b"}}, "metadata.nested", "'nested'", id="nested-object"),
        pytest.param({"count": 3}, "metadata.count", "'count'", id="number-value"),
        pytest.param({"tags": ["a"]}, "metadata.tags", "'tags'", id="list-value"),
        pytest.param({"gone": None}, "metadata.gone", "'gone'", id="null-value"),
        pytest.param(["a"], "metadata", "object", id="not-an-object"),
    ],
)
def test_metadata_beyond_the_limits_is_refused_naming_the_key(api, invoice, metadata, param, named):
    with unchanged():
        response = _create_with_metadata(api, invoice, metadata)

    error = assert_error(response, 400, "invalid_request_error", "invalid_metadata", param)
    assert named in error["message"]


def test_patch_with_metadata_beyond_the_limits_changes_nothing(api, invoice):
    payment = record_payment(invoice, "10.00", metadata={"source": "web_app"})

    with unchanged():
        response = api.patch(f"payments/{payment.pk}", {"metadata": {"source": "x" * 251}})

    assert_error(response, 400, "invalid_request_error", "invalid_metadata", "metadata.source")
    payment.refresh_from_db()
    assert payment.metadata == {"source": "web_app"}


def test_customer_metadata_follows_the_same_limits(api, entity):
    response = api.post("customers", {"name": "Ada", "metadata": {"deep": {"er": "x"}}})

    assert_error(response, 400, "invalid_request_error", "invalid_metadata", "metadata.deep")
    assert api.get("customers").body["pagination"]["total"] == 0
