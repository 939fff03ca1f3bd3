"""`manage.py deliver_webhooks`: the relay of outbound webhooks.

Changes write only their events (webhooks.outbox); this loop makes their deliveries and
sends them, within about `--interval` seconds. `make worker` and `make run` start it;
several may run side by side (each takes rows the others do not hold). Without it the
periodic sweep (`webhooks.deliveries`, every minute) still delivers everything, later.
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connection

from webhooks.delivery import deliveries_sweep

logger = logging.getLogger("settle.webhooks")
# After an error, the relay waits this many intervals before it tries again.
BACKOFF_INTERVALS = 5


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
            stopped.wait(relay_once(interval))
        self.stdout.write("Webhook delivery stopped.")


def relay_once(interval: float) -> float:
    """One round: fan out new events and send what is due. Returns how long to wait next:
    nothing after a round with work, `interval` when idle, longer after an error (the
    database restarting, a bug on one row), which is logged and outlived: the relay never
    dies, and with it whatever `make worker` runs beside it."""
    try:
        sent = deliveries_sweep(limit=100)
    except Exception:
        logger.exception("webhook relay: a round failed; trying again shortly")
        connection.close()  # a broken connection is opened anew next round
        return interval * BACKOFF_INTERVALS
    return 0 if sent else interval
