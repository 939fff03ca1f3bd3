"""Restricted API keys over every endpoint and verb of `api/urls.py`.

The table is walked from the URL patterns themselves, so an endpoint added later is
covered as soon as it is routed: it must declare `scope_resource`, a key with exactly
the scope it needs gets through, and a key with the other action or another resource
gets 403 `insufficient_scope` and changes nothing.
"""

import pytest
from django.core import mail
from django.test import Client

from api import urls as api_urls
from api.framework.base import SettleAPIView
from api.framework.scopes import required_scope
from banking.models import BankStatementLine
from banking.services.importing import statement_import_parsed
from billing.api_key_scopes import ALL_SCOPES, RESOURCES, scopes_allow
from billing.models import AuditEvent, Customer
from billing.services import api_key_create
from payments.services import credit_note_issue, refund_create
from tests.api_client import ApiClient
from tests.asserts import unchanged
from tests.banking.statements import line as bank_line
from tests.banking.statements import statement as bank_statement
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    SavedCardFactory,
    give_balance,
    issued_advance,
    issued_invoice,
    record_payment,
)
from webhooks.event_types import event_resource
from webhooks.models import Event, WebhookEndpoint

VERBS = ("get", "post", "patch", "put", "delete")

# The resource each routed endpoint belongs to, as the README documents it. An endpoint
# not listed here is still walked by every test below; list it to pin its resource.
EXPECTED_RESOURCE = {
    "customer-list": "customers",
    "customer-detail": "customers",
    "customer-payment-methods": "customers",
    "customer-balance-transactions": "balance",
    "customer-balance-explain": "balance",
    "customer-balance-adjustments": "balance",
    "balance-transaction-export": "balance",
    "invoice-list": "invoices",
    "invoice-export": "invoices",
    "invoice-detail": "invoices",
    "invoice-pdf": "invoices",
    "invoice-explain": "invoices",
    "invoice-issue": "invoices",
    "invoice-send": "invoices",
    "invoice-void": "invoices",
    "invoice-write-off": "invoices",
    "invoice-charge": "invoices",
    "invoice-apply-balance": "invoices",
    "invoice-move-overpayment": "invoices",
    "advance-list": "invoices",
    "advance-detail": "invoices",
    "advance-pdf": "invoices",
    "advance-send": "invoices",
    "advance-issue": "invoices",
    "advance-void": "invoices",
    "advance-charge": "invoices",
    "payment-list": "payments",
    "payment-export": "payments",
    "payment-detail": "payments",
    "payment-refunds": "refunds",
    "refund-list": "refunds",
    "refund-export": "refunds",
    "refund-detail": "refunds",
    "credit-note-list": "credit_notes",
    "credit-note-export": "credit_notes",
    "credit-note-detail": "credit_notes",
    "credit-note-pdf": "credit_notes",
    "credit-note-send": "credit_notes",
    "statement-list": "bank_statements",
    "statement-detail": "bank_statements",
    "statement-line-list": "bank_statements",
    "statement-line-detail": "bank_statements",
    "statement-line-confirm": "bank_statements",
    "statement-line-ignore": "bank_statements",
    "statement-line-undo": "bank_statements",
    "audit-event-list": "reports",
    "audit-event-export": "reports",
    "report-aged-receivables-export": "reports",
    "report-collections-export": "reports",
    "audit-event-detail": "reports",
    "report-aged-receivables": "reports",
    "report-collections": "reports",
    "customer-statement": "reports",
    "advance-explain": "invoices",
    "invoice-refunds": "refunds",
    "webhook-endpoint-list": "webhooks",
    "webhook-endpoint-detail": "webhooks",
    "webhook-endpoint-roll-secret": "webhooks",
    "webhook-endpoint-deliveries": "webhooks",
    "webhook-delivery-resend": "webhooks",
    "event-list": "webhooks",
    "event-detail": "webhooks",
}

# Which object an id in the path names, by the path's first segment.
OBJECT_BY_SEGMENT = {
    "customers": "customer",
    "invoices": "invoice",
    "advance-invoices": "advance",
    "payments": "payment",
    "refunds": "refund",
    "credit-notes": "credit_note",
    "bank-statements": "statement",
    "bank-statement-lines": "line",
    "audit-events": "audit_event",
    "webhook-endpoints": "webhook_endpoint",
    "events": "event",
}


