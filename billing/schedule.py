"""Periodic jobs: what runs on a clock, and the clock (`manage.py run_scheduler`).

Each app lists its jobs in a `schedule.py` module (`JOBS`), found the way the
admin finds `admin.py`, so the kernel knows no app above it. The clock is
APScheduler 3 in its own process: on each tick it only *queues* the job's Django
task; the `db_worker` processes run it, as many as there are. Every job is an
idempotent sweep, so two clocks started by mistake, or a tick that lands while
the previous run is still queued, are harmless; a tick whose task is still
waiting in the database queue queues nothing more.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from billing import tasks

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A task queued `every` so often, or at `cron` ("minute hour day month weekday")."""

    id: str
    task: object  # a django.tasks Task taking no arguments
    description: str
    every: timedelta | None = None
    cron: str | None = None

    def trigger(self):
        zone = settings.TIME_ZONE
        if self.every is not None:
            return IntervalTrigger(seconds=self.every.total_seconds(), timezone=zone)
        return CronTrigger.from_crontab(self.cron, timezone=zone)

    def when(self) -> str:
        if self.every is not None:
            minutes = self.every.total_seconds() / 60
            return f"every {minutes:g} min"
        return f"cron '{self.cron}' ({settings.TIME_ZONE})"


def periodic_jobs() -> list[PeriodicJob]:
    """Every installed app's `schedule.JOBS`, in app order."""
    jobs = []
    for config in apps.get_app_configs():
        name = f"{config.name}.schedule"
        if find_spec(name) is not None:
            found = getattr(import_module(name), "JOBS", [])
            jobs.extend(job for job in found if isinstance(job, PeriodicJob))
    return jobs


def _waiting(task) -> bool:
    """Is a run of `task` already queued and not yet started (database queue only)?"""
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


def periodic_enqueue(job: PeriodicJob):
    """One tick of `job`: queue its task unless a run is already waiting. Never raises."""
    try:
        if _waiting(job.task):
            logger.info("periodic %s: a run is already queued", job.id)
            return None
        result = job.task.enqueue()
    except Exception:
        # The clock must keep ticking (a database restart, a lock): the next tick tries again.
        logger.exception("periodic %s: could not queue", job.id)
        return None
    logger.info("periodic %s: queued %s", job.id, result.id)
    return result


def scheduler_build(jobs: list[PeriodicJob] | None = None) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=settings.TIME_ZONE,
        # A tick missed while the process was stopped runs once when it can, not once per miss.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    started = timezone.now()
    for job in periodic_jobs() if jobs is None else jobs:
        # Interval jobs tick once at start too, so frequent restarts (deploys) never starve them.
        first = {"next_run_time": started} if job.every is not None else {}
        scheduler.add_job(
            periodic_enqueue, job.trigger(), args=[job], id=job.id, name=job.description, **first
        )
    return scheduler


def _kernel_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob(
            id="billing.prune_submissions",
            task=tasks.prune_submissions,
            description="delete one-time keys (API, admin, portal) past "
            "SETTLE_RETENTION_IDEMPOTENCY_HOURS",
            every=timedelta(hours=1),
        ),
        PeriodicJob(
            id="billing.prune_task_results",
            task=tasks.prune_task_results,
            description="delete finished task rows past SETTLE_RETENTION_TASK_RESULTS_DAYS",
            cron="40 3 * * *",
        ),
        PeriodicJob(
            id="billing.prune_sign_in_logs",
            task=tasks.prune_sign_in_logs,
            description="delete sign-in logs past SETTLE_RETENTION_SIGN_IN_LOGS_DAYS",
            cron="50 3 * * *",
        ),
    ]


JOBS = _kernel_jobs()
