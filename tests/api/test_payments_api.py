"""`/api/v1/payments` against the reference contract, through real requests."""

from decimal import Decimal

from billing.models import AuditEvent
from payments.models import Payment
from tests.factories import CustomerFactory, issued_invoice


def test_reference_create_example_records_cash_payment(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="1500.00")

    response = api.post("payments", {"invoice_id": invoice.pk, "amount": 1200, "type": "cash"})

    assert response.status == 201, response.body
    body = response.body
    assert body["id"].startswith("pmt_")
    assert body["invoice_id"] == invoice.pk
    assert body["credit_note_id"] is None and body["advance_invoice_id"] is None
    assert body["amount"] == Decimal("1200.00")
    assert body["type"] == "cash"
    assert body["reference"] is None and body["note"] is None
    assert body["entity_id"] == entity.pk
    assert body["metadata"] == {}
    assert body["date"].endswith("T00:00:00.000Z")
    assert len(body["created_at"]) == len("2024-01-15T10:30:00.000Z")
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("1200.00")
    assert invoice.status == "partially_paid"


def test_amount_is_rendered_as_exact_json_number(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    created = api.post(
        "payments",
        {
            "invoice_id": invoice.pk,
            "amount": Decimal("0.10"),
            "type": "bank_transfer",
            "date": "2024-01-10",
        },
    )

    raw = api.client.get(
        f"/api/v1/payments/{created.body['id']}", headers={"Authorization": f"Bearer {api.key}"}
    ).content

    assert b'"amount":0.10,' in raw
    assert b'"date":"2024-01-10T00:00:00.000Z"' in raw


def test_missing_document_reference_is_rejected_and_nothing_written(api, entity):
    response = api.post("payments", {"amount": 10, "type": "cash"})

    assert response.status == 400
    assert response.error["code"] == "document_required"
    assert Payment.objects.count() == 0
    assert AuditEvent.objects.filter(action="payment.recorded").count() == 0


def test_string_amount_is_rejected(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity))

    response = api.post("payments", {"invoice_id": invoice.pk, "amount": "1e3", "type": "cash"})

    assert response.status == 400
    assert response.error["param"] == "amount"
    assert Payment.objects.count() == 0


def test_patch_amount_recalculates_invoice(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="1000.00")
    created = api.post(
        "payments", {"invoice_id": invoice.pk, "amount": 600, "type": "bank_transfer"}
    ).body

    response = api.patch(f"payments/{created['id']}", {"amount": 800})

    assert response.status == 200, response.body
    assert response.body["amount"] == Decimal("800.00")
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("800.00")
    assert invoice.total_due == Decimal("200.00")


def test_patch_document_reference_is_refused(api, entity):
    customer = CustomerFactory(entity=entity)
    invoice, other = issued_invoice(customer), issued_invoice(customer)
    created = api.post("payments", {"invoice_id": invoice.pk, "amount": 10, "type": "cash"}).body

    response = api.patch(f"payments/{created['id']}", {"invoice_id": other.pk})

    assert response.status == 400
    assert response.error["code"] == "unknown_field"
    assert response.error["param"] == "invoice_id"
    assert Payment.objects.get(pk=created["id"]).invoice_id == invoice.pk


def test_delete_recalculates_invoice_and_keeps_the_row(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    created = api.post("payments", {"invoice_id": invoice.pk, "amount": 100, "type": "cash"}).body

    response = api.delete(f"payments/{created['id']}")

    assert response.status == 204
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("0.00")
    assert invoice.status == "issued"
    assert Payment.objects.get(pk=created["id"]).is_deleted
    assert api.get(f"payments/{created['id']}").status == 404


def test_other_entity_payment_is_not_found(api, entity):
    other_invoice = issued_invoice()
    other = api.post("payments", {"invoice_id": other_invoice.pk, "amount": 10, "type": "cash"})

    assert other.status == 404
    assert other.error["param"] == "invoice_id"
    assert Payment.objects.count() == 0


def test_missing_and_invalid_keys_are_401(entity):
    from tests.api_client import ApiClient

    assert ApiClient(None).get("payments").status == 401
    response = ApiClient("sk_settle_wrong").get("payments")
    assert response.status == 401
    assert response.error["code"] == "invalid_api_key"


def test_idempotent_replay_returns_the_same_payment(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    body = {"invoice_id": invoice.pk, "amount": 10, "type": "cash"}

    first = api.post("payments", body, idempotency_key="abc-1")
    second = api.post("payments", body, idempotency_key="abc-1")
    different = api.post("payments", {**body, "amount": 11}, idempotency_key="abc-1")

    assert first.status == second.status == 201
    assert first.body == second.body
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert different.status == 400
    assert different.error["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_list_envelope_and_includes(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    api.post(
        "payments",
        {"invoice_id": invoice.pk, "amount": 10, "type": "cash", "metadata": {"source": "web_app"}},
    )

    response = api.get("payments", {"include": "Invoice", "search": "web_"})

    assert response.status == 200, response.body
    assert response.body["pagination"] == {
        "total": 1,
        "next_cursor": None,
        "prev_cursor": None,
        "has_more": False,
    }
    assert response.body["data"][0]["Invoice"]["id"] == invoice.pk
    assert response.body["data"][0]["Invoice"]["total_paid"] == Decimal("10.00")
