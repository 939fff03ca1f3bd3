"""Automatic retries of failed charges, on a schedule (`SETTLE_RETRY_SCHEDULE_DAYS`, "3,3").

- A charge that fails (a soft decline such as `card_declined` or
  `insufficient_funds`) schedules attempt 1, due after the first delay; each
  failed automatic retry schedules the next, until the schedule runs out.
- A manual retry (admin, API) of the same failed charge supersedes the
  scheduled one; if it fails in turn, the schedule starts again from it.
- Never two at once: one *scheduled* retry per document (partial unique
  constraint), a run claims its row under a lock (`scheduled → started`),
  and `payment_charge` refuses a retry while another retry of the same
  document is in flight (under the document's lock).

The db worker has no cron: each scheduled retry is queued with
`run_after=due_at`; `manage.py retry_failed_charges` sweeps any that are due
(e.g. when the queue was purged), and a run is harmless twice.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.actors import Actor
from billing.errors import SettleError
from billing.locking import lock_rows, money_transaction
from invoices.models import Invoice
from payments.models import ChargeRetry, ChargeRetryStatus, Payment, PaymentStatus
from payments.queue import RUN_CHARGE_RETRY, enqueue_after

logger = logging.getLogger(__name__)
RETRY_ACTOR = Actor.task("charge-retry")
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


def retry_schedule() -> list[timedelta]:
    return [timedelta(days=float(days)) for days in settings.SETTLE_RETRY_SCHEDULE_DAYS]


def _enqueue_run(retry: ChargeRetry) -> None:
    """Queued inside the transaction: with the database queue, the task row commits (or rolls
    back) with the retry row, so a crash cannot lose it."""
    enqueue_after(RUN_CHARGE_RETRY, retry.due_at, retry.pk)


def _schedule(*, failed: Payment, attempt: int, now=None) -> ChargeRetry | None:
    """Inside the caller's transaction, holding the document's lock."""
    delays = retry_schedule()
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
    return _schedule(failed=payment, attempt=1)


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
            _schedule(failed=result, attempt=retry.attempt + 1, now=now)


def retry_run(*, retry_id: int, now=None) -> str:
    """Run one due retry: charge the failed payment's card again for what is still due."""
    from payments.services.charging import payment_retry

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
