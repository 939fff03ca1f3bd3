"""Security of the API: tenant isolation on every operation, API keys never kept or logged
in clear, an audit trail the API only reads, and 429s beyond the rate over real HTTP.

Isolation of entity A's key from entity B's objects is
`tests/api/test_tenant_isolation_api.py`; here its table is checked against the URL
patterns. The in-process rate limit is `tests/api/test_api_contract.py`.
"""

import logging
import re

import pytest
from django.db import connection

from banking.services.importing import statement_import_parsed
from billing.models import AuditEvent
from billing.services import api_key_create, api_key_digest, api_key_revoke
from payments.models import Payment
from tests.api import test_tenant_isolation_api as isolation
from tests.api_client import ApiClient
from tests.asserts import unchanged
from tests.banking.statements import line as bank_line
from tests.banking.statements import statement as bank_statement
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    SavedCardFactory,
    issued_advance,
    issued_invoice,
    record_payment,
)
from tests.reliability.live import Call, fire_together, gunicorn, request
from tests.reliability.routes import api_operations
from webhooks.models import Event, WebhookEndpoint


def _route_of(template: str) -> str:
    return re.sub(r"\{\w+\}", "{pk}", template).split("?")[0]


# --- tenant isolation ---------------------------------------------------------------------------

# Operations whose isolation is proven elsewhere, and why.
ISOLATED_ELSEWHERE = {
    ("post", "customers"): "names no other object: the unbound-entity sweep below",
    ("post", "webhook-endpoints"): "names no other object: the unbound-entity sweep below",
    ("get", "payments/export"): (
        "tests/api/test_export_api.py::test_export_leaves_out_other_entities_and_deleted_payments"
    ),
    **{
        ("get", f"{kind}/export"): (
            "tests/api/test_export_filters_api.py::test_exports_leave_out_another_entitys_rows"
        )
        for kind in ("refunds", "credit-notes", "invoices", "balance-transactions", "audit-events")
    },
    ("get", "reports/aged-receivables"): (
        "tests/api/test_tenant_isolation_api.py::test_reports_count_only_the_keys_entity"
    ),
    ("get", "reports/collections"): (
        "tests/api/test_tenant_isolation_api.py::test_reports_count_only_the_keys_entity"
    ),
    **{
        ("get", f"reports/{report}/export"): (
            "tests/api/test_tenant_isolation_api.py::test_report_exports_show_only_the_keys_entity"
        )
        for report in ("aged-receivables", "collections")
    },
    ("post", "bank-statements"): (
        "tests/api/test_tenant_isolation_api.py::"
        "test_a_statement_cannot_be_imported_into_another_entitys_bank_account"
    ),
}


def test_every_api_operation_is_in_the_tenant_isolation_table():
    covered = {("get", _route_of(path)) for path in isolation.READS}
    covered |= {(method, _route_of(path)) for method, path, _ in isolation.WRITES}
    covered |= {("post", _route_of(path)) for path, _, _ in isolation.CREATES}
    covered |= {("get", _route_of(path)) for path in isolation.LISTS}
    covered |= set(ISOLATED_ELSEWHERE)

    missing = api_operations() - covered

    assert len(api_operations()) >= 30
    assert not missing, f"API operations without an isolation test: {sorted(missing)}"


@pytest.fixture
def own(entity):
    """One of everything in the key's own entity, to address with a foreign x-entity-id."""
    from payments.services import credit_note_issue, refund_create

    customer = CustomerFactory(entity=entity)
    invoice = issued_invoice(customer, total="300.00")
    payment = record_payment(invoice, "100.00")
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Overcharged", amount="10.00")
    credit_note = credit_note_issue(
        entity=entity, invoice_id=invoice.pk, actor=SYSTEM, reason="Discount", amount="5.00"
    )
    statement = statement_import_parsed(
        entity=entity,
        actor=SYSTEM,
        parsed=bank_statement(bank_line(3, "50.00", remittance=invoice.number, ref="B-1")),
        digest="own",
    ).statement
    return {
        "customer": customer.pk,
        "invoice": invoice.pk,
        "advance": issued_advance(customer, total="90.00").pk,
        "payment": payment.pk,
        "refund": refund.pk,
        "credit_note": credit_note.pk,
        "card": SavedCardFactory(customer=customer).pk,
        "statement": statement.pk,
        "line": statement.lines.get().pk,
        "audit_event": str(AuditEvent.objects.filter(entity=entity).first().pk),
        "webhook_endpoint": WebhookEndpoint.objects.create(
            entity=entity, url="https://hooks.example.com/in", enabled_events=["*"], secret="s"
        ).pk,
        "event": Event.objects.filter(entity=entity).first().pk,
    }


