"""`manage.py deliver_webhooks`: the relay of outbound webhooks.

Changes write only their events (webhooks.outbox); this loop makes their deliveries and
sends them, within about `--interval` seconds. `make worker` and `make run` start it;
several may run side by side (each takes rows the others do not hold). Without it the
periodic sweep (`webhooks.deliveries`, every minute) still delivers everything, later.
"""

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from webhooks.delivery import deliveries_sweep
from webhooks.outbox import events_fan_out


class Command(BaseCommand):
    help = "Deliver outbound webhooks as their events are written, until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait when nothing is due"
        )

    def handle(self, *args, interval: float, **options):
        stopped = threading.Event()
        # Set explicitly: a process started in the background by a shell ignores SIGINT.
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, lambda *_: stopped.set())
        self.stdout.write(f"Delivering webhooks (every {interval:g} s when idle).")
        while not stopped.is_set():
            close_old_connections()
            fanned_out = events_fan_out()
            if not deliveries_sweep(limit=100) and not fanned_out:
                stopped.wait(interval)
        self.stdout.write("Webhook delivery stopped.")
