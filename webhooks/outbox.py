"""Writing events and their deliveries, inside the transaction of the change they report.

The body is rendered now (the object as it is at this moment, through the API's
renderers) and stored as the exact bytes every endpoint receives and signs. One
delivery row per enabled endpoint subscribed to the type, and one sweep of the due
deliveries queued with the same transaction: nothing is sent for a change that rolls back.
"""

import simplejson
from django.db import transaction
from django.utils import timezone

from billing.ids import new_id
from payments.queue import enqueue_with_transaction
from webhooks.event_types import APPLICATION_EVENTS, AUDIT_ACTION_EVENTS, EVENT_TYPES
from webhooks.models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from webhooks.rendering import object_render

SWEEP = "webhooks.tasks.sweep_webhook_deliveries"


def body_dump(payload: dict) -> str:
    """JSON as the API writes it: exact decimal numbers, compact."""
    return simplejson.dumps(
        payload, use_decimal=True, separators=(",", ":"), default=str, ensure_ascii=False
    )


def event_write(*, entity_id: str, type: str, obj) -> Event:
    """Write one event about `obj` and its deliveries (caller's transaction)."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    now = timezone.now()
    event_id = new_id("evt")
    payload = {
        "id": event_id,
        "type": type,
        "created_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "entity_id": entity_id,
        "data": {"object": object_render(obj)},
    }
    event = Event.objects.create(
        id=event_id,
        entity_id=entity_id,
        type=type,
        object_id=str(obj.pk),
        body=body_dump(payload),
        created_at=now,
    )
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(entity_id=entity_id, enabled=True)
        if endpoint.subscribes(type)
    ]
    if endpoints:
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                event=event,
                endpoint=endpoint,
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        )
        _sweep_soon()
    return event


def _sweep_soon() -> None:
    """Queue one sweep of due deliveries with the caller's transaction, once per
    transaction however many events it writes (a payment writes two or three).

    A marker among the transaction's on-commit callbacks says a sweep is queued: it goes
    with the transaction, or with the savepoint that queued it if that rolls back, and
    then the next event queues anew. Whatever is missed, the periodic sweep sends
    within a minute.
    """
    connection = transaction.get_connection()
    marker = getattr(connection, "_settle_webhooks_sweep", None)
    queued_already = marker is not None and connection.in_atomic_block
    if queued_already and any(item[1] is marker for item in connection.run_on_commit):
        return
    enqueue_with_transaction(SWEEP)
    if connection.in_atomic_block:

        def queued() -> None:
            """Nothing to do: it only marks the transaction."""

        transaction.on_commit(queued)
        connection._settle_webhooks_sweep = queued


def event_from_audit(*, entity_id: str, action: str, obj) -> None:
    """The events an audited action means (see `AUDIT_ACTION_EVENTS`)."""
    event_type = AUDIT_ACTION_EVENTS.get(action)
    if event_type is None:
        return
    event_write(entity_id=entity_id, type=event_type, obj=obj)
    if action == "payment.recorded" and obj.type in APPLICATION_EVENTS:
        applied_type, field = APPLICATION_EVENTS[obj.type]
        document = getattr(obj, field, None)
        if document is not None:
            document.refresh_from_db()
            event_write(entity_id=entity_id, type=applied_type, obj=document)
