"""PDF rendering: a 200-line invoice rendered 10 times, median and slowest.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_pdf .venv/bin/python -m bench.pdf

Migrates the database (created when missing), issues one invoice of 200 lines (a few with
long descriptions, two tax rates, a discount, a payment and a credit note on it), then times
`document_pdf_render` — template and WeasyPrint, nothing stored — after one warm-up render.
Reports wall time and the process's CPU time (the machine is shared). The goal: a median
under 1 s.
"""

import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from bench.database import prepare_database

prepare_database(os.environ["DATABASE_URL"])
django.setup()

from django.core.management import call_command  # noqa: E402

from billing.actors import Actor  # noqa: E402
from billing.models import Customer, Entity  # noqa: E402
from invoices.services import invoice_create  # noqa: E402
from payments.documents import document_pdf_render  # noqa: E402
from payments.services import credit_note_issue, invoice_issue, payment_record  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
LINES, RUNS, GOAL_S = 200, 10, 1.0
LONG = " — on-site workshop, preparation, travel and a written summary for the team" * 3


def bench_invoice():
    actor = Actor.system("bench")
    entity = Entity.objects.create(
        name="Bench PDF GmbH",
        legal_name="Bench PDF GmbH",
        address="Hauptstraße 1\n10115 Berlin\nGermany",
        vat_id="DE123456789",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        invoice_footer="Bench PDF GmbH · Berlin HRB 12345 · Managing director: Ada Lovelace",
    )
    customer = Customer.objects.create(
        entity=entity,
        name="Customer AG",
        address="Ring 5\n1010 Wien",
        tax_id="ATU12345678",
        currency="EUR",
    )
    items = [
        {
            "name": f"Consulting, item {i}" + (LONG if i % 25 == 0 else ""),
            "quantity": Decimal("1.5"),
            "price": Decimal("120.00"),
            "tax_rate": Decimal("19") if i % 3 else Decimal("7"),
            "discount_percent": Decimal("10") if i % 50 == 0 else Decimal("0"),
        }
        for i in range(LINES)
    ]
    draft = invoice_create(entity=entity, customer=customer, actor=actor, items=items)
    invoice = invoice_issue(invoice=draft, actor=actor)
    payment_record(
        entity=entity,
        actor=actor,
        amount=Decimal("500.00"),
        type="bank_transfer",
        invoice_id=invoice.pk,
        reference="SEPA 2026-12",
    )
    credit_note_issue(
        entity=entity,
        invoice_id=invoice.pk,
        actor=actor,
        reason="Goodwill",
        amount=Decimal("50.00"),
        allocations=[{"type": "invoice", "amount": "50.00"}],
    )
    invoice.refresh_from_db()
    return invoice


def main() -> None:
    call_command("migrate", verbosity=0)
    invoice = bench_invoice()
    pdf = document_pdf_render(invoice)  # warm-up: fonts, templates
    walls, cpus = [], []
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        document_pdf_render(invoice)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    result = {
        "lines": LINES,
        "runs": RUNS,
        "bytes": len(pdf),
        "median_s": round(statistics.median(walls), 3),
        "slowest_s": round(max(walls), 3),
        "median_cpu_s": round(statistics.median(cpus), 3),
        "under_goal": statistics.median(walls) < GOAL_S,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pdf.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "pdf-200-lines.pdf").write_bytes(pdf)
    print(f"| {LINES}-line invoice | median s | slowest s | median CPU s | under {GOAL_S:g} s |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| render ({len(pdf):,} bytes) | {result['median_s']} | {result['slowest_s']} "
        f"| {result['median_cpu_s']} | {'yes' if result['under_goal'] else 'no'} |"
    )


if __name__ == "__main__":
    main()
