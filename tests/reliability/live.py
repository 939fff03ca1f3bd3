"""Gunicorn with several worker processes on the pytest-django test database, and the HTTP
client the reliability tests fire at it (real sockets, real processes, real row locks).

The server reads the test database by URL, so it only sees committed rows: tests that use
it are transactional (`django_db(transaction=True)`) and build their data beforehand.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import simplejson
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ACCESS_FORMAT = 'access pid=%(p)s "%(r)s" %(s)s'
ACCESS_LINE = re.compile(r'access pid=<?(?P<pid>\d+)>? "\w+ (?P<path>\S+) [^"]*" (?P<status>\d+)')
BIN = Path(sys.executable).parent


def current_database_url() -> str:
    """The URL of the database pytest-django created (call after `django_db_setup`)."""
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    body: object
    headers: dict = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code")
        return None


@dataclass
class LiveServer:
    """A running gunicorn: its address, its master process and the file it logs to."""

    host: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid)

    def access_log(self, *, since: int = 0) -> list[tuple[int, str, int]]:
        """(worker pid, path, status) of each request answered after log offset `since`."""
        return [
            (int(match["pid"]), match["path"].split("?")[0], int(match["status"]))
            for match in map(ACCESS_LINE.match, self.log_text()[since:].splitlines())
            if match
        ]

    def wait_for_access_log(self, *, since: int, count: int, path: str | None = None) -> list:
        """The access log after `since` once it holds `count` requests (for `path`): gunicorn
        writes a request's line just after answering it."""

        def logged():
            entries = [e for e in self.access_log(since=since) if path in (None, e[1])]
            return entries if len(entries) >= count else None

        return wait_until(logged, message=f"fewer than {count} requests in the access log")

    def connect(self, timeout: float = 30) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        conn.connect()
        return conn


@dataclass
class Call:
    """One API request: method, path under /api/v1/, JSON body, key, headers."""

    method: str
    path: str
    body: object = None
    key: str | None = None
    idempotency_key: str | None = None
    headers: dict = field(default_factory=dict)
    params: dict | None = None

    def target(self) -> str:
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"/api/v1/{self.path}{query}"

    def request_headers(self, payload: bytes) -> dict:
        headers = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        if self.idempotency_key:
            headers["Idempotency-Key"] = self.idempotency_key
        return {**headers, **self.headers}


def send(conn: http.client.HTTPConnection, call: Call) -> Answer:
    payload = b"" if call.body is None else simplejson.dumps(call.body, use_decimal=True).encode()
    conn.request(
        call.method.upper(), call.target(), body=payload, headers=call.request_headers(payload)
    )
    response = conn.getresponse()
    raw = response.read()
    headers = {name.lower(): value for name, value in response.getheaders()}
    body = (
        simplejson.loads(raw, use_decimal=True)
        if raw and headers.get("content-type", "").startswith("application/json")
        else raw
    )
    return Answer(response.status, body, headers)


def request(server: LiveServer, call: Call, timeout: float = 30) -> Answer:
    conn = server.connect(timeout)
    try:
        return send(conn, call)
    finally:
        conn.close()


def fire_together(server: LiveServer, calls: list[Call], timeout: float = 60) -> list[Answer]:
    """Open one connection per call, wait at a barrier until all are open, then send them all.

    Returns the answers in the order of `calls`.
    """
    barrier = threading.Barrier(len(calls))

    def one(call: Call) -> Answer:
        conn = server.connect(timeout)
        try:
            barrier.wait(timeout)
            return send(conn, call)
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(one, call) for call in calls]
        return [future.result(timeout=timeout) for future in futures]


def children_of(pid: int) -> list[int]:
    """The live child processes of `pid`, read from /proc (gunicorn's workers of its master)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(entry.name))
    return sorted(children)


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        entries = list(fd_dir.iterdir())
    except OSError:
        return inodes
    for entry in entries:
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _tcp_inode_of_local_port(port: int) -> str | None:
    """The inode of the IPv4 socket bound locally to `port` on 127.0.0.1 (/proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local_port = int(parts[1].rsplit(":", 1)[1], 16)
        if local_port == port and parts[9] != "0":
            return parts[9]
    return None


def process_owning_connection(candidates: list[int], local_port: int) -> int | None:
    """Which of `candidates` holds the TCP socket whose local port is `local_port`."""
    inode = _tcp_inode_of_local_port(local_port)
    if inode is None:
        return None
    for pid in candidates:
        if inode in _socket_inodes(pid):
            return pid
    return None


def backends_waiting_for_a_lock() -> list[int]:
    """The pids of the backends blocked by a lock this test's connection holds, directly
    or queued behind one that is (not by anyone else's, such as a request left over from
    an earlier test)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh activity inside a transaction
        cursor.execute(
            "WITH RECURSIVE blocked(pid) AS ("
            "  SELECT pid FROM pg_stat_activity"
            "  WHERE datname = current_database() AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            "  UNION"
            "  SELECT waiting.pid FROM pg_stat_activity waiting JOIN blocked"
            "  ON blocked.pid = ANY(pg_blocking_pids(waiting.pid))"
            ") SELECT pid FROM blocked"
        )
        return [row[0] for row in cursor.fetchall()]


def wait_until(predicate, timeout: float = 10, interval: float = 0.02, message: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"timed out after {timeout}s waiting")
        time.sleep(interval)


@contextmanager
def gunicorn(
    log_path: Path, *, workers: int = 3, threads: int = 1, env: dict | None = None
) -> LiveServer:
    """Serve config.wsgi with `workers` processes on a free port against the test database.

    The master and every worker are stopped (and waited for) on exit, whatever happened.
    """
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "DJANGO_DEBUG": "false",
        "SETTLE_SIMPLE_STATIC": "true",
        "SETTLE_API_RATE": "1000000/s",
        "SETTLE_LOG_LEVEL": "INFO",
        "SETTLE_DB_POOL_MIN": "1",
        "SETTLE_DB_POOL_MAX": str(threads + 1),
        "SETTLE_LOCK_TIMEOUT_MS": "20000",
        **(env or {}),
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
        "--preload",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_FORMAT,
        "--log-level",
        "info",
    ]
    log = log_path.open("ab")
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    server = LiveServer("127.0.0.1", port, process, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # No key: a 401 in our format, answered without touching the database.
                if request(server, Call("get", "payments"), timeout=2).status == 401:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{server.log_text()[-3000:]}")
            time.sleep(0.1)
        wait_until(lambda: len(server.worker_pids()) == workers, timeout=30)
        yield server
    finally:
        stop(process, port)
        log.close()


def stop(process: subprocess.Popen, port: int) -> None:
    """Stop gunicorn's master (it stops its workers); kill any worker of ours left behind."""
    workers = children_of(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for pid in workers:
        try:
            # Only a process that still is one of our workers (same command line and port).
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in cmdline and f"127.0.0.1:{port}".encode() in cmdline:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
