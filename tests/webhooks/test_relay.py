"""The relay, `manage.py deliver_webhooks`, as a process on the test database: it delivers
what committed changes wrote within about a second, a relay killed in the middle of a
delivery leaves the event to another (delivered at least once), and SIGTERM stops it."""

import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest
from django.utils import timezone

from tests.factories import issued_invoice, record_payment
from tests.reliability.live import (
    ROOT,
    backends_waiting_for_a_lock,
    current_database_url,
    wait_until,
)
from webhooks.models import DeliveryStatus, WebhookDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextmanager
def relay(log_path):
    environment = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "SETTLE_WEBHOOKS_ALLOW_PRIVATE": "1",
        "SETTLE_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "deliver_webhooks", "--interval", "0.1"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_the_relay_delivers_committed_changes_and_stops_on_sigterm(
    customer, endpoint, receiver, tmp_path
):
    with relay(tmp_path / "relay.log") as process:
        invoice = issued_invoice(customer, "100.00")
        record_payment(invoice, "40.00")

        wait_until(lambda: len(receiver.received) == 3, timeout=30, message="not delivered")
        assert sorted(receiver.types) == [
            "invoice.issued",
            "invoice.partially_paid",
            "payment.created",
        ]
        assert all(item.verifies(endpoint.secret) for item in receiver.received)
        wait_until(
            lambda: not WebhookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).exists()
        )

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert "Webhook delivery stopped." in (tmp_path / "relay.log").read_text()


def test_a_relay_killed_mid_delivery_leaves_the_event_to_the_next(
    customer, endpoint, receiver, tmp_path
):
    receiver.gate = threading.Event()  # the receiver holds the first request unanswered
    with relay(tmp_path / "first.log") as first:
        issued_invoice(customer, "100.00")
        wait_until(lambda: len(receiver.received) == 1, timeout=30, message="never sent")
        first.kill()  # in the middle of the POST: nothing recorded
        first.wait(timeout=10)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_attempt_at) == ("pending", 1, None)

    receiver.gate.set()
    # The claim's lease (minutes) has run out.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    with relay(tmp_path / "second.log"):
        wait_until(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists(),
            timeout=30,
            message="the second relay never delivered it",
        )

    assert len(receiver.received) == 2
    assert receiver.ids()[0] == receiver.ids()[1]  # the same event: a receiver deduplicates


def test_a_database_error_is_logged_and_outlived(monkeypatch, caplog):
    from django.db import OperationalError

    from webhooks.management.commands import deliver_webhooks

    def failing(**kwargs):
        raise OperationalError("the server closed the connection unexpectedly")

    monkeypatch.setattr(deliver_webhooks, "deliveries_sweep", failing)

    assert deliver_webhooks.relay_once(0.5) == 0.5 * deliver_webhooks.BACKOFF_INTERVALS
    assert "a round failed" in caplog.text
    assert "the server closed the connection unexpectedly" in caplog.text

    monkeypatch.undo()
    assert deliver_webhooks.relay_once(0.5) == 0.5  # nothing to do: wait an interval


def test_fan_out_holds_its_endpoints_from_deletion_until_its_deliveries_commit(customer, endpoint):
    """A delete waits for the fan-out holding the endpoint (instead of failing the whole
    batch at commit), and an endpoint deleted before the fan-out is left out."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    from webhooks.models import WebhookEndpoint
    from webhooks.outbox import _held_from_deletion

    def delete_elsewhere():
        try:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        with transaction.atomic():
            assert _held_from_deletion([endpoint]) == [endpoint]
            deleting = pool.submit(delete_elsewhere)
            wait_until(backends_waiting_for_a_lock, message="the delete never waited")
            assert not deleting.done()
        deleting.result(timeout=10)
    assert _held_from_deletion([endpoint]) == []  # gone: no delivery is made for it
