from django.core.management.base import BaseCommand

from payments.tasks import reconcile_pending_payments


class Command(BaseCommand):
    help = "Settle gateway charges and refunds stuck in pending by asking the gateway (for cron)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the sweep for the worker instead of running it here",
        )

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = reconcile_pending_payments.enqueue()
            self.stdout.write(f"Queued reconcile sweep {result.id}")
            return
        count = reconcile_pending_payments.call()
        self.stdout.write(f"Reconciled {count} pending gateway operations.")
