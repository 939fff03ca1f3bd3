"""The schedule of automatic retries of failed charges (`SETTLE_RETRY_SCHEDULE_DAYS`, "3,3").

- A charge that fails (a soft decline such as `card_declined` or
  `insufficient_funds`) schedules attempt 1, due after the first delay; each
  failed automatic retry schedules the next, until the schedule runs out.
- A manual retry (admin, API) of the same failed charge supersedes the
  scheduled one; if it fails in turn, the schedule starts again from it.
- One *scheduled* retry per document (partial unique constraint): a new one
  cancels the one before.

Settling a failed charge schedules its retry here, and the run
(`payments.services.retries`) charges again: apart, the imports run one way,
retries → charging → retry_schedule.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from payments.models import ChargeRetry, ChargeRetryStatus, Payment
from payments.queue import RUN_CHARGE_RETRY, enqueue_after

# Hard declines: retrying the same card later cannot succeed.
FINAL_FAILURE_CODES = frozenset(
    {
        "authentication_failed",
        "authentication_required",
        "expired_card",
        "incorrect_number",
        "invalid_number",
        "invalid_request",
        "lost_card",
        "payment_intent_authentication_failure",
        "pickup_card",
        "resource_missing",
        "stolen_card",
    }
)


def retry_delays() -> list[timedelta]:
    return [timedelta(days=float(days)) for days in settings.SETTLE_RETRY_SCHEDULE_DAYS]


def _enqueue_run(retry: ChargeRetry) -> None:
    """Queued inside the transaction: with the database queue, the task row commits (or rolls
    back) with the retry row, so a crash cannot lose it."""
    enqueue_after(RUN_CHARGE_RETRY, retry.due_at, retry.pk)


def retry_schedule_next(*, failed: Payment, attempt: int, now=None) -> ChargeRetry | None:
    """Schedule attempt `attempt` after `failed`, replacing any retry scheduled on its document
    (inside the caller's transaction, holding the document's lock); none past the schedule."""
    delays = retry_delays()
    if attempt > len(delays):
        return None
    invoice_id = failed.invoice_id or failed.advance_invoice_id
    for stale in ChargeRetry.objects.select_for_update().filter(
        invoice_id=invoice_id, status=ChargeRetryStatus.SCHEDULED
    ):
        stale.status, stale.outcome = ChargeRetryStatus.CANCELED, "rescheduled"
        stale.save(update_fields=["status", "outcome", "updated_at"])
    retry = ChargeRetry.objects.create(
        entity_id=failed.entity_id,
        invoice_id=invoice_id,
        failed_payment=failed,
        attempt=attempt,
        due_at=(now or timezone.now()) + delays[attempt - 1],
    )
    _enqueue_run(retry)
    return retry


def retry_schedule_after_failure(*, payment: Payment) -> ChargeRetry | None:
    """Called by `payment_settle_charge` when a charge ends `failed` (document locked).

    A failure of an automatic retry is rescheduled by the run itself, so a
    retry `started` on the document means: leave it to that run.
    """
    invoice_id = payment.invoice_id or payment.advance_invoice_id
    if not payment.is_gateway or not invoice_id or payment.failure_code in FINAL_FAILURE_CODES:
        return None
    if ChargeRetry.objects.filter(invoice_id=invoice_id, status=ChargeRetryStatus.STARTED).exists():
        return None
    return retry_schedule_next(failed=payment, attempt=1)
