"""Pruning the portal's one-time pay-form tokens after
`SETTLE_RETENTION_PORTAL_SUBMISSIONS_DAYS` (see billing.retention).

A submission still waiting for a new card to be saved holds its token in the
member's session; past the retention that page is stale and paying again starts
from the invoice, so nothing is charged twice.
"""

from billing.models import Submission
from billing.retention import submissions_prune


def portal_submissions_prune(*, now=None) -> int:
    return submissions_prune(Submission.Door.PORTAL, now=now)
