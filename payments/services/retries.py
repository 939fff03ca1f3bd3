"""Running the automatic retries of failed charges that `retry_schedule` plans.

- Never two at once: a run claims its row under a lock (`scheduled → started`),
  and `payment_charge` refuses a retry while another retry of the same
  document is in flight (under the document's lock).
- A run that fails again schedules the next attempt; one whose charge was
  retried by hand meanwhile is superseded.

The db worker has no cron: each scheduled retry is queued with
`run_after=due_at`; `manage.py retry_failed_charges` sweeps any that are due
(e.g. when the queue was purged), and a run is harmless twice.
"""

import logging

from django.utils import timezone

from billing.actors import Actor
from billing.errors import SettleError
from billing.locking import lock_rows, money_transaction
from invoices.models import Invoice
from payments.models import ChargeRetry, ChargeRetryStatus, Payment, PaymentStatus
from payments.services.charging import payment_retry
from payments.services.retry_schedule import FINAL_FAILURE_CODES, retry_schedule_next

logger = logging.getLogger(__name__)
RETRY_ACTOR = Actor.task("charge-retry")


def _claim(retry_id: int, now) -> ChargeRetry | None:
    with money_transaction():
        retry = ChargeRetry.objects.select_for_update().filter(pk=retry_id).first()
        if retry is None or retry.status != ChargeRetryStatus.SCHEDULED or retry.due_at > now:
            return None
        retry.status = ChargeRetryStatus.STARTED
        retry.save(update_fields=["status", "updated_at"])
        return retry


def _finish(retry: ChargeRetry, *, outcome: str, result: Payment | None, now=None) -> None:
    with money_transaction():
        lock_rows((Invoice, [retry.invoice_id]))
        retry = ChargeRetry.objects.select_for_update().get(pk=retry.pk)
        retry.status = ChargeRetryStatus.DONE if result else ChargeRetryStatus.SKIPPED
        retry.outcome = outcome[:64]
        retry.result_payment = result
        retry.save(update_fields=["status", "outcome", "result_payment", "updated_at"])
        if (
            result is not None
            and result.status == PaymentStatus.FAILED
            and result.failure_code not in FINAL_FAILURE_CODES
        ):
            retry_schedule_next(failed=result, attempt=retry.attempt + 1, now=now)


def retry_run(*, retry_id: int, now=None) -> str:
    """Run one due retry: charge the failed payment's card again for what is still due."""
    now = now or timezone.now()
    retry = _claim(retry_id, now)
    if retry is None:
        return "not_due"
    failed = Payment.objects.get(pk=retry.failed_payment_id)
    if failed.retries.exists():  # someone retried it by hand meanwhile
        _finish(retry, outcome="superseded", result=None)
        return "superseded"
    try:
        result = payment_retry(payment=failed, actor=RETRY_ACTOR)
    except SettleError as error:  # nothing due any more, card removed, invoice void…
        _finish(retry, outcome=error.code, result=None)
        return error.code
    except Exception:
        _finish(retry, outcome="error", result=None)
        raise
    _finish(retry, outcome=result.status, result=result, now=max(now, timezone.now()))
    logger.info("retry %s of %s: %s", retry.attempt, failed.pk, result.status)
    return result.status


def retry_sweep_due(*, now=None) -> list[str]:
    """Run every retry that is due (for the management command)."""
    now = now or timezone.now()
    due = ChargeRetry.objects.filter(
        status=ChargeRetryStatus.SCHEDULED, due_at__lte=now
    ).values_list("pk", flat=True)
    return [retry_run(retry_id=retry_id, now=now) for retry_id in list(due)]