def _routes():
    for pattern in api_urls.urlpatterns:
        view_class = pattern.callback.view_class
        for verb in VERBS:
            if hasattr(view_class, verb):
                yield pattern, view_class, verb


ROUTES = list(_routes())
ROUTE_IDS = [f"{verb.upper()} {pattern.pattern}" for pattern, _, verb in ROUTES]


def _path(pattern, objects) -> str:
    route = str(pattern.pattern)
    if "<str:pk>" not in route:
        return route
    return route.replace("<str:pk>", str(objects[OBJECT_BY_SEGMENT[route.split("/")[0]]]))


def _client(entity, *scopes) -> ApiClient:
    return ApiClient(_raw(entity, *scopes))


def _call(entity, scopes, verb, path) -> tuple[int, dict | None]:
    """(status, error) of a request by a key with `scopes`; CSV exports answer a stream."""
    headers = {"Authorization": "Bearer " + _raw(entity, *scopes)}
    client = Client()
    if verb == "get":
        response = client.get(f"/api/v1/{path}", headers=headers)
    else:
        response = getattr(client, verb)(
            f"/api/v1/{path}", data="{}", content_type="application/json", headers=headers
        )
    if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
        return response.status_code, None
    return response.status_code, response.json().get("error")


def _other_resource(resource: str) -> str:
    return RESOURCES[(RESOURCES.index(resource) + 1) % len(RESOURCES)]


