"""`?preview=true` on every money POST: 200 with what would happen, and nothing happens."""

from decimal import Decimal

import pytest
import simplejson
from django.test import Client

from billing.models import Submission
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, PaymentStatus, SavedPaymentMethod
from tests.asserts import nothing_changes
from tests.factories import (
    CustomerFactory,
    charge_card,
    give_balance,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)


@pytest.fixture
def gateway_calls(monkeypatch):
    """Every charge and refund the sandbox is asked for."""
    calls = []
    for name in ("charge", "refund"):
        original = getattr(SandboxGateway, name)

        def counted(self, request, _name=name, _original=original):
            calls.append(_name)
            return _original(self, request)

        monkeypatch.setattr(SandboxGateway, name, counted)
    return calls


@pytest.fixture
def book(entity):
    """One customer with a balance, a half-paid invoice with a card charge, an overpaid
    invoice, an open credit note and an advance invoice."""
    customer = CustomerFactory(entity=entity)
    give_balance(customer, "30.00")
    invoice = issued_invoice(customer, total="200.00", apply_balance=False)
    cash = record_payment(invoice, "50.00")
    card = charge_card(invoice, "40.00")
    overpaid = issued_invoice(customer, total="20.00", apply_balance=False)
    record_payment(overpaid, "35.00")
    note = issued_credit_note(invoice, "15.00")
    return {
        "customer": customer,
        "invoice": invoice,
        "cash": cash,
        "card": card,
        "overpaid": overpaid,
        "note": note,
        "advance": issued_advance(customer, total="80.00"),
        "method": SavedPaymentMethod.objects.get(customer=customer),
    }


# name -> (path, body) built from the book
ENDPOINTS = {
    "payment": lambda b: (
        "payments",
        {"invoice_id": b["invoice"].pk, "amount": 10, "type": "cash"},
    ),
    "refund": lambda b: (f"payments/{b['cash'].pk}/refunds", {"amount": 5, "reason": "Twice"}),
    "card_refund": lambda b: (f"payments/{b['card'].pk}/refunds", {"amount": 5, "reason": "Twice"}),
    "charge": lambda b: (
        f"invoices/{b['invoice'].pk}/charge",
        {"payment_method_id": b["method"].pk, "amount": 10},
    ),
    "advance_charge": lambda b: (
        f"advance-invoices/{b['advance'].pk}/charge",
        {"payment_method_id": b["method"].pk},
    ),
    "credit_note": lambda b: (
        "credit-notes",
        {"invoice_id": b["invoice"].pk, "amount": 12, "reason": "Discount"},
    ),
    "balance_adjustment": lambda b: (
        f"customers/{b['customer'].pk}/balance-adjustments",
        {"amount": 7, "reason": "Goodwill"},
    ),
    "apply_balance": lambda b: (f"invoices/{b['invoice'].pk}/apply-balance", {}),
    "move_overpayment": lambda b: (f"invoices/{b['overpaid'].pk}/move-overpayment", {}),
    "invoice_refund": lambda b: (
        f"invoices/{b['invoice'].pk}/refunds",
        {"amount": 60, "reason": "Canceled"},
    ),
}


def _figures(changes) -> dict:
    return {(c["object"], c["id"]): c["after"] for c in changes}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_preview_answers_200_changes_nothing_and_equals_the_real_call(
    api, book, gateway_calls, name, django_capture_on_commit_callbacks
):
    path, body = ENDPOINTS[name](book)

    with nothing_changes(gateway_calls), django_capture_on_commit_callbacks() as sent:
        preview = api.post(f"{path}?preview=true", body)
    assert sent == []
    real = api.post(path, body)

    assert preview.status == 200, preview.body
    assert preview.body["preview"] is True
    assert preview.body["status"] == real.status
    assert [c["type"] for c in preview.body["creates"]] == _created_types(real.body, name)
    after = _figures(preview.body["changes"])
    before = {(c["object"], c["id"]): c["before"] for c in preview.body["changes"]}
    if name in THROUGH_GATEWAY:
        # The preview assumed the gateway's acceptance; the real call asked it (and it accepted).
        assert preview.body["result"]["preview_gateway_calls"]
        assert gateway_calls
    assert any(before[key] != after[key] for key in after), "a money action moves figures"
    for (kind, pk), figures in after.items():
        if before[(kind, pk)] is not None:  # a document the action creates has a new id
            assert figures == _current(kind, pk), (kind, pk)


THROUGH_GATEWAY = {"card_refund", "charge", "advance_charge", "invoice_refund"}


def _created_types(body, name) -> list[str]:
    """The rows the real call created, as its answer shows them (sorted like `creates`)."""
    return {
        "payment": ["payment"],
        "refund": ["refund"],
        "card_refund": ["refund"],
        "charge": ["payment"],
        "advance_charge": ["payment"],
        "credit_note": ["credit_note"],
        "balance_adjustment": ["balance_transaction"],
        "apply_balance": ["payment", "balance_transaction"],
        "move_overpayment": ["refund", "balance_transaction"],
        "invoice_refund": ["refund"] * len(body.get("data", [])),
    }[name]


def _current(kind, pk) -> dict:
    from billing.models import Customer
    from invoices.models import CreditNote, Invoice
    from payments.services.previewing import figures

    model = {"customer_balance": Customer, "credit_note": CreditNote}.get(kind, Invoice)
    assert model.objects.filter(pk=pk).exists()
    return _json(figures({pk})[(kind, pk)])


def _json(value):
    """The figures as the API renders them (money as decimals)."""
    return {key: (Decimal(str(v)) if isinstance(v, Decimal) else v) for key, v in value.items()}


