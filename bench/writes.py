"""Writes: POST /api/v1/payments under load, against the database floor for the same work.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_writes \\
        .venv/bin/python -m bench.writes --seconds 20

Serves the app with gunicorn (as in production), drives it with wrk (bench/payment.lua:
external payments with an Idempotency-Key and metadata) at 2, 8 and 32 connections,
spread over 10,000 invoices and on one hot invoice, then runs pgbench with
bench/floor.sql (the same SQL without the application) at the same concurrency.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.database import prepare_database  # noqa: E402
from bench.seed import copy_rows  # noqa: E402
from bench.server import gunicorn  # noqa: E402
from billing.ids import new_id  # noqa: E402
from billing.models import Customer, Entity  # noqa: E402
from billing.services import api_key_create  # noqa: E402
from invoices.models import Invoice  # noqa: E402
from payments.services.drift import find_drift  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TOTAL = Decimal("1000000000.00")  # large enough that no run pays an invoice off


def seed_invoices(count: int) -> tuple[Entity, list[str]]:
    call_command("migrate", verbosity=0)
    entity = Entity.objects.filter(name="Bench Writes").first()
    if entity is not None:
        ids = list(
            Invoice.objects.filter(entity=entity).order_by("id").values_list("id", flat=True)
        )
        return entity, ids
    entity = Entity.objects.create(name="Bench Writes", default_currency="EUR")
    customers = [new_id("cus") for _ in range(200)]
    now = datetime.now(UTC)
    copy_rows(
        Customer,
        (
            {
                "id": pk,
                "entity_id": entity.pk,
                "name": f"Member {n}",
                "currency": "EUR",
                "created_at": now,
                "updated_at": now,
            }
            for n, pk in enumerate(customers)
        ),
    )
    ids = [new_id("inv") for _ in range(count)]
    copy_rows(
        Invoice,
        (
            {
                "id": pk,
                "entity_id": entity.pk,
                "customer_id": customers[n % 200],
                "kind": "invoice",
                "number": f"INV-2026-{n + 1:05d}",
                "status": "issued",
                "currency": "EUR",
                "date": now.date(),
                "total_net": TOTAL,
                "total": TOTAL,
                "total_due": TOTAL,
                "issued_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n, pk in enumerate(ids)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_invoice_map")
        cursor.execute("CREATE TABLE bench_invoice_map (n int PRIMARY KEY, invoice_id text)")
        cursor.execute(
            "INSERT INTO bench_invoice_map SELECT row_number() OVER (ORDER BY id), id "
            "FROM invoices_invoice WHERE entity_id = %s",
            [entity.pk],
        )
        cursor.execute("ANALYZE")
    return entity, sorted(ids)  # in id order, as bench_invoice_map numbers them


def statements_per_request(key: str, invoice_id: str) -> int:
    """SQL statements of one keyed payment, in the steady state (after the key's first use,
    which also records its last_used_at, once a minute)."""
    client = Client(headers={"Authorization": f"Bearer {key}"})
    body = {
        "invoice_id": invoice_id,
        "amount": 12.5,
        "type": "bank_transfer",
        "metadata": {"source": "bench"},
    }

    def post():
        response = client.post(
            "/api/v1/payments",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": new_id("k")},
        )
        assert response.status_code == 201, response.content

    post()
    with CaptureQueriesContext(connection) as captured:
        post()
    return len(captured.captured_queries)


def run_wrk(
    base: str, key: str, invoices_file: Path, connections: int, seconds: int, run: str
) -> dict:
    env = {**os.environ, "BENCH_KEY": key, "BENCH_INVOICES": str(invoices_file), "BENCH_RUN": run}
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / "payment.lua"),
            base,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = json.loads(output.split("JSON ", 1)[1].splitlines()[0])
    figures["rps"] = round(figures["requests"] / figures["seconds"], 1)
    return figures


def run_pgbench(
    database: str, connections: int, seconds: int, invoices: int, offset: int = 0
) -> dict:
    """pgbench over invoices offset+1 … offset+invoices (their order by id) for `seconds`."""
    output = subprocess.run(
        [
            "pgbench",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-n",
            "-f",
            str(HERE / "floor.sql"),
            "-c",
            str(connections),
            "-j",
            "2",
            "-T",
            str(seconds),
            "-D",
            f"invoices={invoices}",
            "-D",
            f"offset={offset}",
            database,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", output).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", output).group(1))
    return {"tps": round(tps, 1), "latency_avg_ms": latency}


def peak_rss_kb(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)))
    return max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", default="2,8,32")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench.writes needs PostgreSQL (BENCH_DATABASE_URL=postgres://…)")
    # Each run starts empty: its figures must not depend on what earlier runs left.
    prepare_database(os.environ["DATABASE_URL"], fresh=True)
    entity, invoices = seed_invoices(args.invoices)
    _key, key = api_key_create(name="bench writes", entities=[entity])
    RESULTS.mkdir(exist_ok=True)
    spread = RESULTS / "invoices-spread.txt"
    spread.write_text("\n".join(invoices) + "\n")
    database = connection.settings_dict["NAME"]
    results = {
        "workers": args.workers,
        "seconds": args.seconds,
        "statements_per_request": statements_per_request(key, invoices[-1]),
        "app": {},
        "floor": {},
    }
    connection.close()
    with gunicorn(os.environ["DATABASE_URL"], workers=args.workers) as (base, process):
        for name in ("spread", "hot"):
            for n, conns in enumerate(int(c) for c in args.connections.split(",")):
                invoices_file = spread
                if name == "hot":  # a new hot invoice per run: no payments from the run before
                    invoices_file = RESULTS / "invoices-hot.txt"
                    invoices_file.write_text(invoices[n] + "\n")
                run = f"{name}-{conns}-{int(time.time())}"
                results["app"][f"{name} c={conns}"] = run_wrk(
                    base, key, invoices_file, conns, args.seconds, run
                )
        results["peak_worker_rss_mb"] = round(peak_rss_kb(process.pid) / 1024, 1)
    results["drift"] = [str(d) for d in find_drift()]  # before the floor adds its raw rows
    levels = [int(c) for c in args.connections.split(",")]
    for conns in levels:
        results["floor"][f"spread c={conns}"] = run_pgbench(
            database, conns, args.seconds, len(invoices)
        )
    for n, conns in enumerate(levels):  # hot: invoices the app's hot runs did not touch
        results["floor"][f"hot c={conns}"] = run_pgbench(
            database, conns, args.seconds, 1, offset=len(levels) + n
        )
    (RESULTS / "writes.json").write_text(json.dumps(results, indent=2))
    print(
        f"gunicorn: {args.workers} sync workers; {results['statements_per_request']} SQL "
        f"statements per request; peak worker RSS {results['peak_worker_rss_mb']} MB; "
        f"drift after the run: {len(results['drift'])}"
    )
    print("| case | app req/s | p50 ms | p99 ms | non-2xx | floor tps | app/floor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for case, app in results["app"].items():
        floor = results["floor"][case]
        ratio = app["rps"] / floor["tps"] if floor["tps"] else 0
        print(
            f"| {case} | {app['rps']} | {app['p50_ms']} | {app['p99_ms']} | "
            f"{app['non_2xx'] + app['errors']} | {floor['tps']} | {ratio:.1%} |"
        )


if __name__ == "__main__":
    main()
