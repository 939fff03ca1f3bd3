"""Memory of the CSV exports: a worker's peak RSS while it streams 100,000 rows of each kind.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_exports \\
        .venv/bin/python -m bench.exports

Seeds (once, with COPY) one entity with 100,000 invoices, each with a payment, a refund of
part of it and a credit note, 100,000 balance movements and 100,000 audit events. One
gunicorn worker then serves a small export of every kind (a one-day period), then the
full export of each; if the exports stream, the peak after 100,000 rows is the peak
after a handful.
"""

import http.client
import json
import os
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

from django.db import connection  # noqa: E402

from bench.memory import worker_peak_kb  # noqa: E402
from bench.seed import copy_rows, seed  # noqa: E402
from bench.server import gunicorn  # noqa: E402
from billing.ids import new_id  # noqa: E402
from billing.models import AuditEvent, BalanceTransaction, Customer, Entity  # noqa: E402
from billing.services import api_key_create  # noqa: E402
from invoices.models import CreditNote  # noqa: E402
from payments.models import Payment, Refund  # noqa: E402

ROWS = 100_000
PORT = 8013
KINDS = ["payments", "refunds", "invoices", "credit-notes", "balance-transactions", "audit-events"]
RESULTS = Path(__file__).resolve().parent / "results"
START = datetime(2025, 1, 1, tzinfo=UTC)
REFUNDED = Decimal("0.01")


def seed_exports() -> dict:
    """100,000 rows of every kind in one entity, consistent with the stored totals."""
    counts = seed(invoices=ROWS, per_invoice=1, entities=1, customers_per_entity=1000)
    if Refund.objects.exists():
        return counts
    started = time.monotonic()
    payments = list(
        Payment.objects.order_by("created_at").values_list(
            "id", "entity_id", "invoice_id", "customer_id", "created_at"
        )
    )
    counts["refunds"] = copy_rows(
        Refund,
        (
            {
                "id": new_id("re"),
                "entity_id": entity_id,
                "payment_id": pk,
                "amount": REFUNDED,
                "currency": "EUR",
                "status": "succeeded",
                "destination": "original",
                "reason": "Rounding, refunded at the desk",
                "created_at": created + timedelta(hours=1),
                "updated_at": created + timedelta(hours=1),
            }
            for pk, entity_id, _invoice, _customer, created in payments
        ),
    )
    with connection.cursor() as cursor:  # the totals the refunds imply, as recompute would
        cursor.execute(f"UPDATE {Payment._meta.db_table} SET amount_refunded = %s", [REFUNDED])
        cursor.execute(
            "UPDATE invoices_invoice SET total_paid = total_paid - %s, "
            "total_due = total_due + %s, paid_in_full = false, status = 'partially_paid'",
            [REFUNDED, REFUNDED],
        )
    credited = set(CreditNote.objects.values_list("invoice_id", flat=True))
    extra = [row for row in payments if row[2] not in credited][: ROWS - len(credited)]
    counts["credit_notes"] = len(credited) + copy_rows(
        CreditNote,
        (
            {
                "id": new_id("cn"),
                "entity_id": entity_id,
                "customer_id": customer_id,
                "invoice_id": invoice_id,
                "number": f"CN-B-{n + 1:06d}",
                "status": "issued",
                "currency": "EUR",
                "date": created.date(),
                "reason": "Desk not available, one day",
                "total_net": Decimal("1.00"),
                "total": Decimal("1.00"),
                "total_remaining": Decimal("1.00"),
                "created_at": created,
                "updated_at": created,
            }
            for n, (_pk, entity_id, invoice_id, customer_id, created) in enumerate(extra)
        ),
    )
    entity = Entity.objects.get()
    customers = list(Customer.objects.values_list("id", flat=True))
    balances = dict.fromkeys(customers, Decimal("0"))

    def ledger_rows():
        for n in range(ROWS):
            customer = customers[n % len(customers)]
            balances[customer] += Decimal("2.50")
            yield {
                "id": new_id("cbt"),
                "entity_id": entity.pk,
                "customer_id": customer,
                "kind": "adjustment",
                "amount": Decimal("2.50"),
                "currency": "EUR",
                "balance_after": balances[customer],
                "reason": "Goodwill, a desk moved",
                "created_at": START + timedelta(minutes=n * 7),
            }

    counts["balance_transactions"] = copy_rows(BalanceTransaction, ledger_rows())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE billing_customer SET balance = 2.50 * "
            "(SELECT count(*) FROM billing_balancetransaction t WHERE t.customer_id = "
            "billing_customer.id)"
        )
    counts["audit_events"] = copy_rows(
        AuditEvent,
        (
            {
                "entity_id": entity.pk,
                "action": "payment.recorded",
                "source": "api",
                "actor_api_key_id": "key_bench",
                "actor_label": "API key bench",
                "object_type": "payment",
                "object_id": pk,
                "invoice_id": invoice_id,
                "customer_id": customer_id,
                "after": {"amount": "12.50", "status": "succeeded", "type": "bank_transfer"},
                "reason": "",
                "created_at": created,
            }
            for pk, _entity, invoice_id, customer_id, created in payments
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts["seconds_extra"] = round(time.monotonic() - started, 1)
    return counts


def export(kind: str, key: str, query: str = "") -> tuple[int, int, float]:
    """(rows, bytes, seconds) of one export read to its end."""
    client = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    started = time.monotonic()
    client.request(
        "GET", f"/api/v1/{kind}/export{query}", headers={"Authorization": f"Bearer {key}"}
    )
    response = client.getresponse()
    assert response.status == 200, (kind, response.status, response.read()[:500])
    rows, size = 0, 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        rows += chunk.count(b"\n")
    return rows - 1, size, time.monotonic() - started


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("bench.exports needs PostgreSQL (DATABASE_URL=postgres://…)")
    counts = seed_exports()
    counts.pop("api_key", None)  # the seed's own key; this run makes its own
    print("seeded:", counts)
    _, key = api_key_create(name="bench exports", entities=list(Entity.objects.all()))
    results = {"rows": ROWS, "kinds": {}}
    with gunicorn(os.environ["DATABASE_URL"], port=PORT, workers=1) as (_base, process):
        for kind in KINDS:
            export(kind, key, "?from=2025-01-01&to=2025-01-01")
        small = worker_peak_kb(process.pid)
        print(f"worker peak RSS after a one-day export of each kind: {small / 1024:.1f} MB")
        results["peak_mb_after_small"] = round(small / 1024, 1)
        for kind in KINDS:
            rows, size, seconds = export(kind, key)
            peak = worker_peak_kb(process.pid)
            results["kinds"][kind] = {
                "rows": rows,
                "mb": round(size / 1e6, 1),
                "seconds": round(seconds, 1),
                "peak_mb": round(peak / 1024, 1),
            }
            print(
                f"{kind:<22} {rows:>8,} rows {size / 1e6:6.1f} MB {seconds:5.1f} s "
                f"{rows / seconds:>8,.0f} rows/s  worker peak RSS {peak / 1024:.1f} MB"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "exports.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
