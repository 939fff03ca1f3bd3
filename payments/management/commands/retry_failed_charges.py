from django.core.management.base import BaseCommand

from payments.services.retries import retry_sweep_due


class Command(BaseCommand):
    help = (
        "Run the automatic retries of failed charges that are due. Each retry is also queued "
        "for the worker at its due time; this sweep catches any the queue lost (cron-safe)."
    )

    def handle(self, *args, **options):
        outcomes = retry_sweep_due()
        self.stdout.write(f"Ran {len(outcomes)} due charge retries.")
        for outcome in sorted(set(outcomes)):
            self.stdout.write(f"  {outcome}: {outcomes.count(outcome)}")
