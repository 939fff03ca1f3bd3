"""Pruning the portal's one-time pay-form tokens after
`SETTLE_RETENTION_PORTAL_SUBMISSIONS_DAYS` (see billing.retention).

A submission still waiting for a new card to be saved holds its token in the
member's session; past the retention that page is stale and paying again starts
from the invoice, so nothing is charged twice.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.retention import delete_in_batches
from portal.models import PortalSubmission


def portal_submissions_prune(*, now=None) -> int:
    now = now or timezone.now()
    retention = timedelta(days=float(settings.SETTLE_RETENTION_PORTAL_SUBMISSIONS_DAYS))
    return delete_in_batches(PortalSubmission.objects.filter(created_at__lt=now - retention))
