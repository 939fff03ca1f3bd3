"""The webhooks app's periodic jobs (see billing.schedule)."""

from datetime import timedelta

from billing.schedule import PeriodicJob
from webhooks import tasks

JOBS = [
    PeriodicJob(
        id="webhooks.deliveries",
        task=tasks.sweep_webhook_deliveries,
        description="send the webhook deliveries that are due: retries and abandoned attempts",
        every=timedelta(minutes=1),
    ),
    PeriodicJob(
        id="webhooks.overdue",
        task=tasks.announce_overdue_invoices,
        description="write invoice.overdue once for each invoice past its due date",
        every=timedelta(hours=1),
    ),
    PeriodicJob(
        id="webhooks.prune_events",
        task=tasks.prune_events,
        description="delete events (and their deliveries) past SETTLE_RETENTION_EVENTS_DAYS",
        cron="30 3 * * *",
    ),
]
