"""The payments app's periodic jobs (see billing.schedule)."""

from datetime import timedelta

from billing.schedule import PeriodicJob
from payments import tasks

JOBS = [
    PeriodicJob(
        id="payments.reconcile",
        task=tasks.reconcile_pending_payments,
        description="settle gateway charges and refunds left pending; cancel stale 3-D Secure",
        every=timedelta(minutes=5),
    ),
    PeriodicJob(
        id="payments.charge_retries",
        task=tasks.run_due_charge_retries,
        description="run the automatic charge retries that are due",
        every=timedelta(minutes=15),
    ),
    PeriodicJob(
        id="payments.reminders",
        task=tasks.send_due_reminders,
        description="e-mail the reminders of overdue invoices that the entities' schedules say are due",
        every=timedelta(hours=1),
    ),
    PeriodicJob(
        id="payments.prune_webhook_events",
        task=tasks.prune_webhook_events,
        description="delete processed webhook events past SETTLE_RETENTION_WEBHOOK_EVENTS_DAYS",
        cron="20 3 * * *",
    ),
]
