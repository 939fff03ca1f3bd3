"""Which entity a request acts on (`x-entity-id`), and that a key of entity A never reads,
changes or even confirms the existence of entity B's objects."""

import pytest
from django.core import mail

from banking.services.importing import statement_import_parsed
from billing.models import AuditEvent
from payments.services import credit_note_issue, refund_create
from tests.api.export_support import csv_rows, export
from tests.api_client import ApiClient
from tests.asserts import unchanged
from tests.banking.statements import line as bank_line
from tests.banking.statements import statement as bank_statement
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    SavedCardFactory,
    give_balance,
    issued_advance,
    issued_invoice,
    record_payment,
)
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from webhooks.outbox import events_fan_out


@pytest.fixture
def other(db):
    """Entity B with one of everything: customer, invoices, payment, refund, credit note, card,
    webhook endpoint (with its deliveries) and events."""
    entity = EntityFactory()
    endpoint = WebhookEndpoint.objects.create(
        entity=entity, url="https://hooks.example.com/in", enabled_events=["*"], secret="whsec_b"
    )
    customer = CustomerFactory(entity=entity)
    give_balance(customer, "20.00")
    invoice = issued_invoice(customer, total="300.00", apply_balance=False)
    advance = issued_advance(customer, total="90.00")
    payment = record_payment(invoice, "100.00")
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Overcharged", amount="10.00")
    credit_note = credit_note_issue(
        entity=entity, invoice_id=invoice.pk, actor=SYSTEM, reason="Discount", amount="5.00"
    )
    card = SavedCardFactory(customer=customer)
    statement = statement_import_parsed(
        entity=entity,
        actor=SYSTEM,
        parsed=bank_statement(bank_line(3, "300.00", remittance=invoice.number, ref="B-1")),
        digest="b",
    ).statement
    event = AuditEvent.objects.filter(entity=entity).first()
    events_fan_out()  # the worker makes the deliveries
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint).first()
    return {
        "statement": statement.pk,
        "line": statement.lines.get().pk,
        "customer": customer.pk,
        "invoice": invoice.pk,
        "advance": advance.pk,
        "payment": payment.pk,
        "refund": refund.pk,
        "credit_note": credit_note.pk,
        "card": card.pk,
        "audit_event": event.pk,
        "webhook_endpoint": endpoint.pk,
        "delivery": delivery.pk,
        "event": Event.objects.filter(entity=entity).first().pk,
    }


READS = [
    "payments/{payment}",
    "payments/{payment}/refunds",
    "refunds/{refund}",
    "invoices/{invoice}",
    "advance-invoices/{advance}",
    "credit-notes/{credit_note}",
    "invoices/{invoice}/pdf",
    "invoices/{invoice}/explain",
    "advance-invoices/{advance}/pdf",
    "advance-invoices/{advance}/explain",
    "credit-notes/{credit_note}/pdf",
    "customers/{customer}",
    "customers/{customer}/balance-transactions",
    "customers/{customer}/balance/explain",
    "customers/{customer}/statement",
    "customers/{customer}/payment-methods",
    "bank-statements/{statement}",
    "bank-statement-lines/{line}",
    "audit-events/{audit_event}",
    "webhook-endpoints/{webhook_endpoint}",
    "webhook-endpoints/{webhook_endpoint}/deliveries",
    "events/{event}",
]

WRITES = [
    ("patch", "payments/{payment}", {"amount": 1}),
    ("patch", "payments/{payment}", {"note": "hijacked"}),
    ("delete", "payments/{payment}", None),
    ("post", "payments/{payment}/refunds", {"reason": "Mine now"}),
    ("post", "invoices/{invoice}/issue", {}),
    ("post", "invoices/{invoice}/void", {"reason": "Mine now"}),
    ("post", "invoices/{invoice}/write-off", {"reason": "Mine now"}),
    ("post", "invoices/{invoice}/charge", {"payment_method_id": "{card}"}),
    ("post", "invoices/{invoice}/apply-balance", {}),
    ("post", "invoices/{invoice}/move-overpayment", {}),
    ("post", "invoices/{invoice}/refunds", {"reason": "Mine now"}),
    ("post", "advance-invoices/{advance}/issue", {}),
    ("post", "advance-invoices/{advance}/void", {"reason": "Mine now"}),
    ("post", "advance-invoices/{advance}/charge", {"payment_method_id": "{card}"}),
    ("post", "customers/{customer}/balance-adjustments", {"amount": -20, "reason": "Mine now"}),
    ("patch", "customers/{customer}", {"name": "Mine now", "archived": True}),
    ("post", "invoices/{invoice}/send", {}),
    ("post", "advance-invoices/{advance}/send", {}),
    ("post", "credit-notes/{credit_note}/send", {}),
    ("patch", "invoices/{invoice}", {"note": "Mine now"}),
    ("delete", "invoices/{invoice}", None),
    ("patch", "advance-invoices/{advance}", {"note": "Mine now"}),
    ("delete", "advance-invoices/{advance}", None),
    ("post", "bank-statement-lines/{line}/confirm", {}),
    ("post", "bank-statement-lines/{line}/ignore", {}),
    ("post", "bank-statement-lines/{line}/undo", {}),
    ("patch", "webhook-endpoints/{webhook_endpoint}", {"url": "https://attacker.example"}),
    ("patch", "webhook-endpoints/{webhook_endpoint}", {"enabled": False}),
    ("delete", "webhook-endpoints/{webhook_endpoint}", None),
    ("post", "webhook-endpoints/{webhook_endpoint}/roll-secret", {}),
    ("post", "webhook-endpoints/{webhook_endpoint}/deliveries/{delivery}/resend", None),
    ("post", "webhook-endpoints/{webhook_endpoint}/deliveries/{event}/resend", None),
]


