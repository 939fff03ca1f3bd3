"""Outbound webhooks: what the outbox costs a payment, and how fast the worker delivers.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_webhooks \\
        .venv/bin/python -m bench.webhooks --payments 2000 --events 10000

1. Records `--payments` external payments through the service with no endpoint, then
   with three endpoints subscribed to every event, in alternating blocks, and compares
   the throughput. A payment's transaction writes its events either way; the worker
   makes the deliveries afterwards.
2. Writes `--events` events for one endpoint pointing at a local receiver and runs the
   worker's sweeps (fan out the events, claim, POST, record) in `--workers` processes at
   once, until every event is delivered (after a warm-up of 1,000 and an ANALYZE, so the
   planner knows the tables as in production); then prunes, to show the outbox is bounded.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SETTLE_WEBHOOKS_ALLOW_PRIVATE", "1")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.database import prepare_database  # noqa: E402
from billing.actors import Actor  # noqa: E402
from billing.models import Customer, Entity  # noqa: E402
from billing.retention import delete_in_batches  # noqa: E402
from invoices.models import Invoice  # noqa: E402
from invoices.services.authoring import invoice_create  # noqa: E402
from payments.services import payment_record  # noqa: E402
from payments.services.issuing import invoice_issue  # noqa: E402
from webhooks.delivery import deliveries_sweep  # noqa: E402
from webhooks.models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint  # noqa: E402
from webhooks.outbox import event_write  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ACTOR = Actor.system("bench")
TOTAL = Decimal("1000000000.00")  # no run pays an invoice off


RECEIVER = """
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def receiver() -> tuple[str, subprocess.Popen]:
    """A receiver in its own process (answering 204), so it takes no time from the worker."""
    process = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    return f"http://127.0.0.1:{port}/hooks", process


def fresh_entity(name: str) -> tuple[Entity, Invoice]:
    entity = Entity.objects.create(name=name, default_currency="EUR")
    customer = Customer.objects.create(entity=entity, name="Bench customer", currency="EUR")
    draft = invoice_create(
        entity=entity,
        customer=customer,
        actor=ACTOR,
        kind="invoice",
        currency="EUR",
        items=[{"name": "Bench", "quantity": 1, "price": TOTAL}],
    )
    return entity, invoice_issue(invoice=draft, actor=ACTOR, apply_balance=False)


def record_rate(entity: Entity, invoice: Invoice, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        payment_record(
            entity=entity, actor=ACTOR, amount=Decimal("1.00"), type="cash", invoice_id=invoice.pk
        )
    return count / (time.perf_counter() - started)


def bench_recording(count: int, url: str) -> dict:
    bare, bare_invoice = fresh_entity("Bench webhooks: none")
    hooked, hooked_invoice = fresh_entity("Bench webhooks: three")
    for _ in range(3):
        WebhookEndpoint.objects.create(
            entity=hooked, url=url, enabled_events=["*"], secret="whsec_bench", enabled=True
        )
    record_rate(bare, bare_invoice, 50)  # warm up
    record_rate(hooked, hooked_invoice, 50)
    # Alternate blocks of 50, so that a busy machine slows both sides alike.
    seconds = {"without": 0.0, "with": 0.0}
    for _ in range(max(1, count // 50)):
        seconds["without"] += 50 / record_rate(bare, bare_invoice, 50)
        seconds["with"] += 50 / record_rate(hooked, hooked_invoice, 50)
    done = max(1, count // 50) * 50
    without, with_three = done / seconds["without"], done / seconds["with"]
    # Their events are not part of the delivery benchmark.
    Event.objects.filter(entity=hooked).update(fanned_out=True)
    WebhookEndpoint.objects.filter(entity=hooked).delete()
    return {
        "payments": done,
        "per_second_without_endpoints": round(without, 1),
        "per_second_with_three_endpoints": round(with_three, 1),
        "slowdown_percent": round((1 - with_three / without) * 100, 1),
    }


def _work(entity_id: str) -> None:
    """One worker process: sweep until every event of the entity is fanned out and
    nothing of it is pending."""
    new = Event.objects.filter(entity_id=entity_id, fanned_out=False)
    pending = WebhookDelivery.objects.filter(
        endpoint__entity_id=entity_id, status=DeliveryStatus.PENDING
    )
    while new.exists() or pending.exists():
        deliveries_sweep(limit=100)


WARM_UP_EVENTS = 1000


def _write_events(entity, invoice, count: int) -> None:
    for start in range(0, count, 500):
        with transaction.atomic():
            for _ in range(min(500, count - start)):
                event_write(entity_id=entity.pk, type="invoice.issued", obj=invoice)


def _deliver(entity, processes: int) -> float:
    """Run `processes` workers until the entity's events are delivered; the seconds taken."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "bench.webhooks", "--work", entity.pk]
    workers = [subprocess.Popen(command) for _ in range(processes)]
    for worker in workers:
        worker.wait()
    return time.perf_counter() - started


def bench_delivery(count: int, url: str, processes: int) -> dict:
    entity, invoice = fresh_entity("Bench webhooks: delivery")
    WebhookEndpoint.objects.create(
        entity=entity, url=url, enabled_events=["*"], secret="whsec_bench"
    )
    # A warm-up, then statistics as autovacuum keeps them in production: the planner of a
    # table it has never seen would scan it for every claim.
    _write_events(entity, invoice, WARM_UP_EVENTS)
    _deliver(entity, processes)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE webhooks_event, webhooks_webhookdelivery")
    delivered_before = WebhookDelivery.objects.filter(
        endpoint__entity=entity, status=DeliveryStatus.SUCCEEDED
    ).count()

    _write_events(entity, invoice, count)
    seconds = _deliver(entity, processes)
    succeeded = (
        WebhookDelivery.objects.filter(
            endpoint__entity=entity, status=DeliveryStatus.SUCCEEDED
        ).count()
        - delivered_before
    )
    pruned = delete_in_batches(Event.objects.filter(entity=entity))
    return {
        "events": count,
        "worker_processes": processes,
        "seconds": round(seconds, 1),
        "per_second": round(count / seconds, 1),
        "succeeded": succeeded,
        "rows_pruned": pruned,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=4, help="worker processes")
    parser.add_argument("--work", help=argparse.SUPPRESS)  # one worker process's sweeps
    args = parser.parse_args()
    if args.work:
        _work(args.work)
        return
    database_url = os.environ["DATABASE_URL"]
    prepare_database(database_url, fresh=True)  # each run from an empty outbox
    call_command("migrate", verbosity=0)
    url, receiving = receiver()
    try:
        results = {
            "recording": bench_recording(args.payments, url),
            "delivery": bench_delivery(args.events, url, args.workers),
        }
    finally:
        receiving.terminate()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "webhooks.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
