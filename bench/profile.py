"""Where a recorded payment's CPU goes: py-spy on the gunicorn workers under the write load.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_writes \\
        .venv/bin/python -m bench.profile --seconds 15

Serves the app as `bench.writes` does and drives the spread case with wrk, while
`py-spy record --gil` samples every worker: only the thread holding the GIL, that is
Python running on the CPU, not waiting for PostgreSQL. Keeps the collapsed stacks in
bench/results/profile-<pid>.txt (any flame graph tool reads them) and prints the share
of samples spent under each of our functions and in the frameworks around them.
"""

import argparse
import collections
import os
import re
import subprocess
import time
from pathlib import Path

from django.db import connection

from bench.server import BIN, gunicorn
from bench.writes import RESULTS, run_wrk, seed_invoices
from billing.services import api_key_create

OURS = ("billing/", "invoices/", "payments/", "portal/")
LINE = re.compile(r":\d+\)$")


def record(pids: list[str], seconds: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [
                str(BIN / "py-spy"),
                "record",
                "--pid",
                pid,
                "--duration",
                str(seconds),
                "--rate",
                "200",
                "--gil",
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                str(RESULTS / f"profile-{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


def shares(files: list[Path]) -> tuple[int, collections.Counter]:
    """Samples in all, and per function the samples whose stack passes through it."""
    total, under = 0, collections.Counter()
    for file in files:
        for line in file.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            total += int(count)
            # One entry per function, whatever line of it the stack passed through.
            for function in {LINE.sub(")", frame) for frame in stack.split(";")}:
                under[function] += int(count)
    return total, under


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    entity, invoices = seed_invoices(10_000)
    _key, key = api_key_create(name="bench profile", entities=[entity])
    RESULTS.mkdir(exist_ok=True)
    spread = RESULTS / "invoices-spread.txt"
    spread.write_text("\n".join(invoices) + "\n")
    connection.close()
    with gunicorn(os.environ["DATABASE_URL"], workers=args.workers) as (base, process):
        pids = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        spies = record(pids, args.seconds)
        load = run_wrk(
            base, key, spread, args.connections, args.seconds, f"profile-{int(time.time())}"
        )
        for spy in spies:
            spy.wait()
    total, under = shares([RESULTS / f"profile-{pid}.txt" for pid in pids])
    print(f"{load['rps']} payments/s at {args.connections} connections; {total} samples")
    print("| share of Python CPU | under |")
    print("|---:|---|")
    ours = [(frame, n) for frame, n in under.most_common() if any(p in frame for p in OURS)]
    for frame, n in ours[: args.top]:
        print(f"| {n / total:.1%} | `{frame}` |")


if __name__ == "__main__":
    main()