# A body each write would accept in the key's own entity: only the entity header is wrong.
VALID_BODIES = {
    ("post", "payments"): {"invoice_id": "{invoice}", "amount": 1, "type": "cash"},
    ("patch", "payments/{pk}"): {"note": "x"},
    ("post", "payments/{pk}/refunds"): {"amount": 1, "reason": "x"},
    ("post", "invoices"): {"customer_id": "{customer}", "items": [{"name": "D", "price": 1}]},
    ("post", "advance-invoices"): {
        "customer_id": "{customer}",
        "items": [{"name": "D", "price": 1}],
    },
    ("post", "credit-notes"): {"invoice_id": "{invoice}", "amount": 1, "reason": "x"},
    ("post", "customers"): {"name": "Ada"},
    ("post", "customers/{pk}/balance-adjustments"): {"amount": 1, "reason": "x"},
    ("post", "invoices/{pk}/charge"): {"payment_method_id": "{card}"},
    ("post", "advance-invoices/{pk}/charge"): {"payment_method_id": "{card}"},
    ("post", "invoices/{pk}/void"): {"reason": "x"},
    ("post", "advance-invoices/{pk}/void"): {"reason": "x"},
    ("post", "invoices/{pk}/write-off"): {"reason": "x"},
}
PK_OF = {
    "bank-statements": "statement",
    "bank-statement-lines": "line",
    "audit-events": "audit_event",
    "webhook-endpoints": "webhook_endpoint",
    "events": "event",
    "payments": "payment",
    "refunds": "refund",
    "invoices": "invoice",
    "advance-invoices": "advance",
    "credit-notes": "credit_note",
    "customers": "customer",
}


@pytest.mark.parametrize(("method", "path"), sorted(api_operations()))
def test_an_entity_the_key_is_not_bound_to_is_404_on_every_operation(api, own, method, path):
    stranger = EntityFactory()
    url = path.replace("{pk}", own[PK_OF[path.split("/")[0]]]) if "{pk}" in path else path
    body = {
        field: value.format(**own) if isinstance(value, str) else value
        for field, value in VALID_BODIES.get((method, path), {}).items()
    }

    with unchanged():
        response = api.request(method, url, body, headers={"x-entity-id": stranger.pk})

    assert response.status == 404, response.body
    assert (response.error["code"], response.error["param"]) == ("resource_missing", "x-entity-id")


# --- API keys: digests at rest, never in a log -----------------------------------------------


def _refused_authorizations(raw: str) -> list[str]:
    """Headers that carry the key (or nearly) but must be refused."""
    secret = raw.removeprefix("sk_settle_")
    return [
        f"Token {raw}",
        f"Bearer {raw[:-1]}x",  # right prefix, wrong secret
        f"Bearer {raw}{'x' * 300}",
        f"Bearer sk_settle_{secret[::-1]}",
        raw,
    ]