def test_card_charge_preview_assumes_the_gateway_accepts_and_says_it_is_next(
    api, book, gateway_calls
):
    path, body = ENDPOINTS["charge"](book)

    with nothing_changes(gateway_calls):
        preview = api.post(f"{path}?preview=true", body)

    result = preview.body["result"]
    assert result["status"] == PaymentStatus.SUCCEEDED
    assert "gateway" in result["preview_gateway_calls"][0]
    [created] = preview.body["creates"]
    assert created["type"] == "payment"
    assert created["object"]["status"] == PaymentStatus.SUCCEEDED  # as the figures assume
    [invoice] = [c for c in preview.body["changes"] if c["object"] == "invoice"]
    assert invoice["after"]["total_paid"] - invoice["before"]["total_paid"] == 10
    assert invoice["after"]["total_reserved"] == invoice["before"]["total_reserved"]


def test_credit_note_preview_consumes_no_number(api, book):
    path, body = ENDPOINTS["credit_note"](book)

    api.post(f"{path}?preview=true", body)
    real = api.post(path, body)

    assert real.body["number"].endswith("2")  # the second credit note of the book


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("payment", {"amount": 0}),
        ("refund", {"amount": 10_000}),
        ("credit_note", {"amount": 10_000}),
        ("balance_adjustment", {"amount": -10_000}),
        ("charge", {"payment_method_id": "pm_nope"}),
    ],
)
def test_bad_input_in_a_preview_gets_the_real_calls_4xx(api, book, name, bad):
    path, body = ENDPOINTS[name](book)

    with nothing_changes():
        preview = api.post(f"{path}?preview=true", {**body, **bad})
        real = api.post(path, {**body, **bad})

    assert 400 <= real.status < 500
    assert (preview.status, preview.body) == (real.status, real.body)


def test_a_preview_leaves_the_idempotency_key_free(api, book):
    path, body = ENDPOINTS["payment"](book)

    with nothing_changes():
        preview = api.post(f"{path}?preview=true", body, idempotency_key="k-1")
    real = api.post(path, body, idempotency_key="k-1")

    assert preview.status == 200
    assert real.status == 201
    assert "Idempotent-Replayed" not in real.headers
    assert Submission.objects.get(door="api", key="k-1").state == Submission.State.DONE


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_preview_takes_true_or_false_only(api, book, value):
    path, body = ENDPOINTS["payment"](book)

    with nothing_changes():
        response = api.post(f"{path}?preview={value}", body)

    assert response.status == 400
    assert response.error["code"] == "invalid_preview"


def test_preview_false_is_the_real_call(api, book):
    path, body = ENDPOINTS["payment"](book)

    response = api.post(f"{path}?preview=false", body)

    assert response.status == 201
    assert Payment.objects.filter(pk=response.body["id"]).exists()


def test_preview_with_the_database_task_queue_queues_nothing(api, book, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path, body = ENDPOINTS["card_refund"](book)

    with nothing_changes():
        response = api.post(f"{path}?preview=true", body)

    assert response.status == 200


def test_bank_line_confirmation_preview_shows_the_payment_and_changes_nothing(api, entity):
    from tests.api.test_bank_statements_api import upload

    customer = CustomerFactory(entity=entity, name="Gamma Labs")
    invoices = [
        issued_invoice(CustomerFactory(entity=entity, name=name), total)
        for name, total in [("Acme Coworking GmbH", "120.00"), ("Beta Studio", "250.00")]
    ]
    gamma = issued_invoice(customer, "75.50")
    _, statement = upload(api, "statement_a.xml")
    line = next(x for x in statement["lines"] if x["counterparty_name"] == "Gamma Ltd")
    path = f"bank-statement-lines/{line['id']}/confirm"
    body = {
        "allocations": [{"invoice_id": gamma.pk, "amount": "20.00"}],
        "remainder_to_balance": True,
    }

    with nothing_changes():
        preview = api.post(f"{path}?preview=true", body)
    real = api.post(path, body)

    assert preview.status == 200, preview.body
    assert real.status == preview.body["status"] == 200, real.body
    assert preview.body["result"]["status"] == real.body["status"]
    kinds = sorted(c["type"] for c in preview.body["creates"])
    assert kinds == ["balance_transaction", "payment", "refund"]  # the remainder to the balance
    [change] = [c for c in preview.body["changes"] if c["id"] == gamma.pk]
    assert change["after"] == _current("invoice", gamma.pk)
    assert change["before"]["total_paid"] == Decimal("0.00")
    assert invoices  # the other lines' invoices stay as they were


PREVIEWABLE_OPERATIONS = {
    "create_payment",
    "create_refund",
    "charge_invoice",
    "charge_advance_invoice",
    "create_credit_note",
    "adjust_customer_balance",
    "apply_balance_to_invoice",
    "move_invoice_overpayment",
    "refund_invoice",
    "confirm_bank_statement_line",
}


def test_openapi_documents_preview_on_every_money_post(db):
    document = simplejson.loads(Client().get("/api/v1/openapi.json").content)
    previewable = {
        operation["operationId"]
        for methods in document["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict)
        and any(p.get("name") == "preview" for p in operation.get("parameters", []))
    }
    assert previewable == PREVIEWABLE_OPERATIONS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_any_test_transaction_a_preview_commits_nothing(entity, api_key):
    """As in production (autocommit): the preview's own transaction is the one rolled back."""
    from tests.api_client import ApiClient

    api = ApiClient(api_key)
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    body = {"invoice_id": invoice.pk, "amount": 12, "reason": "Discount"}

    with nothing_changes():
        preview = api.post("credit-notes?preview=true", body)
        payment = api.post(
            "payments?preview=true", {"invoice_id": invoice.pk, "amount": 12, "type": "cash"}
        )

    assert (preview.status, payment.status) == (200, 200)
    assert api.post("credit-notes", body).body["number"].endswith("00001")
