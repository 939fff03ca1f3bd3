"""The portal's periodic jobs (see billing.schedule)."""

from billing.schedule import PeriodicJob
from portal import tasks

JOBS = [
    PeriodicJob(
        id="portal.prune_submissions",
        task=tasks.prune_portal_submissions,
        description="delete pay-form tokens past SETTLE_RETENTION_PORTAL_SUBMISSIONS_DAYS",
        cron="30 3 * * *",
    ),
]