def _fill(template, ids):
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, dict):
        return {key: _fill(value, ids) for key, value in template.items()}
    return template


@pytest.mark.parametrize("path", READS)
def test_reading_another_entitys_object_is_404(api, entity, other, path):
    response = api.get(_fill(path, other))

    assert response.status == 404, response.body
    assert response.error["type"] == "not_found_error"
    assert response.error["code"] == "resource_missing"
    assert response.error["param"] == "id"


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_changing_another_entitys_object_is_404_and_changes_nothing(
    api, entity, other, method, path, body
):
    with unchanged():
        response = api.request(method, _fill(path, other), _fill(body, other))

    assert response.status == 404, response.body
    assert response.error["code"] == "resource_missing"
    assert response.error["param"] == "id"
    assert mail.outbox == []  # nothing sent about it either


def test_another_entitys_object_answers_like_one_that_does_not_exist(api, entity, other):
    theirs = api.get(f"payments/{other['payment']}")
    missing = api.get("payments/pmt_00000000000000000000000000")

    assert theirs.status == missing.status == 404
    assert theirs.error.keys() == missing.error.keys()
    assert theirs.error["message"].replace(other["payment"], "ID") == missing.error[
        "message"
    ].replace("pmt_00000000000000000000000000", "ID")


CREATES = [
    ("payments", {"invoice_id": "{invoice}", "amount": 1, "type": "cash"}, "invoice_id"),
    (
        "payments",
        {"advance_invoice_id": "{advance}", "amount": 1, "type": "cash"},
        "advance_invoice_id",
    ),
    (
        "payments",
        {"credit_note_id": "{credit_note}", "amount": 1, "type": "customer_balance"},
        "credit_note_id",
    ),
    (
        "invoices",
        {"customer_id": "{customer}", "items": [{"name": "Desk", "price": 10}]},
        "customer_id",
    ),
    (
        "advance-invoices",
        {"customer_id": "{customer}", "items": [{"name": "Deposit", "price": 10}]},
        "customer_id",
    ),
    ("credit-notes", {"invoice_id": "{invoice}", "amount": 1, "reason": "x"}, "invoice_id"),
]
LISTS = ["payments", "refunds", "invoices", "advance-invoices", "credit-notes", "customers"]
LISTS += ["audit-events", "bank-statements", "bank-statement-lines", "webhook-endpoints", "events"]


@pytest.mark.parametrize(("path", "body", "param"), CREATES)
def test_creating_against_another_entitys_document_is_404(api, entity, other, path, body, param):
    with unchanged():
        response = api.post(path, _fill(body, other))

    assert response.status == 404, response.body
    assert response.error["param"] == param


def test_applying_another_entitys_credit_note_to_own_invoice_is_404(api, entity, other):
    mine = issued_invoice(CustomerFactory(entity=entity), total="100.00")

    with unchanged():
        response = api.post(
            "payments",
            {
                "invoice_id": mine.pk,
                "credit_note_id": other["credit_note"],
                "amount": 5,
                "type": "credit_note",
            },
        )

    assert response.status == 404, response.body
    assert response.error["param"] == "credit_note_id"


def test_charging_own_invoice_with_another_entitys_card_is_refused(api, entity, other):
    mine = issued_invoice(CustomerFactory(entity=entity), total="100.00")

    with unchanged():
        response = api.post(f"invoices/{mine.pk}/charge", {"payment_method_id": other["card"]})

    assert response.status == 404, response.body
    assert response.error["param"] == "payment_method_id"


# Reports: (path, parameters, the list that must be empty for an entity with nothing).
REPORTS = [
    ("reports/aged-receivables", {}, "customers"),
    ("reports/collections", {"group_by": "day"}, "currencies"),
]


