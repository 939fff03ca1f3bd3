"""Property-based requests against the live OpenAPI schema (schemathesis), bounded.

Every operation of `/api/v1/openapi.json` is called with generated parameters and
bodies, authenticated with a real key, against real rows: generated ids are
swapped for ids that exist (see `_use_real_ids`), so the services run, not just
the 404 path. Each answer must not be a 5xx and must match the schema: status code,
content type, headers and body. (DRF reads a number sent for a text field as its
text, e.g. `"note": 0` as "0"; schemathesis's `negative_data_rejection` would flag
that leniency, so it is not among the checks.)
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from banking.services.importing import statement_import_parsed
from billing.models import AuditEvent
from config.wsgi import application
from payments.services import credit_note_issue, refund_create
from tests.banking.statements import line as bank_line
from tests.banking.statements import statement as bank_statement
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    SavedCardFactory,
    draft_invoice,
    give_balance,
    issued_advance,
    issued_invoice,
    record_payment,
)
from webhooks import addresses as webhook_addresses
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from webhooks.outbox import events_fan_out

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    # and the contract around them: no operation answers without the key, a method an
    # endpoint does not have is a 405 with an accurate Allow header.
    ignored_auth,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
]
EXAMPLES_PER_OPERATION = 25
PAYMENT_DOCUMENTS = {
    "credit_note": ("invoice_id", "credit_note_id"),
    "advance": ("invoice_id", "advance_invoice_id"),
}


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def connection_kept_between_requests():
    """Serve the WSGI app inside the test's transaction, as Django's test client does.

    The app closes a connection that is not in autocommit after each request, which
    would end the test transaction; without that, no flush between operations is needed.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(entity, api_key, settings, monkeypatch, connection_kept_between_requests):
    """Rows of every kind the API exposes, so generated requests can hit real ids."""
    settings.SETTLE_API_RATE = "100000/s"  # the fuzzer outpaces the production limit
    # Webhook URLs stay guarded, and every host name resolves to loopback: the guard refuses
    # any endpoint the fuzzer makes up, so nothing is ever sent anywhere real.
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(
        webhook_addresses.socket,
        "getaddrinfo",
        lambda host, port, *args, **kwargs: [(2, 1, 6, "", ("127.0.0.1", port or 443))],
    )
    endpoint = WebhookEndpoint.objects.create(
        entity=entity, url="https://hooks.example.com/in", enabled_events=["*"], secret="whsec_f"
    )
    customer = CustomerFactory(entity=entity)
    give_balance(customer, "50.00")
    invoice = issued_invoice(customer, total="500.00", apply_balance=False)
    draft = draft_invoice(customer, total="80.00")
    advance = issued_advance(customer, total="200.00")
    payment = record_payment(invoice, "100.00", metadata={"source": "web_app"})
    record_payment(advance, "200.00", type="bank_transfer")
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Overcharged", amount="5.00")
    credit_note = credit_note_issue(
        entity=entity, invoice_id=invoice.pk, actor=SYSTEM, reason="Discount", amount="20.00"
    )
    card = SavedCardFactory(customer=customer)
    statement = statement_import_parsed(
        entity=entity,
        actor=SYSTEM,
        parsed=bank_statement(
            bank_line(3, "100.00", remittance=invoice.number, ref="B-1"),
            bank_line(4, "-5.00", ref="B-2"),
        ),
        digest="fuzz",
    ).statement
    ids = {
        "bank-statements": statement.pk,
        "bank-statement-lines": statement.lines.first().pk,
        "payments": payment.pk,
        "refunds": refund.pk,
        "invoices": invoice.pk,
        "advance-invoices": advance.pk,
        "credit-notes": credit_note.pk,
        "customers": customer.pk,
    }
    ids["audit-events"] = str(AuditEvent.objects.filter(entity=entity).first().pk)
    ids["webhook-endpoints"] = endpoint.pk
    ids["events"] = Event.objects.filter(entity=entity).first().pk
    body_ids = {
        "invoice_id": [invoice.pk, draft.pk],
        "advance_invoice_id": [advance.pk],
        "credit_note_id": [credit_note.pk],
        "customer_id": [customer.pk],
        "payment_method_id": [card.pk],
        "payment_id": [payment.pk],
        "refund_id": [refund.pk],
    }
    events_fan_out()  # the worker makes the deliveries
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint).first()
    return {
        "key": api_key,
        "entity": entity.pk,
        "ids": ids,
        "body_ids": body_ids,
        "delivery_id": delivery.pk,
    }


def _use_real_ids(case, world) -> None:
    """Point generated requests at rows that exist.

    A path id or an `x-entity-id` is swapped for a real one in about half of the cases
    (chosen by the generated value, so runs are reproducible); the other half exercise
    the 404.
    Ids inside a body are always swapped: a random one only ever meets a 404.
    """
    entity_id = (case.headers or {}).get("x-entity-id")
    if isinstance(entity_id, str) and len(entity_id) % 2 == 0:
        case.headers["x-entity-id"] = world["entity"]
    path_id = (case.path_parameters or {}).get("id")
    if isinstance(path_id, str) and len(path_id) % 2 == 0:
        resource = case.operation.path.removeprefix("/api/v1/").split("/")[0]
        case.path_parameters["id"] = world["ids"][resource]
    delivery_id = (case.path_parameters or {}).get("delivery_id")
    if isinstance(delivery_id, str) and len(delivery_id) % 2 == 0:
        case.path_parameters["delivery_id"] = world["delivery_id"]
    if not isinstance(case.body, dict):
        return
    for field, choices in world["body_ids"].items():
        value = case.body.get(field)
        if isinstance(value, str):
            case.body[field] = choices[len(value) % len(choices)]
    if case.operation.label == "POST /api/v1/payments" and isinstance(case.body.get("type"), str):
        # Name the documents the payment type needs, so payments get recorded, not refused.
        needed = PAYMENT_DOCUMENTS.get(case.body["type"], ("invoice_id",))
        for field in ("invoice_id", "credit_note_id", "advance_invoice_id"):
            if field in needed:
                case.body[field] = world["body_ids"][field][0]
            else:
                case.body.pop(field, None)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_5xx(case, world):
    _use_real_ids(case, world)

    case.call_and_validate(headers={"Authorization": f"Bearer {world['key']}"}, checks=CHECKS)
