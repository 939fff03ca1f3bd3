"""Delivery to a local receiver: signatures (also during a roll), retries with backoff after
a 500, nothing for a disabled endpoint, at least once when a worker dies mid-delivery."""

import itertools
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM, issued_invoice, record_payment
from webhooks.delivery import (
    CLAIM_LEASE,
    deliveries_sweep,
    delivery_claim,
)
from webhooks.models import DeliveryStatus, Event, WebhookDelivery
from webhooks.outbox import events_fan_out
from webhooks.services import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_roll_secret,
    webhook_endpoint_update,
)
from webhooks.signing import signature_header, signature_verify

pytestmark = pytest.mark.django_db


def test_the_receiver_verifies_the_signature_and_the_body(customer, endpoint, receiver):
    invoice = issued_invoice(customer, "100.00")

    deliveries_sweep()

    (item,) = receiver.received
    assert item.headers["Content-Type"] == "application/json"
    assert item.verifies(endpoint.secret)
    assert not item.verifies("whsec_someone_else")
    event = Event.objects.get(pk=item.event["id"])
    assert item.body == event.body.encode()
    assert item.event["data"]["object"]["id"] == invoice.pk
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.last_status_code == 200
    assert delivery.attempts == 1
    assert delivery.attempts_log[0]["status_code"] == 200


def test_a_signature_outside_the_tolerance_does_not_verify():
    body = b'{"id":"evt_1"}'
    header = signature_header(["whsec_a"], 1_000_000, body)

    assert signature_verify(header, body, "whsec_a", now=1_000_100)
    assert not signature_verify(header, body, "whsec_a", now=1_000_000 + 301)
    assert not signature_verify(header, body + b" ", "whsec_a", now=1_000_100)


def test_during_a_roll_both_secrets_verify(customer, endpoint, receiver):
    old = endpoint.secret
    rolled = webhook_endpoint_roll_secret(endpoint=endpoint, actor=SYSTEM, grace_period_hours=24)
    issued_invoice(customer, "10.00")

    deliveries_sweep()

    (item,) = receiver.received
    assert rolled.secret != old
    assert item.verifies(rolled.secret)
    assert item.verifies(old)
    assert item.headers["Settle-Signature"].count("v1=") == 2


def test_after_a_roll_without_grace_only_the_new_secret_verifies(customer, endpoint, receiver):
    old = endpoint.secret
    rolled = webhook_endpoint_roll_secret(endpoint=endpoint, actor=SYSTEM, grace_period_hours=0)
    issued_invoice(customer, "10.00")

    deliveries_sweep()

    (item,) = receiver.received
    assert item.verifies(rolled.secret)
    assert not item.verifies(old)


_real_now = timezone.now


def later(monkeypatch, delta):
    """Set the clock `delta` after the real now for the code under test (no sleeping)."""
    moved = _real_now() + delta
    monkeypatch.setattr(timezone, "now", lambda: moved)
    return moved


def test_a_receiver_answering_500_gets_retries_with_backoff(
    customer, endpoint, receiver, monkeypatch
):
    receiver.status = 500
    issued_invoice(customer, "10.00")
    deliveries_sweep()
    delivery = WebhookDelivery.objects.get()
    first_try = delivery.last_attempt_at
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at - first_try == timedelta(minutes=1)

    deliveries_sweep()  # not due yet
    assert len(receiver.received) == 1

    later(monkeypatch, timedelta(minutes=1, seconds=1))
    deliveries_sweep()
    delivery.refresh_from_db()
    assert len(receiver.received) == 2
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=5)

    receiver.status = 204
    later(monkeypatch, timedelta(minutes=7, seconds=2))
    deliveries_sweep()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert len({item.event["id"] for item in receiver.received}) == 1
    assert [entry["status_code"] for entry in delivery.attempts_log] == [500, 500, 204]


def test_deliveries_give_up_after_three_days_and_the_endpoint_is_disabled(
    customer, endpoint, receiver, monkeypatch
):
    receiver.status = 500
    issued_invoice(customer, "10.00")
    for hours in range(0, 80, 1):
        later(monkeypatch, timedelta(hours=hours, minutes=1))
        deliveries_sweep()

    delivery = WebhookDelivery.objects.get()
    endpoint.refresh_from_db()
    assert delivery.status == "failed"
    assert 5 < delivery.attempts < 20
    assert not endpoint.enabled
    assert "failed for 3 days" in endpoint.disabled_reason


def test_a_disabled_endpoint_gets_nothing(customer, endpoint, receiver):
    webhook_endpoint_update(endpoint=endpoint, actor=SYSTEM, enabled=False)
    issued_invoice(customer, "10.00")

    deliveries_sweep()

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_disabling_stops_the_retries(customer, endpoint, receiver, monkeypatch):
    receiver.status = 500
    issued_invoice(customer, "10.00")
    deliveries_sweep()
    webhook_endpoint_update(endpoint=endpoint, actor=SYSTEM, enabled=False)

    later(monkeypatch, timedelta(hours=1))
    deliveries_sweep()

    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == "failed"


def test_an_endpoint_receives_only_its_subscribed_types(customer, entity, receiver):
    webhook_endpoint_create(
        entity=entity, url=receiver.url, enabled_events=["payment.created"], actor=SYSTEM
    )
    invoice = issued_invoice(customer, "10.00")
    record_payment(invoice, "5.00")

    deliveries_sweep()

    assert receiver.types == ["payment.created"]


