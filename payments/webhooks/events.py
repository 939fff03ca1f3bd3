"""Store each inbound event once, then hand it to its handler.

Deduplication is the database's: the insert of `(gateway, event_id)` either
succeeds (first delivery) or hits the unique constraint (a redelivery). A
redelivery of an event already processed is acknowledged and ignored; one
whose earlier processing failed is processed again (the services are
idempotent, so a concurrent second run changes nothing twice).
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from billing.actors import Actor
from billing.errors import SettleError
from billing.models import AuditEvent
from payments.models import WebhookEvent
from payments.webhooks import stripe_events

logger = logging.getLogger(__name__)
# Each gateway's handlers, by event type.
HANDLERS_BY_GATEWAY = {"stripe": stripe_events.HANDLERS}


class WebhookProcessingError(Exception):
    """Processing failed in a way a redelivery may fix (gateway unreachable, a bug, a lock)."""


def _store(gateway: str, event: dict) -> tuple[WebhookEvent, bool]:
    row = WebhookEvent(
        gateway=gateway,
        event_id=str(event["id"])[:255],
        type=str(event["type"])[:100],
        livemode=bool(event.get("livemode")),
        payload=event,
    )
    try:
        with transaction.atomic():
            row.save()
        return row, True
    except IntegrityError:
        return WebhookEvent.objects.get(gateway=gateway, event_id=row.event_id), False


def gateway_is_live(gateway: str) -> bool:
    if gateway != "stripe":
        return False
    return settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))


def event_receive(*, gateway: str, event: dict) -> tuple[WebhookEvent, bool]:
    """Store and process one verified event. Returns (row, duplicate)."""
    row, created = _store(gateway, event)
    if not created and row.processed_at is not None:
        return row, True
    handler = HANDLERS_BY_GATEWAY.get(gateway, {}).get(row.type)
    if row.livemode != gateway_is_live(gateway):
        # A live event at a test deployment (or the reverse): acknowledged, never acted on.
        handler = None
        logger.warning("ignoring %s event %s: livemode mismatch", row.type, row.event_id)
    actor = Actor(source=AuditEvent.Source.WEBHOOK, label=f"{gateway} {row.type} {row.event_id}")
    error = ""
    try:
        if handler is not None:
            handler(event["data"]["object"], actor=actor, event=event)
    except SettleError as refused:
        # A rule refused it (void invoice, currency…): a redelivery cannot help. Keep the reason.
        logger.error("webhook %s %s refused: %s", row.type, row.event_id, refused.message)
        error = f"{refused.code}: {refused.message}"
    except Exception as failure:
        logger.exception("webhook %s %s failed", row.type, row.event_id)
        WebhookEvent.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, error=repr(failure)[:2000]
        )
        raise WebhookProcessingError(
            f"Processing {row.event_id} failed; it will be retried."
        ) from failure
    WebhookEvent.objects.filter(pk=row.pk).update(
        processed_at=timezone.now(), attempts=F("attempts") + 1, error=error
    )
    row.refresh_from_db()
    return row, False
