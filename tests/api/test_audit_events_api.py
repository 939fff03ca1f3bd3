"""`GET /api/v1/audit-events` and `/audit-events/{id}`: the entity's audit trail, read-only,
paged by cursors and filtered like every list."""

import json

import pytest

from billing.models import AuditEvent
from tests.api.export_support import make_book
from tests.factories import EntityFactory

REASON = "Desk was double-booked"


@pytest.fixture
def book(entity):
    return make_book(entity)


def _walk(api, params):
    """Every event, page after page through next_cursor."""
    seen, cursor = [], None
    while True:
        page = api.get("audit-events", {**params, **({"next_cursor": cursor} if cursor else {})})
        assert page.status == 200, page.body
        seen.extend(row["id"] for row in page.body["data"])
        cursor = page.body["pagination"]["next_cursor"]
        if not cursor:
            return seen


def test_list_shows_the_entitys_events_newest_first_with_every_field(api, book):
    response = api.get("audit-events", {"limit": 100})

    assert response.status == 200
    assert response.body["pagination"] == {
        "total": 12,
        "next_cursor": None,
        "prev_cursor": None,
        "has_more": False,
    }
    refund = next(row for row in response.body["data"] if row["action"] == "refund.created")
    assert refund == {
        "id": refund["id"],
        "created_at": "2024-01-15T12:00:00.000Z",
        "action": "refund.created",
        "source": "system",
        "actor_kind": "system",
        "actor_id": "",
        "actor_name": "tests",
        "object_type": "refund",
        "object_id": book["refund"].pk,
        "invoice_id": book["january"].pk,
        "customer_id": book["customer"].pk,
        "reason": REASON,
        "before": None,
        "after": {
            "amount": "12.50",
            "destination": "original",
            "failure_message": "",
            "gateway_reference": None,
            "status": "succeeded",
        },
        "entity_id": book["customer"].entity_id,
    }
    assert response.body["data"][0]["action"] == "balance.adjusted"


@pytest.mark.parametrize("order_by", [None, "id", "-created_at", "action"])
def test_cursors_walk_every_event_once_in_order(api, book, order_by):
    params = {"order_by": order_by} if order_by else {}
    everything = [
        row["id"] for row in api.get("audit-events", {**params, "limit": 100}).body["data"]
    ]

    walked = _walk(api, {**params, "limit": 5})

    assert walked == everything
    assert len(walked) == 12
    if order_by == "id":
        assert walked == sorted(walked)


def test_a_previous_page_comes_back_by_its_cursor(api, book):
    first = api.get("audit-events", {"limit": 5})
    second = api.get(
        "audit-events", {"limit": 5, "next_cursor": first.body["pagination"]["next_cursor"]}
    )
    back = api.get(
        "audit-events", {"limit": 5, "prev_cursor": second.body["pagination"]["prev_cursor"]}
    )

    assert back.body["data"] == first.body["data"]


@pytest.mark.parametrize(
    ("params", "actions"),
    [
        ({"action": "refund.created"}, ["refund.created"]),
        ({"object_type": "creditnote"}, ["credit_note.issued"]),
        ({"actor_kind": "system", "action": "balance.adjusted"}, ["balance.adjusted"] * 2),
        ({"actor_kind": "user"}, []),
        ({"actor_id": "key_00000000000000000000000000"}, []),
        ({"source": "admin"}, []),
        ({"from": "2024-02-01", "to": "2024-02-01"}, ["invoice.issued", "advance.created"]),
        (
            {"query": json.dumps({"action": {"startsWith": "invoice."}}), "to": "2024-01-31"},
            ["invoice.issued", "invoice.created"],
        ),
        ({"search": "DOUBLE-BOOKED"}, ["balance.adjusted", "credit_note.issued", "refund.created"]),
    ],
)
def test_list_filters_by_action_object_actor_and_period(api, book, params, actions):
    response = api.get("audit-events", {**params, "limit": 100})

    assert response.status == 200, response.body
    assert [row["action"] for row in response.body["data"]] == actions
    assert response.body["pagination"]["total"] == len(actions)


def test_list_filters_by_object_id(api, book):
    response = api.get("audit-events", {"object_id": book["january"].pk})

    assert [row["action"] for row in response.body["data"]] == ["invoice.issued", "invoice.created"]


def test_list_filters_by_the_acting_key(api, entity, book):
    api.post(f"customers/{book['customer'].pk}/balance-adjustments", {"amount": 1, "reason": "Key"})
    key_id = AuditEvent.objects.get(reason="Key").actor_api_key_id

    by_key = api.get("audit-events", {"actor_id": key_id})
    by_kind = api.get("audit-events", {"actor_kind": "api_key"})

    assert [row["reason"] for row in by_key.body["data"]] == ["Key"]
    assert by_kind.body["data"] == by_key.body["data"]
    assert by_key.body["data"][0]["source"] == "api"


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"from": "yesterday"}, "invalid_date", "from"),
        ({"to": "0001-01-01"}, "invalid_date", "to"),
        ({"from": "2024-02-01", "to": "2024-01-31"}, "invalid_period", "from"),
        ({"query": json.dumps({"before": "x"})}, "invalid_query", "query.before"),
        ({"order_by": "reason"}, "invalid_order_by", "order_by"),
        ({"source": "moon"}, "invalid_filter", "source"),
        ({"actor_kind": "robot"}, "invalid_filter", "actor_kind"),
        ({"limit": "1000"}, "invalid_limit", "limit"),
    ],
)
def test_list_with_an_invalid_parameter_is_a_400(api, book, params, code, param):
    response = api.get("audit-events", params)

    assert response.status == 400
    assert (response.error["code"], response.error["param"]) == (code, param)


def test_retrieve_answers_one_event(api, book):
    event = AuditEvent.objects.get(action="credit_note.issued")

    response = api.get(f"audit-events/{event.pk}")

    assert response.status == 200
    assert response.body["id"] == event.pk
    assert response.body["after"] == {"number": "CN-2024-00001", "total": "10.00"}


@pytest.mark.parametrize("pk", ["not-a-number", "99999999999999999999999", "-1", "0"])
def test_retrieve_of_no_such_event_is_404(api, book, pk):
    response = api.get(f"audit-events/{pk}")

    assert response.status == 404
    assert (response.error["code"], response.error["param"]) == ("resource_missing", "id")


def test_another_entitys_events_are_neither_listed_nor_retrievable(api, entity):
    theirs = make_book(EntityFactory(), name="Someone Else")
    event = AuditEvent.objects.filter(customer_id=theirs["customer"].pk).first()

    listed = api.get("audit-events", {"object_id": event.object_id})
    fetched = api.get(f"audit-events/{event.pk}")

    assert listed.body["data"] == []
    assert fetched.status == 404
    assert fetched.error["code"] == "resource_missing"


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_the_audit_trail_cannot_be_written_through_the_api(api, book, method):
    event = AuditEvent.objects.first()
    count = AuditEvent.objects.count()

    listed = api.request(method, "audit-events", {})
    one = api.request(method, f"audit-events/{event.pk}", {})

    assert listed.status == one.status == 405
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize("events", [1, 40])
def test_a_page_costs_the_same_queries_for_1_or_40_events(
    api, entity, django_assert_num_queries, events
):
    from tests.factories import CustomerFactory, give_balance

    customer = CustomerFactory(entity=entity)
    for _ in range(events):
        give_balance(customer, "1.00")
    assert api.get("customers").status == 200  # the key's first use is recorded once

    with django_assert_num_queries(3):  # the key with its entity, the count, the page
        response = api.get("audit-events", {"limit": 100})

    assert len(response.body["data"]) == events