def test_a_worker_killed_mid_delivery_leaves_it_to_be_retried(
    customer, endpoint, receiver, monkeypatch
):
    issued_invoice(customer, "10.00")
    events_fan_out()
    delivery = WebhookDelivery.objects.get()
    # The worker claims it, then dies before sending or recording anything.
    assert delivery_claim(delivery.pk) is not None
    deliveries_sweep()
    assert receiver.received == []  # the claim's lease is still running

    later(monkeypatch, CLAIM_LEASE + timedelta(seconds=1))
    deliveries_sweep()

    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert delivery.attempts == 2
    assert len(receiver.received) == 1


def test_a_worker_that_rolls_back_its_claim_leaves_the_delivery_due(customer, endpoint, receiver):
    from django.db import transaction

    issued_invoice(customer, "10.00")
    events_fan_out()
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        delivery_claim(delivery.pk)
        raise RuntimeError("killed")

    deliveries_sweep()

    assert len(receiver.received) == 1


def test_a_delivery_can_be_resent(customer, endpoint, receiver):
    issued_invoice(customer, "10.00")
    deliveries_sweep()
    delivery = WebhookDelivery.objects.get()

    webhook_delivery_resend(delivery=delivery, actor=SYSTEM)
    deliveries_sweep()

    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert receiver.ids()[0] == receiver.ids()[1]


def test_deliveries_take_milliseconds(customer, endpoint, receiver):
    for _ in range(5):
        issued_invoice(customer, "10.00")
    started = time.monotonic()
    deliveries_sweep()
    assert len(receiver.received) == 5
    assert time.monotonic() - started < 5


def test_a_change_writes_only_its_events_and_the_worker_fans_them_out(customer, endpoint):
    # The test runs in one transaction: everything below is written in it.
    invoice = issued_invoice(customer, "100.00")  # invoice.issued
    record_payment(invoice, "40.00")  # payment.created and invoice.partially_paid
    record_payment(invoice, "60.00")  # payment.created and invoice.paid
    assert not WebhookDelivery.objects.exists()
    assert Event.objects.filter(fanned_out=False).count() == 5

    assert events_fan_out() == 5
    assert events_fan_out() == 0  # each event once
    assert WebhookDelivery.objects.filter(endpoint=endpoint, status="pending").count() == 5
    assert not Event.objects.filter(fanned_out=False).exists()


def test_an_event_goes_to_the_endpoints_subscribed_and_enabled_when_it_happened(
    customer, endpoint, monkeypatch
):
    paid_only = webhook_endpoint_create(
        entity=customer.entity,
        actor=SYSTEM,
        url="http://127.0.0.1:9/paid",
        enabled_events=["invoice.paid"],
    )
    switched_off = webhook_endpoint_create(
        entity=customer.entity, actor=SYSTEM, url="http://127.0.0.1:9/off", enabled_events=["*"]
    )
    webhook_endpoint_update(endpoint=switched_off, actor=SYSTEM, enabled=False)
    invoice = issued_invoice(customer, "100.00")
    record_payment(invoice, "100.00")  # payment.created and invoice.paid
    later(monkeypatch, timedelta(minutes=1))
    later_one = webhook_endpoint_create(
        entity=customer.entity, actor=SYSTEM, url="http://127.0.0.1:9/late", enabled_events=["*"]
    )
    monkeypatch.undo()

    events_fan_out()

    def types(target):
        deliveries = WebhookDelivery.objects.filter(endpoint=target)
        return sorted(deliveries.values_list("event__type", flat=True))

    assert types(endpoint) == ["invoice.issued", "invoice.paid", "payment.created"]
    assert types(paid_only) == ["invoice.paid"]
    assert types(switched_off) == []
    assert types(later_one) == []


def test_an_endpoint_disabled_after_the_event_keeps_a_failed_delivery_to_resend(
    customer, endpoint, receiver
):
    issued_invoice(customer, "10.00")  # before the endpoint is switched off
    webhook_endpoint_update(endpoint=endpoint, actor=SYSTEM, enabled=False)

    deliveries_sweep()

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.last_error) == ("failed", "The endpoint is disabled.")
    assert receiver.received == []
    webhook_endpoint_update(endpoint=endpoint, actor=SYSTEM, enabled=True)
    webhook_delivery_resend(delivery=delivery, actor=SYSTEM)
    deliveries_sweep()
    assert receiver.types == ["invoice.issued"]


def test_a_sweep_claims_each_batch_on_its_own_clock(customer, endpoint, receiver, monkeypatch):
    """A long sweep: each batch's lease and retry start when that batch is sent."""
    from webhooks import delivery as delivery_module

    receiver.status = 500
    for _ in range(delivery_module.BATCH + 1):
        issued_invoice(customer, "10.00")
    ticks = itertools.count()
    monkeypatch.setattr(timezone, "now", lambda: _real_now() + timedelta(minutes=next(ticks)))

    deliveries_sweep()

    retries = WebhookDelivery.objects.values_list("next_attempt_at", flat=True)
    assert max(retries) - min(retries) >= timedelta(minutes=1)  # the later batch, later
    assert all(d.status == "pending" for d in WebhookDelivery.objects.all())


def test_old_events_are_pruned_with_their_deliveries_but_never_before_fan_out(
    customer, endpoint, settings
):
    from webhooks.retention import events_prune

    settings.SETTLE_RETENTION_EVENTS_DAYS = 30
    delivered = issued_invoice(customer, "10.00")
    events_fan_out()
    waiting = issued_invoice(customer, "20.00")  # not fanned out yet
    Event.objects.update(created_at=_real_now() - timedelta(days=31))
    recent = issued_invoice(customer, "30.00")

    assert events_prune() == 2  # the old event fanned out, and its delivery
    assert sorted(Event.objects.values_list("object_id", flat=True)) == sorted(
        [waiting.pk, recent.pk]
    )
    assert not WebhookDelivery.objects.filter(event__object_id=delivered.pk).exists()
