"""The worker's side of outbound webhooks: deliveries, the sweep of due retries, the
`invoice.overdue` announcements and the pruning of old events."""

from django.tasks import task

from webhooks import delivery, overdue, retention


@task()
def deliver_webhook(delivery_id: str) -> bool:
    return delivery.delivery_attempt(delivery_id) is not None


@task()
def sweep_webhook_deliveries() -> int:
    return delivery.deliveries_sweep()


@task()
def announce_overdue_invoices() -> int:
    return overdue.overdue_invoices_announce()


@task()
def prune_events() -> int:
    return retention.events_prune()
