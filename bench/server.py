"""Start and stop the app under gunicorn, as in production, for a benchmark run."""

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@contextmanager
def gunicorn(database_url: str, *, port: int = 8011, workers: int = 2, threads: int = 1):
    """Yield the base URL of a gunicorn serving config.wsgi on 127.0.0.1:`port`."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "SETTLE_SIMPLE_STATIC": "true",
        "SETTLE_API_RATE": "1000000/s",
        "SETTLE_LOG_LEVEL": "WARNING",
        "SETTLE_DB_POOL_MAX": str(max(2, threads + 1)),
    }
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)
