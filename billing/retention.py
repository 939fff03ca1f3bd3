"""Pruning the tables that grow with every request, each after its retention setting.

Run by the scheduler (`manage.py run_scheduler` queues the prune tasks) and safe
to run at any time, from several processes at once: each call deletes, in short
batches, rows that nobody can need any more.

Kept, whatever their age would say:
- a one-time key's claim still `in_progress` (an API request or a form whose work
  may still be running, or whose gateway outcome is unknown after a crash, or a
  portal payment waiting for its new card) until it is older than `ABANDONED_AFTER`
  as well: a request never runs for days, and until then a retry keeps getting
  "still being processed" instead of acting twice;
- a task result that has not finished (queued or running).
"""

from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from billing.models import Submission

BATCH_SIZE = 1000
# An in-progress claim this old belongs to no running request.
ABANDONED_AFTER = timedelta(days=7)
# Idempotency keys must be honoured for 24 hours at least (API contract).
IDEMPOTENCY_MINIMUM = timedelta(hours=24)


def delete_in_batches(queryset, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete what `queryset` selects, `batch_size` rows per statement (short locks)."""
    model = queryset.model
    deleted = 0
    while True:
        batch = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        count, _ = model._base_manager.filter(pk__in=batch).delete()
        deleted += count


def submission_retention() -> timedelta:
    """How long every door's one-time keys are kept and honoured (`billing.once`):
    `SETTLE_RETENTION_IDEMPOTENCY_HOURS`, never under the API's 24 hours."""
    hours = timedelta(hours=float(settings.SETTLE_RETENTION_IDEMPOTENCY_HOURS))
    return max(hours, IDEMPOTENCY_MINIMUM)


def submissions_prune(*, now=None) -> int:
    """Delete one-time keys past their retention, and in-progress ones once abandoned.

    A key sent again after that is a new request; for a form, one sent twice that far
    apart is no longer recognised as a resubmission.
    """
    now = now or timezone.now()
    retention = submission_retention()
    done = Q(state=Submission.State.DONE, created_at__lt=now - retention)
    abandoned = Q(
        state=Submission.State.IN_PROGRESS, created_at__lt=now - max(retention, ABANDONED_AFTER)
    )
    return delete_in_batches(Submission.objects.filter(done | abandoned))


def task_results_prune(*, now=None) -> int:
    """Delete finished background-task rows older than `SETTLE_RETENTION_TASK_RESULTS_DAYS`."""
    now = now or timezone.now()
    retention = timedelta(days=float(settings.SETTLE_RETENTION_TASK_RESULTS_DAYS))
    return delete_in_batches(
        DBTaskResult.objects.finished().filter(finished_at__lt=now - retention)
    )


def sign_in_logs_prune(*, now=None) -> int:
    """Delete django-axes' sign-in logs (address, browser) older than
    `SETTLE_RETENTION_SIGN_IN_LOGS_DAYS`. The lockout state itself (`AccessAttempt`) is
    axes' own to expire, after its cool-off."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=float(settings.SETTLE_RETENTION_SIGN_IN_LOGS_DAYS))
    return delete_in_batches(AccessLog.objects.filter(attempt_time__lt=cutoff)) + (
        delete_in_batches(AccessFailureLog.objects.filter(attempt_time__lt=cutoff))
    )
