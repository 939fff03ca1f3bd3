"""`/api/v1/webhook-endpoints` and `/api/v1/events` through HTTP."""

import pytest

from tests.factories import CustomerFactory, issued_invoice, record_payment
from webhooks.delivery import deliveries_sweep
from webhooks.models import WebhookEndpoint

URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def local(settings):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = True


def create(api, **body):
    return api.post(
        "webhook-endpoints", {"url": URL, "enabled_events": ["payment.created"], **body}
    )


def test_creating_an_endpoint_answers_its_secret_once(api, entity, local):
    created = create(api, description="ERP")

    assert created.status == 201, created.body
    assert created.body["secret"].startswith("whsec_")
    assert created.body["enabled_events"] == ["payment.created"]
    assert created.body["enabled"] is True
    read = api.get(f"webhook-endpoints/{created.body['id']}")
    assert read.status == 200
    assert "secret" not in read.body
    listed = api.get("webhook-endpoints")
    assert [row["id"] for row in listed.body["data"]] == [created.body["id"]]
    assert "secret" not in listed.body["data"][0]


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/x", "https://10.0.0.1/x", "https://169.254.169.254/", "https://localhost/"],
)
def test_a_private_url_is_refused(api, entity, url):
    response = create(api, url=url)

    assert response.status == 400, response.body
    assert response.error["code"] == "webhook_url_forbidden"
    assert response.error["param"] == "url"
    assert not WebhookEndpoint.objects.exists()


def test_unknown_event_types_are_refused(api, entity, local):
    response = create(api, enabled_events=["payment.exploded"])

    assert response.status == 400, response.body
    assert response.error["code"] == "invalid_enabled_events"


def test_update_roll_and_delete(api, entity, local):
    endpoint = create(api).body

    patched = api.patch(
        f"webhook-endpoints/{endpoint['id']}", {"enabled": False, "enabled_events": ["*"]}
    )
    assert patched.status == 200, patched.body
    assert (patched.body["enabled"], patched.body["enabled_events"]) == (False, ["*"])

    rolled = api.post(f"webhook-endpoints/{endpoint['id']}/roll-secret", {"grace_period_hours": 2})
    assert rolled.status == 200, rolled.body
    assert rolled.body["secret"] != endpoint["secret"]
    assert rolled.body["previous_secret_expires_at"] is not None
    too_long = api.post(
        f"webhook-endpoints/{endpoint['id']}/roll-secret", {"grace_period_hours": 1000}
    )
    assert too_long.status == 400

    assert api.delete(f"webhook-endpoints/{endpoint['id']}").status == 204
    assert api.get(f"webhook-endpoints/{endpoint['id']}").status == 404


def test_deliveries_events_and_resend(api, entity, local):
    endpoint = create(api).body
    invoice = issued_invoice(CustomerFactory(entity=entity), "50.00")
    payment = record_payment(invoice, "20.00")
    deliveries_sweep()  # nobody listens on port 9: the attempt fails and is retried later

    deliveries = api.get(f"webhook-endpoints/{endpoint['id']}/deliveries")
    assert deliveries.status == 200, deliveries.body
    (delivery,) = deliveries.body["data"]
    assert delivery["event_type"] == "payment.created"
    assert delivery["attempts"] == 1
    assert delivery["status"] == "pending"

    event = api.get(f"events/{delivery['event_id']}")
    assert event.status == 200, event.body
    assert event.body["type"] == "payment.created"
    assert event.body["data"]["object"]["id"] == payment.pk
    assert event.body["data"]["object"]["amount"] == 20

    events = api.get("events", {"query": '{"type": "payment.created"}'})
    assert [row["id"] for row in events.body["data"]] == [delivery["event_id"]]
    every = api.get("events", {"include_total_count": "true"})
    assert every.body["pagination"]["total"] >= 3

    resent = api.post(
        f"webhook-endpoints/{endpoint['id']}/deliveries/{delivery['event_id']}/resend"
    )
    assert resent.status == 202, resent.body
    assert resent.body["id"] == delivery["id"]
    missing = api.post(f"webhook-endpoints/{endpoint['id']}/deliveries/whd_nope/resend")
    assert missing.status == 404


def test_events_filter_by_type_and_object_as_stripe_does(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), "50.00")
    payment = record_payment(invoice, "20.00")
    record_payment(invoice, "30.00")  # invoice.paid

    def types(params):
        answer = api.get("events", params)
        assert answer.status == 200, answer.body
        return sorted(row["type"] for row in answer.body["data"])

    assert types({"type": "payment.created"}) == ["payment.created"] * 2
    assert types({"type": ["invoice.paid", "invoice.issued"]}) == ["invoice.issued", "invoice.paid"]
    assert types({"object_id": payment.pk}) == ["payment.created"]
    refused = api.get("events", {"type": "payment.succeeded"})
    assert refused.status == 400
    assert (refused.error["code"], refused.error["param"]) == ("invalid_filter", "type")
