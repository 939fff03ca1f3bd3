"""`Idempotency-Key` over HTTP: replay, reuse with another body, in progress, released on failure."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection, transaction

from billing.models import Submission
from invoices.models import Invoice
from payments.models import Payment
from tests.api_client import ApiClient
from tests.asserts import unchanged
from tests.factories import CustomerFactory, issued_invoice, record_payment


@pytest.fixture
def invoice(entity):
    return issued_invoice(CustomerFactory(entity=entity), total="1000.00")


def _body(invoice, amount=100):
    return {"invoice_id": invoice.pk, "amount": amount, "type": "cash"}


def test_replay_answers_the_same_status_and_body_and_writes_once(api, invoice):
    first = api.post("payments", _body(invoice), idempotency_key="pay-1")

    with unchanged():
        second = api.post("payments", _body(invoice), idempotency_key="pay-1")

    assert first.status == second.status == 201
    assert second.body == first.body
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("100.00")


def test_replay_of_a_patch_and_a_delete(api, invoice):
    payment = record_payment(invoice, "100.00")

    patched = api.patch(f"payments/{payment.pk}", {"amount": 80}, idempotency_key="patch-1")
    api.patch(f"payments/{payment.pk}", {"amount": 90})
    replayed_patch = api.patch(f"payments/{payment.pk}", {"amount": 80}, idempotency_key="patch-1")
    deleted = api.delete(f"payments/{payment.pk}", idempotency_key="delete-1")
    replayed_delete = api.delete(f"payments/{payment.pk}", idempotency_key="delete-1")

    assert replayed_patch.status == 200
    assert replayed_patch.body == patched.body
    assert replayed_patch.body["amount"] == Decimal("80.00")
    assert replayed_patch.headers["Idempotent-Replayed"] == "true"
    assert (deleted.status, replayed_delete.status) == (204, 204)
    assert replayed_delete.headers["Idempotent-Replayed"] == "true"
    payment.refresh_from_db()
    assert (payment.amount, payment.is_deleted) == (Decimal("90.00"), True)


def test_same_key_with_a_different_body_is_refused(api, invoice):
    api.post("payments", _body(invoice), idempotency_key="pay-1")

    with unchanged():
        other_amount = api.post("payments", _body(invoice, 101), idempotency_key="pay-1")
        other_path = api.post("customers", {"name": "Ada"}, idempotency_key="pay-1")

    for response in (other_amount, other_path):
        assert response.status == 400
        assert response.error["type"] == "invalid_request_error"
        assert response.error["code"] == "idempotency_key_reused"
        assert response.error["param"] == "Idempotency-Key"


def test_key_in_progress_answers_409_and_writes_nothing(api, invoice):
    api.post("payments", _body(invoice), idempotency_key="pay-1")
    Submission.objects.filter(door="api", key="pay-1").update(
        state=Submission.State.IN_PROGRESS, result=None
    )

    with unchanged():
        response = api.post("payments", _body(invoice), idempotency_key="pay-1")

    assert response.status == 409
    assert response.error["type"] == "conflict_error"
    assert response.error["code"] == "idempotency_in_progress"
    assert response.error["param"] == "Idempotency-Key"


def test_refused_request_releases_its_key_for_a_corrected_retry(api, invoice):
    credit_note = api.post(
        "credit-notes", {"invoice_id": invoice.pk, "amount": 50, "reason": "Discount"}
    ).body
    body = {
        "invoice_id": invoice.pk,
        "credit_note_id": credit_note["id"],
        "type": "credit_note",
        "amount": 60,
    }

    with unchanged():
        too_much = api.post("payments", body, idempotency_key="apply-1")
    corrected = api.post("payments", {**body, "amount": 50}, idempotency_key="apply-1")
    replayed = api.post("payments", {**body, "amount": 50}, idempotency_key="apply-1")

    assert too_much.status == 409
    assert too_much.error["code"] == "amount_exceeds_credit_note"
    assert corrected.status == 201, corrected.body
    assert replayed.body == corrected.body
    assert Payment.objects.filter(type="credit_note").count() == 1
    assert Submission.objects.get(door="api", key="apply-1").state == Submission.State.DONE


def test_invalid_body_releases_its_key(api, invoice):
    refused = api.post("payments", {**_body(invoice), "amount": 0}, idempotency_key="pay-2")
    retried = api.post("payments", _body(invoice), idempotency_key="pay-2")

    assert refused.status == 400
    assert retried.status == 201
    assert Payment.objects.count() == 1


def test_keys_belong_to_one_api_key(api, invoice, entity):
    from billing.services import api_key_create

    _, other_raw = api_key_create(name="other", entities=[entity])

    first = api.post("payments", _body(invoice), idempotency_key="shared")
    second = ApiClient(other_raw).post("payments", _body(invoice), idempotency_key="shared")

    assert (first.status, second.status) == (201, 201)
    assert first.body["id"] != second.body["id"]
    assert Payment.objects.count() == 2


@pytest.mark.parametrize("key", ["k" * 256, "key\x00one", "tab\tbed"])
def test_key_too_long_or_unprintable_is_refused(api, invoice, key):
    with unchanged():
        response = api.post("payments", _body(invoice), idempotency_key=key)

    assert response.status == 400
    assert response.error["code"] == "invalid_idempotency_key"
    assert response.error["param"] == "Idempotency-Key"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_gets_409_while_the_first_runs(entity, api_key):
    """The first request waits on the invoice's row lock; its twin must not wait nor pay."""
    invoice = issued_invoice(CustomerFactory(entity=entity), total="1000.00")
    body = _body(invoice)
    holding, release = threading.Event(), threading.Event()
    results = {}

    def hold_invoice_lock():
        try:
            with transaction.atomic():
                Invoice.objects.select_for_update().get(pk=invoice.pk)
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    def first_request():
        try:
            results["first"] = ApiClient(api_key).post("payments", body, idempotency_key="dup")
        finally:
            close_old_connections()
            connection.close()

    locker = threading.Thread(target=hold_invoice_lock)
    locker.start()
    assert holding.wait(timeout=10)
    first = threading.Thread(target=first_request)
    first.start()
    try:
        deadline = time.monotonic() + 10
        while not Submission.objects.filter(door="api", key="dup").exists():
            assert time.monotonic() < deadline, "the first request never claimed its key"
            time.sleep(0.02)
        duplicate = ApiClient(api_key).post("payments", body, idempotency_key="dup")
    finally:
        release.set()
        locker.join(timeout=20)
        first.join(timeout=20)

    assert duplicate.status == 409
    assert duplicate.error["code"] == "idempotency_in_progress"
    assert results["first"].status == 201, results["first"].body
    replay = ApiClient(api_key).post("payments", body, idempotency_key="dup")
    assert replay.body == results["first"].body
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("100.00")
