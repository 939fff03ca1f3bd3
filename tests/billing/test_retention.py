"""Pruning: each table loses exactly its old rows and keeps the recent and the still-needed ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing import retention
from billing.models import Submission
from billing.services import api_key_create
from payments.models import WebhookEvent
from payments.retention import webhook_events_prune
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()
DONE, RUNNING = "done", "in_progress"


def aged(model, row, **age):
    """Backdate `row` (auto_now_add fields cannot be set at insert)."""
    field = "received_at" if model is WebhookEvent else "created_at"
    model.objects.filter(pk=row.pk).update(**{field: NOW - timedelta(**age)})
    return row.pk


def submission(door, owner, name, state, **age):
    row = Submission.objects.create(door=door, owner=owner.pk, key=name, state=state, result={})
    return aged(Submission, row, **age)


def idempotency_key(api_key, name, state, **age):
    return submission("api", api_key, name, state, **age)


def test_idempotency_keys_are_kept_48_hours_and_in_flight_ones_until_abandoned(entity):
    key, _raw = api_key_create(name="t", entities=[entity])
    fresh = idempotency_key(key, "fresh", DONE, hours=1)
    day_old = idempotency_key(key, "day-old", DONE, hours=47)
    old = idempotency_key(key, "old", DONE, hours=49)
    running = idempotency_key(key, "running", RUNNING, minutes=1)
    stuck_3_days = idempotency_key(key, "stuck-3d", RUNNING, days=3)
    abandoned = idempotency_key(key, "abandoned", RUNNING, days=8)

    assert retention.submissions_prune(now=NOW) == 2

    kept = set(Submission.objects.values_list("pk", flat=True))
    assert kept == {fresh, day_old, running, stuck_3_days}
    assert old not in kept and abandoned not in kept


def test_idempotency_retention_follows_the_setting_but_never_under_24_hours(entity, settings):
    key, _raw = api_key_create(name="t", entities=[entity])
    recent = idempotency_key(key, "recent", DONE, hours=20)
    older = idempotency_key(key, "older", DONE, hours=30)

    settings.SETTLE_RETENTION_IDEMPOTENCY_HOURS = 1  # refused at startup; clamped here too
    assert retention.submissions_prune(now=NOW) == 1
    assert list(Submission.objects.values_list("pk", flat=True)) == [recent]
    assert older not in set(Submission.objects.values_list("pk", flat=True))


def form_token(user, name, state, **age):
    return submission("admin", user, name, state, **age)


def test_form_tokens_go_after_their_retention_unless_in_flight(settings):
    settings.SETTLE_RETENTION_IDEMPOTENCY_HOURS = 7 * 24
    user = UserFactory()
    recent = form_token(user, "recent", DONE, days=6)
    old = form_token(user, "old", DONE, days=8)
    running = form_token(user, "running", RUNNING, seconds=5)
    abandoned = form_token(user, "abandoned", RUNNING, days=8)

    assert retention.submissions_prune(now=NOW) == 2

    assert set(Submission.objects.values_list("pk", flat=True)) == {recent, running}
    assert not Submission.objects.filter(pk__in=[old, abandoned]).exists()


def test_portal_submissions_go_after_their_retention(settings):
    settings.SETTLE_RETENTION_IDEMPOTENCY_HOURS = 7 * 24
    user = UserFactory()
    recent = submission("portal", user, "a", RUNNING, days=6)
    old = submission("portal", user, "b", DONE, days=8)

    assert retention.submissions_prune(now=NOW) == 1

    assert list(Submission.objects.values_list("pk", flat=True)) == [recent]
    assert old != recent


def test_one_retention_holds_for_every_doors_keys(entity):
    key, _raw = api_key_create(name="t", entities=[entity])
    user = UserFactory()
    kept, gone = set(), set()
    for door, owner in [("api", key), ("admin", user), ("portal", user)]:
        kept.add(submission(door, owner, "day-old", DONE, hours=47))
        gone.add(submission(door, owner, "old", DONE, hours=49))

    assert retention.submissions_prune(now=NOW) == 3  # 48 hours by default

    assert set(Submission.objects.values_list("pk", flat=True)) == kept
    assert not Submission.objects.filter(pk__in=gone).exists()


def webhook_event(event_id, *, processed: bool, **age):
    row = WebhookEvent.objects.create(
        event_id=event_id,
        type="payment_intent.succeeded",
        payload={"id": event_id},
        processed_at=NOW - timedelta(**age) if processed else None,
    )
    return aged(WebhookEvent, row, **age)


def test_processed_webhook_events_go_after_30_days_and_unprocessed_ones_stay(settings):
    settings.SETTLE_RETENTION_WEBHOOK_EVENTS_DAYS = 30
    recent = webhook_event("evt_recent", processed=True, days=29)
    old = webhook_event("evt_old", processed=True, days=31)
    failed_long_ago = webhook_event("evt_failed", processed=False, days=90)

    assert webhook_events_prune(now=NOW) == 1

    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {recent, failed_long_ago}
    assert not WebhookEvent.objects.filter(pk=old).exists()


def test_finished_task_results_go_after_their_retention(settings):
    from django_tasks_db.models import DBTaskResult

    settings.SETTLE_RETENTION_TASK_RESULTS_DAYS = 14
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from billing.tasks import prune_submissions

    old, recent, waiting = (prune_submissions.enqueue().id for _ in range(3))
    DBTaskResult.objects.filter(pk=old).update(
        status="SUCCESSFUL", finished_at=NOW - timedelta(days=15)
    )
    DBTaskResult.objects.filter(pk=recent).update(
        status="FAILED", finished_at=NOW - timedelta(days=13)
    )
    DBTaskResult.objects.filter(pk=waiting).update(enqueued_at=NOW - timedelta(days=40))

    assert retention.task_results_prune(now=NOW) == 1

    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == {
        str(recent),
        str(waiting),
    }


def test_sign_in_logs_go_after_their_retention(settings):
    from axes.models import AccessFailureLog, AccessLog

    settings.SETTLE_RETENTION_SIGN_IN_LOGS_DAYS = 30
    logs = {}
    for name, days in [("recent", 29), ("old", 31)]:
        row = AccessLog.objects.create(username=name, ip_address="127.0.0.1", user_agent="t")
        AccessLog.objects.filter(pk=row.pk).update(attempt_time=NOW - timedelta(days=days))
        logs[name] = row.pk
        failure = AccessFailureLog.objects.create(
            username=name, ip_address="127.0.0.1", user_agent="t", locked_out=False
        )
        AccessFailureLog.objects.filter(pk=failure.pk).update(
            attempt_time=NOW - timedelta(days=days)
        )

    assert retention.sign_in_logs_prune(now=NOW) == 2

    assert list(AccessLog.objects.values_list("pk", flat=True)) == [logs["recent"]]
    assert list(AccessFailureLog.objects.values_list("username", flat=True)) == ["recent"]


def test_pruning_deletes_in_batches(entity):
    key, _raw = api_key_create(name="t", entities=[entity])
    for number in range(5):
        idempotency_key(key, f"k{number}", DONE, days=3)

    deleted = retention.delete_in_batches(Submission.objects.all(), batch_size=2)

    assert deleted == 5
    assert not Submission.objects.exists()


def test_an_idempotency_retention_under_24_hours_refuses_to_start():
    import os
    import subprocess
    import sys

    env = {**os.environ, "SETTLE_RETENTION_IDEMPOTENCY_HOURS": "12"}
    started = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert started.returncode == 1
    assert "SETTLE_RETENTION_IDEMPOTENCY_HOURS must be 24 or more" in started.stderr