@pytest.mark.parametrize(("path", "params", "rows"), REPORTS)
def test_reports_show_only_the_keys_entity(api, entity, other, path, params, rows):
    response = api.get(path, params)

    assert response.status == 200, response.body
    assert response.body[rows] == []
    assert other["customer"] not in str(response.body)


@pytest.mark.parametrize("path", LISTS)
def test_lists_show_only_the_keys_entity(api, entity, other, path):
    response = api.get(path, {"include_total_count": "true"})

    assert response.status == 200, response.body
    assert response.body["data"] == []
    assert response.body["pagination"]["total"] == 0


def test_refund_allocation_of_another_entitys_payment_answers_like_a_missing_one(
    api, entity, other
):
    mine = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    record_payment(mine, "60.00")

    def allocate(payment_id):
        return api.post(
            "credit-notes",
            {
                "invoice_id": mine.pk,
                "reason": "Desk unavailable",
                "amount": 10,
                "allocations": [{"type": "refund", "amount": 10, "payment_id": payment_id}],
            },
        )

    with unchanged():
        theirs = allocate(other["payment"])
        missing = allocate("pmt_00000000000000000000000000")

    assert theirs.status == missing.status == 400
    assert theirs.error == missing.error


def test_query_and_search_cannot_reach_another_entity(api, entity, other):
    by_id = api.get("payments", {"query": f'{{"id": "{other["payment"]}"}}'})
    by_search = api.get("payments", {"search": other["payment"]})
    by_filter = api.get("payments", {"invoice_id": other["invoice"]})

    assert by_id.body["data"] == by_search.body["data"] == by_filter.body["data"] == []


def test_key_bound_to_two_entities_defaults_to_the_first_created(db):
    from billing.services import api_key_create

    first, second = EntityFactory(), EntityFactory()
    first_payment = record_payment(issued_invoice(CustomerFactory(entity=first)), "10.00")
    second_payment = record_payment(issued_invoice(CustomerFactory(entity=second)), "20.00")
    _, raw = api_key_create(name="both", entities=[second, first])
    api = ApiClient(raw)

    default = api.get("payments")
    switched = api.get("payments", headers={"x-entity-id": second.pk})
    named_first = api.get("payments", headers={"x-entity-id": first.pk})
    fetched = api.get(f"payments/{second_payment.pk}", headers={"x-entity-id": second.pk})

    assert [row["id"] for row in default.body["data"]] == [first_payment.pk]
    assert [row["id"] for row in switched.body["data"]] == [second_payment.pk]
    assert [row["id"] for row in named_first.body["data"]] == [first_payment.pk]
    assert fetched.body["entity_id"] == second.pk
    assert api.get(f"payments/{second_payment.pk}").status == 404


def test_entity_the_key_is_not_bound_to_is_404_and_writes_nothing(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    stranger = EntityFactory()

    with unchanged():
        response = api.post(
            "payments",
            {"invoice_id": invoice.pk, "amount": 10, "type": "cash"},
            headers={"x-entity-id": stranger.pk},
        )

    assert response.status == 404
    assert (response.error["code"], response.error["param"]) == ("resource_missing", "x-entity-id")
    assert AuditEvent.objects.filter(action="payment.recorded").count() == 0


def test_reports_count_only_the_keys_entity(api, entity, other):
    """Entity B has an open invoice, payments, a refund and a credit note: none of it shows."""
    aged = api.get("reports/aged-receivables")
    collections = api.get("reports/collections", {"from": "2026-01-01"})

    assert aged.status == collections.status == 200
    assert (aged.body["total"], aged.body["customers"]) == (0, [])
    assert collections.body["currencies"] == []
    assert collections.body["totals"]["received"] == 0


@pytest.mark.parametrize("path", ["reports/aged-receivables", "reports/collections"])
def test_report_exports_show_only_the_keys_entity(api, entity, other, path):
    params = {"from": "2026-01-01"} if "collections" in path else {}

    rows = csv_rows(export(api, path, params))

    assert rows == []  # the header alone: entity B's invoices and payments are not there


def test_a_statement_cannot_be_imported_into_another_entitys_bank_account(api, entity, other):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from banking.models import BankStatement
    from tests.banking.samples import sample_bytes

    theirs = BankStatement.objects.get(pk=other["statement"]).bank_account_id
    response = api.client.post(
        "/api/v1/bank-statements",
        {
            "file": SimpleUploadedFile("a.xml", sample_bytes("statement_a.xml")),
            "bank_account_id": theirs,
        },
        headers=api._headers(),
    )

    assert response.status_code == 404
    assert response.json()["error"]["param"] == "bank_account_id"
    assert BankStatement.objects.count() == 1  # theirs only
