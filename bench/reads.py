"""Reads at scale: latency of the payment list endpoints over a million payments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench .venv/bin/python -m bench.reads

Seeds the database first if it is empty (bench.seed), serves the app with gunicorn
(2 sync workers, one per core), then times each request sequentially over HTTP with a
keep-alive connection and reports median and p99; finally prints the PostgreSQL plan
of every query each endpoint runs (from the same code path, in process) and checks it
uses an index.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from bench.database import prepare_database

prepare_database(os.environ["DATABASE_URL"])
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.seed import seed  # noqa: E402
from bench.server import gunicorn  # noqa: E402
from billing.models import Entity  # noqa: E402
from billing.services import api_key_create  # noqa: E402
from payments.models import Payment  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
FILTER = {
    "date": {"between": ["2025-06-01", "2025-06-30"]},
    "amount": {"gte": 1500},
    "metadata.source": "pos",
}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Http:
    def __init__(self, base: str, key: str, entity: str):
        parsed = urllib.parse.urlparse(base)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        self.headers = {"Authorization": f"Bearer {key}", "x-entity-id": entity}

    def get(self, path: str, params: dict | None = None) -> tuple[int, dict, float]:
        url = f"/api/v1/{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        started = time.perf_counter()
        self.connection.request("GET", url, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, json.loads(body), elapsed


def scenarios(http: Http, sample_ids: list[str], search_term: str) -> dict:
    """Each scenario: (path, params). Page 5,000 is reached by walking the cursors."""
    cursor = None
    for _ in range(4999):
        params = {"include_total_count": "false"}
        if cursor:
            params["next_cursor"] = cursor
        status, body, _ = http.get("payments", params)
        assert status == 200, body
        if not body["pagination"]["next_cursor"]:
            break  # a small database: the deepest page there is
        cursor = body["pagination"]["next_cursor"]
    return {
        "retrieve": [(f"payments/{pk}", None) for pk in sample_ids],
        "list page 1": [("payments", {"include_total_count": "false"})],
        "list page 1 with total": [("payments", {})],
        "list page 5,000 (cursor)": [
            ("payments", {"include_total_count": "false", "next_cursor": cursor})
        ],
        "query: date between + amount gte + metadata": [
            ("payments", {"include_total_count": "false", "query": json.dumps(FILTER)})
        ],
        "search: reference substring": [
            ("payments", {"include_total_count": "false", "search": search_term})
        ],
        "include=Invoice (page of 10)": [
            ("payments", {"include_total_count": "false", "include": "Invoice"})
        ],
    }


def measure(http: Http, requests: list, repeat: int) -> dict:
    samples = []
    for index in range(repeat):
        path, params = requests[index % len(requests)]
        status, body, elapsed = http.get(path, params)
        assert status == 200, body
        samples.append(elapsed)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p99_ms": round(percentile(samples, 0.99), 2),
        "requests": len(samples),
        "rows": len(body.get("data", [body])),
    }


def plans(key: str, entity: str, requests: dict) -> dict:
    """EXPLAIN ANALYZE every SELECT the endpoint runs, through the same view code."""
    client = Client(headers={"Authorization": f"Bearer {key}", "x-entity-id": entity})
    report = {}
    for name, calls in requests.items():
        path, params = calls[0]
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/{path}", params or {})
        assert response.status_code == 200
        explained = []
        for query in captured.captured_queries:
            sql = query["sql"]
            reads_documents = "payments_payment" in sql or "invoices_invoice" in sql
            if not sql.lstrip().upper().startswith("SELECT") or not reads_documents:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            explained.append(
                {
                    "sql": sql[:300],
                    "plan": plan,
                    "uses_index": "Index" in plan,
                    "seq_scan_on_payments": "Seq Scan on payments_payment" in plan,
                }
            )
        report[name] = explained
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--payments-per-invoice", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench.reads needs PostgreSQL (DATABASE_URL=postgres://…)")
    seeded = seed(args.invoices, args.payments_per_invoice, 2, 1000)
    entity = Entity.objects.order_by("created_at", "id").first()
    _, key = api_key_create(name="bench reads", entities=list(Entity.objects.all()))
    sample = list(
        Payment.objects.filter(entity=entity).order_by("?").values_list("id", flat=True)[:500]
    )
    in_entity = Payment.objects.filter(entity=entity).order_by("id")
    reference = in_entity[in_entity.count() // 3].reference
    search_term = reference[4:19].lower()  # e.g. "20250301-000123": a substring, mixed case
    total = Payment.objects.count()
    url = os.environ["DATABASE_URL"]
    results = {
        "payments": total,
        "entity_payments": Payment.objects.filter(entity=entity).count(),
        "seed": seeded,
        "search_term": search_term,
        "scenarios": {},
    }
    with gunicorn(url) as (base, _process):
        http = Http(base, key, entity.pk)
        requests = scenarios(http, sample, search_term)
        for name, calls in requests.items():
            measure(http, calls, 20)  # warm up
            results["scenarios"][name] = measure(http, calls, args.repeat)
    results["plans"] = plans(key, entity.pk, requests)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reads.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"{total:,} payments ({results['entity_payments']:,} in the entity measured)")
    print("| request | median ms | p99 ms | rows | plan uses an index |")
    print("|---|---:|---:|---:|---|")
    for name, figures in results["scenarios"].items():
        explained = results["plans"][name]
        indexed = all(q["uses_index"] and not q["seq_scan_on_payments"] for q in explained)
        print(
            f"| {name} | {figures['median_ms']} | {figures['p99_ms']} | {figures['rows']} "
            f"| {'yes' if indexed else 'NO'} |"
        )


if __name__ == "__main__":
    main()
