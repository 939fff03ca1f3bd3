"""Writing events inside the transaction of the change they report, and fanning them out
to their endpoints' deliveries in the worker.

The body is rendered now (the object as it is at this moment, through the API's
renderers) and stored as the exact bytes every endpoint receives and signs. The change's
transaction writes only the event row: the outbox. Nothing is sent for a change that
rolls back, and subscribing endpoints costs the change nothing. The worker
(`manage.py deliver_webhooks`, and the periodic sweep) then makes one delivery per
endpoint that was enabled and subscribed when the event happened (`receives`).
"""

import copy
from collections import defaultdict
from datetime import timedelta

import simplejson
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from billing.ids import new_id
from webhooks.event_types import AUDIT_ACTION_EVENTS, EVENT_TYPES, applied_document
from webhooks.models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from webhooks.rendering import object_render

FAN_OUT_BATCH = 500
# How far two app servers' clocks may disagree: an endpoint receives the events written
# up to this long before the creation time its own server gave it.
CLOCK_SKEW = timedelta(seconds=5)


def body_dump(payload: dict) -> str:
    """JSON as the API writes it: exact decimal numbers, compact."""
    return simplejson.dumps(
        payload, use_decimal=True, separators=(",", ":"), default=str, ensure_ascii=False
    )


def event_write(*, entity_id: str, type: str, obj, previous: dict | None = None) -> Event:
    """Write one event about `obj` (caller's transaction); the worker delivers it.
    `previous` is Stripe's `data.previous_attributes` of an `*.updated` event."""
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
    if previous:
        payload["data"]["previous_attributes"] = previous
    return Event.objects.create(
        id=event_id,
        entity_id=entity_id,
        type=type,
        object_id=str(obj.pk),
        body=body_dump(payload),
        created_at=now,
    )


def events_fan_out(*, limit: int = FAN_OUT_BATCH) -> int:
    """Make the deliveries of up to `limit` events not yet fanned out, the oldest first.

    Workers side by side each take events the others do not hold (`skip_locked`); the
    unique (event, endpoint) pair makes a repeat harmless. Returns how many events were
    fanned out.
    """
    waiting = Event.objects.filter(fanned_out=False)
    if not waiting.exists():  # the idle relay's every second: no transaction, no lock
        return 0
    now = timezone.now()
    with transaction.atomic():
        events = list(
            waiting.select_for_update(skip_locked=True)
            .only("id", "entity_id", "type", "created_at")
            .order_by("created_at")[:limit]
        )
        if not events:
            return 0
        endpoints = defaultdict(list)
        candidates = WebhookEndpoint.objects.filter(
            Q(enabled=True) | Q(updated_at__gte=events[0].created_at),
            entity_id__in={event.entity_id for event in events},
        )
        for endpoint in _held_from_deletion(list(candidates.order_by("pk"))):
            endpoints[endpoint.entity_id].append(endpoint)
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    event=event,
                    endpoint=endpoint,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now,
                )
                for event in events
                for endpoint in endpoints[event.entity_id]
                if receives(endpoint, event)
            ],
            ignore_conflicts=True,
        )
        Event.objects.filter(pk__in=[event.pk for event in events]).update(fanned_out=True)
    return len(events)


def _held_from_deletion(endpoints: list[WebhookEndpoint]) -> list[WebhookEndpoint]:
    """The endpoints still there, each locked FOR KEY SHARE until the deliveries naming it
    commit (on PostgreSQL; SQLite runs one writer at a time).

    The lock a foreign-key check takes anyway: fan-outs and attempts side by side go on,
    and only a delete of the endpoint waits, instead of failing the whole batch at commit.
    """
    if not endpoints or connection.vendor != "postgresql":
        return endpoints
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM webhooks_webhookendpoint WHERE id = ANY(%s) FOR KEY SHARE",
            [[endpoint.pk for endpoint in endpoints]],
        )
        still_there = {row[0] for row in cursor.fetchall()}
    return [endpoint for endpoint in endpoints if endpoint.pk in still_there]


def receives(endpoint: WebhookEndpoint, event: Event) -> bool:
    """Whether an event goes to an endpoint: one of its types, written while it existed
    (give or take `CLOCK_SKEW` between servers' clocks) and was enabled.

    An endpoint disabled or changed since the event still gets the delivery, which then
    fails as disabled and can be resent: no event vanishes without a trace.
    """
    if endpoint.created_at - CLOCK_SKEW > event.created_at:
        return False
    if not endpoint.subscribes(event.type):
        return False
    return endpoint.enabled or endpoint.updated_at >= event.created_at


def event_from_audit(*, entity_id: str, action: str, obj, before: dict | None = None) -> None:
    """The events an audited action means (see `AUDIT_ACTION_EVENTS`)."""
    event_type = AUDIT_ACTION_EVENTS.get(action)
    if event_type is None:
        return
    previous = previous_attributes(obj, before) if event_type.endswith(".updated") else None
    event_write(entity_id=entity_id, type=event_type, obj=obj, previous=previous)
    applied = applied_document(obj) if action == "payment.recorded" else None
    if applied is not None:
        applied_type, field = applied
        document = getattr(obj, field)
        document.refresh_from_db()
        event_write(entity_id=entity_id, type=applied_type, obj=document)


def previous_attributes(obj, before: dict | None) -> dict | None:
    """Stripe's `previous_attributes`: the fields of the API's representation that the
    change altered, as they were. The audited `before` values are put back on a copy of
    the object, which is rendered like the object itself; the keys that differ are kept."""
    if not before:
        return None
    earlier = copy.copy(obj)
    for name, value in before.items():
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete and not field.is_relation:
            setattr(earlier, field.attname, field.to_python(value))
    now, then = object_render(obj), object_render(earlier)
    return {key: then[key] for key in then if key in now and then[key] != now[key]} or None
