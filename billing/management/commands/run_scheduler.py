"""`manage.py run_scheduler`: the clock of the periodic jobs (see billing.schedule).

It only queues tasks; `manage.py db_worker` runs them. Run one beside the
workers (`make worker` starts both); a second one by mistake does no harm.
"""

import signal

from django.core.management.base import BaseCommand

from billing.schedule import periodic_jobs, scheduler_build


class Command(BaseCommand):
    help = "Queue each periodic job's task on its schedule (reconcile, retries, pruning)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", help="print the jobs and their schedules, then exit"
        )

    def handle(self, *args, list: bool = False, **options):
        jobs = periodic_jobs()
        if list:
            for job in jobs:
                self.stdout.write(f"{job.id:<32} {job.when():<28} {job.description}")
            return
        scheduler = scheduler_build(jobs)
        # Set explicitly: a process started in the background by a shell ignores SIGINT.
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, lambda *_: scheduler.shutdown(wait=False))
        self.stdout.write(f"Scheduler: {len(jobs)} periodic jobs (`run_scheduler --list`).")
        scheduler.start()
        self.stdout.write("Scheduler stopped.")
