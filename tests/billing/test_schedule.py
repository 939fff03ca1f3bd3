"""The periodic jobs' clock: which jobs, how often, and that a tick only queues a task once."""

import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from billing.schedule import periodic_enqueue, periodic_jobs, scheduler_build

ROOT = Path(__file__).resolve().parents[2]


def test_the_scheduler_registers_every_job_with_its_schedule():
    scheduler = scheduler_build()

    triggers = {job.id: str(job.trigger) for job in scheduler.get_jobs()}

    daily = "cron[month='*', day='*', day_of_week='*', hour='3', minute='{}']"
    assert triggers == {
        "billing.prune_submissions": "interval[1:00:00]",
        "billing.prune_task_results": daily.format(40),
        "billing.prune_sign_in_logs": daily.format(50),
        "payments.reconcile": "interval[0:05:00]",
        "payments.charge_retries": "interval[0:15:00]",
        "payments.reminders": "interval[1:00:00]",
        "payments.prune_webhook_events": daily.format(20),
        "webhooks.deliveries": "interval[0:01:00]",
        "webhooks.overdue": "interval[1:00:00]",
        "webhooks.prune_events": daily.format(30),
    }
    jobs = {job.id: job for job in periodic_jobs()}
    assert (
        jobs["payments.reconcile"].task.module_path == "payments.tasks.reconcile_pending_payments"
    )
    assert jobs["payments.charge_retries"].every == timedelta(minutes=15)
    assert {job.id: job.task.module_path for job in periodic_jobs()} == {
        "billing.prune_submissions": "billing.tasks.prune_submissions",
        "billing.prune_task_results": "billing.tasks.prune_task_results",
        "billing.prune_sign_in_logs": "billing.tasks.prune_sign_in_logs",
        "payments.reconcile": "payments.tasks.reconcile_pending_payments",
        "payments.charge_retries": "payments.tasks.run_due_charge_retries",
        "payments.reminders": "payments.tasks.send_due_reminders",
        "payments.prune_webhook_events": "payments.tasks.prune_webhook_events",
        "webhooks.deliveries": "webhooks.tasks.sweep_webhook_deliveries",
        "webhooks.overdue": "webhooks.tasks.announce_overdue_invoices",
        "webhooks.prune_events": "webhooks.tasks.prune_events",
    }


@pytest.mark.django_db
def test_a_tick_queues_the_task_once_while_a_run_is_waiting(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = {job.id: job for job in periodic_jobs()}["payments.reconcile"]

    first = periodic_enqueue(job)
    second = periodic_enqueue(job)  # a second clock, or a tick before any worker ran it

    assert first is not None and second is None
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "payments.tasks.reconcile_pending_payments"
    ]
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert periodic_enqueue(job) is not None  # once it ran, the next tick queues again


@pytest.mark.django_db
def test_a_tick_runs_the_sweep_through_the_task_backend():
    job = {job.id: job for job in periodic_jobs()}["payments.reconcile"]

    result = periodic_enqueue(job)  # tests use the immediate backend

    assert result.return_value == 0  # nothing pending to reconcile


def test_run_scheduler_lists_its_jobs():
    out = StringIO()
    call_command("run_scheduler", "--list", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[3].split()[:4] == ["payments.reconcile", "every", "5", "min"]


def _descendants_cmdlines(root: int) -> list[str]:
    parents = {}
    cmdlines = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmdlines[int(proc.name)] = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parents[int(proc.name)] = int(stat[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent:
                found.append(cmdlines[pid])
                frontier.append(pid)
    return found


@pytest.mark.django_db(transaction=True)
def test_make_worker_runs_the_worker_and_the_scheduler_and_stops_both(tmp_path):
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        database_url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        )
    else:
        database_url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database_url, "SETTLE_LOG_FORMAT": "text"}
    make = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/bin/.installed", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(make.stdout), daemon=True)
    reader.start()
    try:
        # Ctrl-C once both have started and the first ticks were queued and run: a loaded
        # machine may take many seconds to load Django in each process.
        deadline = time.monotonic() + 120
        running = []
        while time.monotonic() < deadline:
            running = _descendants_cmdlines(make.pid)
            seen = "".join(lines)
            if all(s in seen for s in ("Scheduler: ", "queued", "state=SUCCESSFUL")):
                break
            time.sleep(0.5)
        assert any("manage.py db_worker" in c for c in running), running
        assert any("manage.py run_scheduler" in c for c in running), running
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C in a terminal
        make.wait(timeout=30)
        reader.join(timeout=10)
        output = "".join(lines)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    # make itself got the Ctrl-C and ends by it, silently: its recipe ended cleanly.
    assert make.returncode == -signal.SIGINT, output
    assert "Scheduler stopped." in output
    assert "queued" in output  # the first ticks went to the queue…
    assert "state=SUCCESSFUL" in output  # …and the worker ran them
    assert "***" not in output and "Segmentation fault" not in output
    assert _descendants_cmdlines(make.pid) == []
