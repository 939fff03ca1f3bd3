"""Aged receivables over 100,000 invoices: the report's query, as of today and as of past
dates, median and slowest of 10 runs after a warm-up.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_aged \\
        .venv/bin/python -m bench.aged_receivables

Seeds its own database when empty, with COPY (`bench.seed.copy_rows`), consistent with the
services' rules: 100,000 issued final invoices of one entity over two years (2,000 customers,
one in twenty in USD), each paid in full, in part or not at all by one or two payments
dated after it, a refund now and then, so that every past `as_of` has rows to put back.
A second entity's 20,000 invoices stand beside them. Then prints `EXPLAIN ANALYZE` of the
query as of today. The goal: a median under 500 ms.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from bench.database import prepare_database

prepare_database(os.environ["DATABASE_URL"])
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.seed import copy_rows  # noqa: E402
from billing.ids import new_id  # noqa: E402
from billing.models import Customer, Entity  # noqa: E402
from invoices.models import Invoice  # noqa: E402
from payments.models import Payment, Refund  # noqa: E402
from payments.reports.aged_receivables import aged_receivables, aging_query  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
RUNS, GOAL_MS = 10, 500
TYPES = ["bank_transfer", "bank_transfer", "card", "cash", "customer_balance"]


def seed_entity(name: str, invoices: int, customers: int, rng: random.Random) -> Entity:
    entity = Entity.objects.create(name=name, default_currency="EUR")
    people = [(new_id("cus"), "USD" if n % 20 == 0 else "EUR") for n in range(customers)]
    today = timezone.localdate()
    start = today - timedelta(days=730)
    stamp = datetime(start.year, start.month, start.day, tzinfo=UTC)
    copy_rows(
        Customer,
        (
            {
                "id": pk,
                "entity_id": entity.pk,
                "name": f"Customer {n:05d}",
                "email": f"customer{n}@example.com",
                "currency": currency,
                "created_at": stamp,
                "updated_at": stamp,
            }
            for n, (pk, currency) in enumerate(people)
        ),
    )
    invoice_rows, payment_rows, refund_rows = [], [], []
    now = timezone.now()
    for n in range(invoices):
        customer, currency = people[rng.randrange(customers)]
        day = start + timedelta(days=rng.randrange(730))
        total = Decimal(rng.randint(1_000, 500_000)) / 100
        share = rng.random()
        parts = (
            []
            if share < 0.15
            else [total]
            if share < 0.75
            else [(total / 3).quantize(Decimal("0.01"))]
        )
        if parts and rng.random() < 0.3:  # paid in two goes
            first = (parts[0] / 2).quantize(Decimal("0.01"))
            parts = [first, parts[0] - first]
        pk = new_id("inv")
        paid = Decimal(0)
        for k, amount in enumerate(parts):
            paid_on = min(day + timedelta(days=rng.randrange(5, 90)), today)
            created = datetime(paid_on.year, paid_on.month, paid_on.day, 10, tzinfo=UTC)
            payment_id = new_id("pmt")
            refunded = Decimal(0)
            if rng.random() < 0.02:
                refunded = (amount / 4).quantize(Decimal("0.01"))
                refund_rows.append(
                    {
                        "id": new_id("re"),
                        "entity_id": entity.pk,
                        "payment_id": payment_id,
                        "amount": refunded,
                        "currency": currency,
                        "status": "succeeded",
                        "reason": "Overcharged",
                        "created_at": min(created + timedelta(days=7), now),
                        "updated_at": min(created + timedelta(days=7), now),
                    }
                )
            paid += amount - refunded
            payment_rows.append(
                {
                    "id": payment_id,
                    "entity_id": entity.pk,
                    "customer_id": customer,
                    "invoice_id": pk,
                    "type": TYPES[(n + k) % len(TYPES)],
                    "status": "succeeded",
                    "amount": amount,
                    "amount_refunded": refunded,
                    "currency": currency,
                    "date": paid_on,
                    "search_text": payment_id,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        due = total - paid
        issued = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        invoice_rows.append(
            {
                "id": pk,
                "entity_id": entity.pk,
                "customer_id": customer,
                "kind": "invoice",
                "number": f"INV-{day.year}-{n + 1:06d}",
                "status": "paid" if due <= 0 else "partially_paid" if paid else "issued",
                "currency": currency,
                "date": day,
                "due_date": day + timedelta(days=30),
                "total_net": total,
                "total": total,
                "total_paid": paid,
                "total_due": due,
                "paid_in_full": due <= 0,
                "issued_at": issued,
                "created_at": issued,
                "updated_at": issued,
            }
        )
    copy_rows(Invoice, invoice_rows)
    copy_rows(Payment, payment_rows)
    copy_rows(Refund, refund_rows)
    return entity


def seed(invoices: int) -> Entity:
    call_command("migrate", verbosity=0)
    measured = Entity.objects.filter(name="Bench Aged").first()
    if measured is not None:
        return measured
    started = time.monotonic()
    rng = random.Random(20261203)
    measured = seed_entity("Bench Aged", invoices, 2_000, rng)
    seed_entity("Bench Aged Neighbour", invoices // 5, 400, rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded {invoices:,} invoices in {time.monotonic() - started:.1f} s")
    return measured


def timed(entity: Entity, as_of) -> tuple[list[float], dict]:
    reports = aged_receivables(entity_id=entity.pk, as_of=as_of)  # warm-up
    walls = []
    for _ in range(RUNS):
        started = time.perf_counter()
        reports = aged_receivables(entity_id=entity.pk, as_of=as_of)
        walls.append((time.perf_counter() - started) * 1000)
    return walls, reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench.aged_receivables needs PostgreSQL (DATABASE_URL=postgres://…)")
    entity = seed(args.invoices)
    today = timezone.localdate()
    count = Invoice.objects.filter(entity=entity).count()
    cases = [("today", today), ("90 days ago", today - timedelta(days=90))]
    cases.append(("one year ago", today - timedelta(days=365)))
    results = []
    print(
        f"| as of ({count:,} invoices) | open | customers | median ms | slowest ms | under {GOAL_MS} ms |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for label, as_of in cases:
        walls, reports = timed(entity, as_of)
        eur = reports.get("EUR")
        median = statistics.median(walls)
        results.append(
            {
                "as_of": as_of.isoformat(),
                "label": label,
                "open_invoices": sum(r.invoice_count for r in reports.values()),
                "customers": sum(len(r.customers) for r in reports.values()),
                "eur_total": str(eur.total if eur else 0),
                "median_ms": round(median, 1),
                "slowest_ms": round(max(walls), 1),
                "under_goal": median < GOAL_MS,
            }
        )
        row = results[-1]
        print(
            f"| {label} | {row['open_invoices']:,} | {row['customers']:,} | {row['median_ms']} "
            f"| {row['slowest_ms']} | {'yes' if row['under_goal'] else 'no'} |"
        )
    sql, params = aging_query(entity.pk, today)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "aged_receivables.json").write_text(json.dumps(results, indent=2))
    print("\nEXPLAIN ANALYZE (as of today):\n" + plan)


if __name__ == "__main__":
    main()