def _tables_holding(text: str) -> list[str]:
    """Every table of the database where some row, read as text, contains `text`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*) FROM {quoted} t WHERE strpos(t::text, %s) > 0 "
                f"OR strpos(t::text, %s) > 0",
                [text, text.encode().hex()],
            )
            if cursor.fetchone()[0]:
                found.append(table)
    return found


@pytest.mark.postgres
def test_api_keys_are_stored_as_digests_and_never_logged(entity, settings, caplog):
    settings.DEBUG = True  # SQL is logged with its parameters: the key must not be among them
    settings.SETTLE_API_RATE = "1000000/s"
    key, raw = api_key_create(name="accounting", entities=[entity])
    revoked_key, revoked_raw = api_key_create(name="old", entities=[entity])
    api_key_revoke(key=revoked_key, actor=SYSTEM)
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    for logger in ("", "django", "django.db.backends"):
        caplog.set_level(logging.DEBUG, logger=logger)

    client = ApiClient(raw)
    created = client.post(
        "payments",
        {"invoice_id": invoice.pk, "amount": 10, "type": "cash"},
        idempotency_key="k-1",
    )
    assert created.status == 201
    assert client.patch(f"payments/{created.body['id']}", {"note": "checked"}).status == 200
    refused = [
        ApiClient(None).get("payments", headers={"Authorization": header})
        for header in _refused_authorizations(raw)
    ]
    assert {answer.status for answer in refused} == {401}
    assert ApiClient(revoked_raw).get("payments").status == 401

    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert "SELECT" in logged  # the SQL log was on: the digest is what it queried by
    for secret in (raw, revoked_raw):
        never_stored = secret[len(key.prefix) :]  # all but the prefix shown in the admin
        assert never_stored not in logged
        assert _tables_holding(never_stored) == []
    key.refresh_from_db()
    assert (key.digest, key.prefix) == (api_key_digest(raw), raw[:14])
    assert (len(raw) - len(key.prefix)) * 6 >= 232  # what is stored leaves 232+ secret bits


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_raw_api_key_never_reaches_the_live_servers_log(sandbox_server):
    entity = EntityFactory()
    _key, raw = api_key_create(name="integration", entities=[entity])
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    log_start = len(sandbox_server.log_text())

    # A key pasted into the wrong header is answered to its sender, never logged or stored.
    # (A key a client puts into a URL is in every access log on the way: not ours to avoid.)
    calls = [
        Call("post", "payments", {"invoice_id": invoice.pk, "amount": 5, "type": "cash"}, raw),
        Call("get", "payments", None, raw, params={"search": "desk"}),
        Call("get", "payments/pmt_00000000000000000000000000", None, raw),
        Call("get", "payments", None, raw, headers={"x-entity-id": raw}),
        *(
            Call("get", "payments", None, None, headers={"Authorization": header})
            for header in _refused_authorizations(raw)
        ),
    ]
    answers = fire_together(sandbox_server, calls)

    assert [answer.status for answer in answers[:4]] == [201, 200, 404, 404]
    assert {answer.status for answer in answers[4:]} == {401}
    sandbox_server.wait_for_access_log(since=log_start, count=len(calls))
    log = sandbox_server.log_text()[log_start:]
    assert raw[14:] not in log
    assert _tables_holding(raw[14:]) == []


# --- the audit trail ------------------------------------------------------------------------


def test_the_audit_trail_is_read_only_through_the_api(api):
    """`GET audit-events` reads it; nothing in the API writes, changes or deletes an event."""
    audit_operations = {(m, p) for m, p in api_operations() if p.startswith("audit-events")}
    assert audit_operations == {
        ("get", "audit-events"),
        ("get", "audit-events/{pk}"),
        ("get", "audit-events/export"),
    }
    for method in ("post", "put", "patch", "delete"):
        for path in ("audit-events", "audit-events/1"):
            response = api.request(method, path, {})
            assert response.status == 405, (method, path, response.status)


# --- rate limiting over HTTP ------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_server(django_db_setup, tmp_path_factory):
    """Two worker processes allowing five requests a minute per key (per process: the
    counters live in each process's memory unless SETTLE_REDIS_URL shares them)."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "limited.log"
    with gunicorn(log_path, workers=2, threads=1, env={"SETTLE_API_RATE": "5/min"}) as server:
        yield server


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_beyond_the_rate_are_429_and_write_nothing(limited_server):
    entity = EntityFactory()
    _key, raw = api_key_create(name="burst", entities=[entity])
    invoice = issued_invoice(CustomerFactory(entity=entity), total="1000.00")
    pay = Call("post", "payments", {"invoice_id": invoice.pk, "amount": 1, "type": "cash"}, raw)

    answers = fire_together(limited_server, [pay] * 30)

    created = [answer for answer in answers if answer.status == 201]
    limited = [answer for answer in answers if answer.status == 429]
    assert len(created) + len(limited) == 30
    assert 5 <= len(created) <= 2 * 5  # at most the rate in each of the two processes
    assert {answer.code for answer in limited} == {"rate_limited"}
    assert all(1 <= int(answer.headers["retry-after"]) <= 61 for answer in limited)
    assert Payment.objects.filter(invoice=invoice).count() == len(created)
    _other, other_raw = api_key_create(name="other", entities=[entity])
    assert request(limited_server, Call("get", "payments", None, other_raw)).status == 200