def _state() -> dict:
    """What the money snapshot does not hold: bank lines, customers, the audit trail."""
    return {
        "lines": list(BankStatementLine.objects.order_by("pk").values_list("pk", "status")),
        "customers": list(Customer.objects.order_by("pk").values_list("pk", "name", "archived_at")),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def objects(entity):
    """One of everything, in the key's entity: what every path can name."""
    customer = CustomerFactory(entity=entity)
    give_balance(customer, "20.00")
    invoice = issued_invoice(customer, total="300.00", apply_balance=False)
    advance = issued_advance(customer, total="90.00")
    payment = record_payment(invoice, "100.00")
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Overcharged", amount="10.00")
    credit_note = credit_note_issue(
        entity=entity, invoice_id=invoice.pk, actor=SYSTEM, reason="Discount", amount="5.00"
    )
    SavedCardFactory(customer=customer)
    endpoint = WebhookEndpoint.objects.create(
        entity=entity, url="https://hooks.example.com/in", enabled_events=["*"], secret="whsec_a"
    )
    statement = statement_import_parsed(
        entity=entity,
        actor=SYSTEM,
        parsed=bank_statement(bank_line(3, "300.00", remittance=invoice.number, ref="B-1")),
        digest="a",
    ).statement
    return {
        "statement": statement.pk,
        "line": statement.lines.get().pk,
        "customer": customer.pk,
        "invoice": invoice.pk,
        "advance": advance.pk,
        "payment": payment.pk,
        "refund": refund.pk,
        "credit_note": credit_note.pk,
        "audit_event": AuditEvent.objects.filter(entity=entity).first().pk,
        "webhook_endpoint": endpoint.pk,
        "event": Event.objects.filter(entity=entity).first().pk,
    }


# --- the rule: every routed view names its resource -------------------------------------------


def test_every_endpoint_declares_a_known_scope_resource():
    undeclared = [
        f"{pattern.pattern} ({view_class.__qualname__})"
        for pattern in api_urls.urlpatterns
        for view_class in [pattern.callback.view_class]
        if getattr(view_class, "scope_resource", None) not in RESOURCES
    ]
    assert undeclared == [], "declare `scope_resource` on: " + ", ".join(undeclared)


def test_every_endpoint_is_a_settle_view_so_the_scope_check_runs():
    for pattern in api_urls.urlpatterns:
        assert issubclass(pattern.callback.view_class, SettleAPIView), pattern.pattern


@pytest.mark.parametrize("name", sorted(EXPECTED_RESOURCE))
def test_each_endpoint_belongs_to_the_documented_resource(name):
    pattern = next(p for p in api_urls.urlpatterns if p.name == name)
    assert pattern.callback.view_class.scope_resource == EXPECTED_RESOURCE[name]


def test_a_view_without_a_resource_cannot_be_routed():
    from django.core.exceptions import ImproperlyConfigured

    class Forgotten(SettleAPIView):
        def get(self, request):
            raise AssertionError("never reached")

    with pytest.raises(ImproperlyConfigured, match="must declare `scope_resource`"):
        Forgotten.as_view()


def test_reads_need_read_and_every_other_verb_write():
    for _pattern, view_class, verb in ROUTES:
        action = "read" if verb == "get" else "write"
        assert required_scope(view_class, verb) == f"{view_class.scope_resource}:{action}"
    assert scopes_allow(["payments:write"], "payments", "read")
    assert not scopes_allow(["payments:read"], "payments", "write")
    assert scopes_allow([], "refunds", "write")  # no scopes: unrestricted


# --- over every endpoint and verb -------------------------------------------------------------


@pytest.mark.parametrize(("pattern", "view_class", "verb"), ROUTES, ids=ROUTE_IDS)
def test_a_key_with_exactly_the_needed_scope_gets_through(
    entity, objects, pattern, view_class, verb
):
    needed = required_scope(view_class, verb)
    enough = [[needed]]
    if verb == "get":  # write implies read
        enough.append([f"{view_class.scope_resource}:write"])
    if str(pattern.pattern) == "events/<str:pk>":  # an event also needs its object's scope
        event_type = Event.objects.get(pk=objects["event"]).type
        enough = [[*scopes, f"{event_resource(event_type)}:read"] for scopes in enough]

    for scopes in enough:
        status, error = _call(entity, scopes, verb, _path(pattern, objects))

        assert status not in (401, 403), (scopes, error)


@pytest.mark.parametrize(("pattern", "view_class", "verb"), ROUTES, ids=ROUTE_IDS)
def test_a_key_without_the_needed_scope_gets_403_and_changes_nothing(
    entity, objects, pattern, view_class, verb
):
    needed = required_scope(view_class, verb)
    resource, _, action = needed.partition(":")
    other = _other_resource(resource)
    wrong_keys = [(f"{other}:read", f"{other}:write")]
    if action == "write":
        wrong_keys.append((f"{resource}:read",))
    path = _path(pattern, objects)
    before = _state()

    for scopes in wrong_keys:
        with unchanged():
            status, error = _call(entity, scopes, verb, path)

        assert status == 403, (scopes, error)
        assert error == {
            "type": "permission_error",
            "code": "insufficient_scope",
            "message": error["message"],
            "param": None,
        }
        assert needed in error["message"]
    assert _state() == before
    assert mail.outbox == []


def test_a_read_only_key_cannot_post(entity, objects):
    client = _client(entity, "payments:read", "invoices:read")

    with unchanged():
        response = client.post(
            "payments", {"invoice_id": objects["invoice"], "amount": 5, "type": "cash"}
        )

    assert response.status == 403
    assert response.error["code"] == "insufficient_scope"
    assert response.error["message"].startswith("This API key lacks the scope payments:write")
    assert client.get("payments").status == 200


@pytest.mark.parametrize(
    "path, include, needed",
    [
        ("payments", "Invoice", "invoices:read"),
        ("payments/{payment}", "AdvanceInvoice", "invoices:read"),
        ("payments/{payment}", "CreditNote", "credit_notes:read"),
        ("invoices", "Customer", "customers:read"),
        ("invoices/{invoice}", "Payments", "payments:read"),
        ("invoices/{invoice}", "CreditNotes", "credit_notes:read"),
    ],
)
def test_include_needs_the_read_scope_of_what_it_embeds(entity, objects, path, include, needed):
    own = "payments:read" if path.startswith("payments") else "invoices:read"
    path = path.format(**objects)

    refused = _client(entity, own).get(f"{path}?include={include}")
    allowed = _client(entity, own, needed).get(f"{path}?include={include}")

    assert refused.status == 403
    assert (refused.error["code"], refused.error["param"]) == ("insufficient_scope", "include")
    assert needed in refused.error["message"]
    assert allowed.status == 200
    assert _client(entity, own).get(path).status == 200  # without include, as before


def test_a_head_request_is_a_read(entity, objects):
    def head(*scopes):
        headers = {"Authorization": "Bearer " + _raw(entity, *scopes)}
        return Client().head("/api/v1/payments", headers=headers).status_code

    assert head("invoices:read") == 403
    assert head("payments:read") == 200


def _raw(entity, *scopes) -> str:
    return api_key_create(name="restricted", entities=[entity], scopes=list(scopes))[1]


def test_a_restricted_key_that_may_write_does_the_write(entity, objects):
    client = _client(entity, "payments:write")

    response = client.post(
        "payments", {"invoice_id": objects["invoice"], "amount": 5, "type": "cash"}
    )

    assert response.status == 201, response.body


def test_a_restricted_key_reads_only_the_events_whose_objects_it_may_read(entity, objects):
    client = _client(entity, "webhooks:read", "payments:read")
    invoice_event = Event.objects.filter(entity=entity, type="invoice.issued").first()

    listed = client.get("events")
    refused = client.get(f"events/{invoice_event.pk}")

    assert listed.status == 200
    assert {row["type"].split(".")[0] for row in listed.body["data"]} == {"payment"}
    assert refused.status == 403
    assert refused.error["code"] == "insufficient_scope"
    assert "invoices:read" in refused.error["message"]
    assert (
        _client(entity, "webhooks:read", "invoices:read").get(f"events/{invoice_event.pk}").status
        == 200
    )


def test_a_restricted_key_subscribes_only_to_events_whose_objects_it_may_read(
    entity, objects, settings
):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = True
    client = _client(entity, "webhooks:write", "payments:read")

    def create(events):
        return client.post(
            "webhook-endpoints", {"url": "http://127.0.0.1:9/in", "enabled_events": events}
        )

    allowed = create(["payment.created", "payment.updated"])
    with unchanged():
        narrow = create(["payment.created", "invoice.paid"])
        everything = create(["*"])
        widened = client.patch(
            f"webhook-endpoints/{allowed.body['id']}",
            {"enabled_events": ["customer.balance_changed"]},
        )

    assert allowed.status == 201, allowed.body
    for refused in (narrow, everything, widened):
        assert refused.status == 403
        assert (refused.error["code"], refused.error["param"]) == (
            "insufficient_scope",
            "enabled_events",
        )
    assert "invoices:read" in narrow.error["message"]
    assert "customers:read" in widened.error["message"]
    refused_left = WebhookEndpoint.objects.filter(url="http://127.0.0.1:9/in")
    assert [endpoint.enabled_events for endpoint in refused_left] == [
        ["payment.created", "payment.updated"]
    ]


def test_an_unrestricted_key_still_reaches_every_resource(api, entity, objects):
    for path in ("payments", "refunds", "invoices", "customers", "audit-events"):
        assert api.get(path).status == 200, path
    response = api.post("payments", {"invoice_id": objects["invoice"], "amount": 5, "type": "cash"})
    assert response.status == 201, response.body


def test_no_key_is_still_401_before_any_scope_check(db):
    response = ApiClient(None).get("payments")

    assert response.status == 401
    assert response.error["code"] == "missing_api_key"


# --- the OpenAPI document ---------------------------------------------------------------------


def test_every_operation_of_the_openapi_document_names_its_scope(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {
        (method, path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in VERBS
    }

    assert operations
    missing = [key for key, op in operations.items() if op.get("x-required-scope") is None]
    assert missing == []
    assert {op["x-required-scope"] for op in operations.values()} <= set(ALL_SCOPES)
    assert operations[("get", "/api/v1/payments")]["x-required-scope"] == "payments:read"
    assert operations[("post", "/api/v1/payments")]["x-required-scope"] == "payments:write"
    refund = operations[("post", "/api/v1/payments/{id}/refunds")]
    assert refund["x-required-scope"] == "refunds:write"
    assert refund["description"].endswith("Required scope of a restricted key: `refunds:write`.")
    assert (
        "`payments:read` (or `payments:write`)"
        in (operations[("get", "/api/v1/payments")]["description"])
    )
