"""Pruning inbound gateway events after `SETTLE_RETENTION_WEBHOOK_EVENTS_DAYS` (see billing.retention).

Only processed events go: one whose processing failed (`processed_at` empty)
is kept whatever its age, for the gateway's redelivery and for a person to look
at. A redelivery of a pruned event is processed again, which the idempotent
services make harmless; gateways stop redelivering after a few days.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.retention import delete_in_batches
from payments.models import WebhookEvent


def webhook_events_prune(*, now=None) -> int:
    now = now or timezone.now()
    retention = timedelta(days=float(settings.SETTLE_RETENTION_WEBHOOK_EVENTS_DAYS))
    return delete_in_batches(
        WebhookEvent.objects.filter(processed_at__isnull=False, received_at__lt=now - retention)
    )
