"""Events are kept `SETTLE_RETENTION_EVENTS_DAYS` (30 by default), then deleted with their
deliveries, in short batches: the outbox never grows without bound. One not yet fanned out
(its relay and worker down all that time) stays until it is: it was never delivered."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.retention import delete_in_batches
from webhooks.models import Event


def events_prune(*, now=None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(days=float(settings.SETTLE_RETENTION_EVENTS_DAYS))
    return delete_in_batches(Event.objects.filter(created_at__lt=cutoff, fanned_out=True))
