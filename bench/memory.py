"""Memory: a worker's peak RSS while it streams the CSV export of every payment.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench .venv/bin/python -m bench.memory

Run after bench.reads has seeded the database. One gunicorn worker serves a
small export, then the full one (every payment of both entities, through a key
bound to each entity in turn); if streaming works, the peak does not grow with
the row count.
"""

import http.client
import os
import re
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from bench.database import prepare_database

prepare_database(os.environ["DATABASE_URL"])
django.setup()

from bench.server import gunicorn  # noqa: E402
from billing.models import Entity  # noqa: E402
from billing.services import api_key_create  # noqa: E402


def worker_peak_kb(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return max(
        int(re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))
        for pid in children
    )


def export(port: int, key: str, entity: str, query: str = "") -> tuple[int, int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.monotonic()
    connection.request(
        "GET",
        f"/api/v1/payments/export{query}",
        headers={"Authorization": f"Bearer {key}", "x-entity-id": entity},
    )
    response = connection.getresponse()
    rows, size = 0, 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        rows += chunk.count(b"\n")
    return rows - 1, size, time.monotonic() - started


def main() -> None:
    entities = list(Entity.objects.order_by("created_at"))
    _, key = api_key_create(name="bench memory", entities=entities)
    with gunicorn(os.environ["DATABASE_URL"], port=8012, workers=1) as (_base, process):
        small = export(8012, key, entities[0].pk, '?query={"amount":{"gte":1999}}')
        after_small = worker_peak_kb(process.pid)
        rows = 0
        for entity in entities:
            count, size, seconds = export(8012, key, entity.pk)
            rows += count
            print(f"exported {count:,} rows ({size / 1e6:.1f} MB) in {seconds:.1f} s")
        after_full = worker_peak_kb(process.pid)
    print(
        f"worker peak RSS after a {small[0]:,}-row export: {after_small / 1024:.1f} MB; "
        f"after {rows:,} rows: {after_full / 1024:.1f} MB"
    )


if __name__ == "__main__":
    main()
