"""Seed a benchmark database fast: rows go in with PostgreSQL's COPY, consistent with the
services' rules (each invoice's totals equal its payments), so `check_totals` stays clean.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench \\
        .venv/bin/python -m bench.seed --invoices 100000 --payments-per-invoice 10
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from bench.database import prepare_database

prepare_database(os.environ["DATABASE_URL"])
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, models  # noqa: E402

from billing.ids import new_id  # noqa: E402
from billing.models import Customer, Entity  # noqa: E402
from billing.services import api_key_create  # noqa: E402
from invoices.models import CreditNote, Invoice, InvoiceLine  # noqa: E402
from payments.models import Payment  # noqa: E402

SOURCES = ["web_app", "pos", "bank_feed", "import"]
TYPES = ["cash", "bank_transfer", "check", "card", "other"]
START = datetime(2025, 1, 1, tzinfo=UTC)
CREDIT_NOTE_EVERY = 10  # 10,000 credit notes over 100,000 invoices
CREDIT_REASONS = ["Discount agreed after issue", "Desk not available", "Billed twice"]


def copy_rows(model, rows) -> int:
    """COPY dicts into the model's table; missing columns take the field's default."""
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                values = []
                for field in fields:
                    value = row[field.attname] if field.attname in row else field.get_default()
                    values.append(field.get_db_prep_save(value, connection))
                copy.write_row(values)
                count += 1
    return count


def seed(invoices: int, per_invoice: int, entities: int, customers_per_entity: int) -> dict:
    rng = random.Random(20261121)
    call_command("migrate", verbosity=0)
    if Payment.objects.exists():
        print("already seeded:", Payment.objects.count(), "payments")
        # A database seeded before credit notes were part of the data gets them now.
        return {"credit_notes": seed_credit_notes()} if not CreditNote.objects.exists() else {}
    started = time.monotonic()
    entity_rows = [
        Entity.objects.create(name=f"Bench Entity {n}", default_currency="EUR")
        for n in range(entities)
    ]
    customer_ids = {entity.pk: [] for entity in entity_rows}

    def customer_rows():
        for entity in entity_rows:
            for n in range(customers_per_entity):
                pk = new_id("cus")
                customer_ids[entity.pk].append(pk)
                yield {
                    "id": pk,
                    "entity_id": entity.pk,
                    "name": f"Member {n:05d}",
                    "email": f"member{n}@example.com",
                    "currency": "EUR",
                    "created_at": START,
                    "updated_at": START,
                }

    copy_rows(Customer, customer_rows())
    plan = []  # (invoice id, entity id, customer id, issue date, [payments])
    for n in range(invoices):
        entity = entity_rows[n % entities]
        customer = rng.choice(customer_ids[entity.pk])
        issued = START + timedelta(minutes=n * 7)
        amounts = [Decimal(rng.randint(100, 200000)) / 100 for _ in range(per_invoice)]
        paid = sum(amounts, Decimal("0"))
        total = paid + (Decimal(rng.randint(1, 50000)) / 100 if n % 3 == 0 else 0)
        plan.append((new_id("inv"), entity.pk, customer, issued, amounts, n, total))

    def invoice_rows():
        for pk, entity_id, customer_id, issued, amounts, n, total in plan:
            paid = sum(amounts, Decimal("0"))
            yield {
                "id": pk,
                "entity_id": entity_id,
                "customer_id": customer_id,
                "kind": "invoice",
                "number": f"INV-{issued.year}-{n + 1:06d}",
                "status": "paid" if total == paid else "partially_paid",
                "currency": "EUR",
                "date": issued.date(),
                "due_date": issued.date() + timedelta(days=30),
                "total_net": total,
                "total": total,
                "total_paid": paid,
                "total_due": total - paid,
                "paid_in_full": total == paid,
                "issued_at": issued,
                "created_at": issued,
                "updated_at": issued,
            }

    def line_rows():
        for pk, *_rest, total in plan:
            yield {
                "invoice_id": pk,
                "position": 0,
                "name": "Desk rental",
                "quantity": 1,
                "unit_price": total,
                "tax_rate": 0,
                "amount": total,
                "tax_amount": 0,
                "total": total,
            }

    def payment_rows():
        for pk, entity_id, customer_id, issued, amounts, n, _total in plan:
            for k, amount in enumerate(amounts):
                created = issued + timedelta(hours=k * 5, seconds=n % 60)
                source = SOURCES[(n + k) % len(SOURCES)]
                metadata = {"source": source, "desk": f"D{(n * 7 + k) % 500:03d}"}
                reference = f"TXN-{created:%Y%m%d}-{n:06d}-{k:02d}"
                payment_id = new_id("pmt")
                note = "Paid at the front desk" if k == 0 and n % 50 == 0 else None
                search = "\n".join(
                    p for p in (payment_id, reference, note, *metadata.values()) if p
                )
                yield {
                    "id": payment_id,
                    "entity_id": entity_id,
                    "customer_id": customer_id,
                    "invoice_id": pk,
                    "type": TYPES[(n + k) % len(TYPES)],
                    "status": "succeeded",
                    "amount": amount,
                    "currency": "EUR",
                    "date": created.date(),
                    "reference": reference,
                    "note": note,
                    "metadata": metadata,
                    "search_text": search,
                    "created_at": created,
                    "updated_at": created,
                }

    counts = {
        "invoices": copy_rows(Invoice, invoice_rows()),
        "lines": copy_rows(InvoiceLine, line_rows()),
        "payments": copy_rows(Payment, payment_rows()),
    }
    counts["credit_notes"] = seed_credit_notes()
    with connection.cursor() as cursor:
        # As autovacuum would leave the tables: statistics, and the visibility map that
        # index-only scans rely on.
        cursor.execute("VACUUM ANALYZE")
    _key, raw = api_key_create(name="bench", entities=entity_rows)
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["api_key"] = raw
    counts["entity"] = entity_rows[0].pk
    return counts


def seed_credit_notes(every: int = CREDIT_NOTE_EVERY) -> int:
    """One issued credit note (a void one now and then) for every `every`-th invoice.

    None is applied yet (`total_applied` 0, `total_remaining` its total), so no invoice's
    totals change.
    """
    invoices = Invoice.objects.filter(kind="invoice").order_by("date", "id")
    # Read before the COPY starts: the connection serves one statement at a time.
    rows = list(
        invoices.values_list("id", "entity_id", "customer_id", "date", "total", "currency")
    )[::every]

    def credit_note_rows():
        for n, (pk, entity_id, customer_id, day, total, currency) in enumerate(rows):
            credited = min(total, Decimal(10 + n % 90))
            created = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            yield {
                "id": new_id("cn"),
                "entity_id": entity_id,
                "customer_id": customer_id,
                "invoice_id": pk,
                "number": f"CN-{day.year}-{n + 1:06d}",
                "status": "void" if n % 25 == 0 else "issued",
                "currency": currency,
                "date": day,
                "reason": CREDIT_REASONS[n % len(CREDIT_REASONS)],
                "total_net": credited,
                "total": credited,
                "total_remaining": credited,
                "created_at": created,
                "updated_at": created,
            }

    count = copy_rows(CreditNote, credit_note_rows())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {CreditNote._meta.db_table}")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--payments-per-invoice", type=int, default=10)
    parser.add_argument("--entities", type=int, default=2)
    parser.add_argument("--customers-per-entity", type=int, default=1000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench.seed needs PostgreSQL (DATABASE_URL=postgres://…)")
    print(seed(args.invoices, args.payments_per_invoice, args.entities, args.customers_per_entity))


if __name__ == "__main__":
    main()
