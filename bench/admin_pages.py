"""The back office at scale: latency of its pages over 100,000 invoices and 1,000,000 payments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench .venv/bin/python -m bench.admin_pages

Seeds the database first if it is empty (bench.seed, the same data as bench.reads), serves
the app with gunicorn (2 sync workers), signs in as a superuser through the login form, then
requests each page sequentially over one keep-alive connection and reports median and
slowest. The goal: every page under 150 ms median.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from bench.database import prepare_database

prepare_database(os.environ["DATABASE_URL"])
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from bench.seed import seed  # noqa: E402
from bench.server import gunicorn  # noqa: E402
from billing.models import Customer, Entity  # noqa: E402
from invoices.models import CreditNote, Invoice  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
USERNAME, PASSWORD = "bench-admin", "bench-admin-password"
GOAL_MS = 150


class Browser:
    """One keep-alive connection that keeps the session and CSRF cookies, as a browser would."""

    def __init__(self, base: str):
        parsed = urllib.parse.urlparse(base)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text, elapsed

    def sign_in(self) -> None:
        _, page, _ = self.request("GET", "/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": USERNAME, "password": PASSWORD}
        )
        status, _, _ = self.request("POST", "/admin/login/?next=/admin/", form)
        if status != 302:
            raise SystemExit(f"signing in answered {status}")


def pages() -> dict[str, str]:
    """The pages an office manager opens every day, with the search and each filter."""
    invoice = Invoice.objects.filter(kind="invoice").order_by("id")[50_000]
    customer = Customer.objects.order_by("id").first()
    credit_note = CreditNote.objects.order_by("id").first()
    entity = Entity.objects.order_by("created_at", "id").first().pk
    listed = {
        "dashboard": "/admin/",
        "payments list": "/admin/payments/payment/",
        "payments, search a reference": "/admin/payments/payment/?q=20250301",
        "payments, type filter": "/admin/payments/payment/?type__exact=bank_transfer",
        "payments, status filter": "/admin/payments/payment/?status__exact=succeeded",
        "payments, date filter": "/admin/payments/payment/?date__gte=2025-06-01&date__lt=2025-07-01",
        "invoice list": "/admin/invoices/invoice/",
        'invoices, search "INV-2025"': "/admin/invoices/invoice/?q=INV-2025",
        "invoices, status filter": "/admin/invoices/invoice/?status__exact=partially_paid",
        "invoices, overdue": "/admin/invoices/invoice/?situation=overdue",
        "customer list": "/admin/billing/customer/",
        "customers, search": f"/admin/billing/customer/?q={customer.name.split()[0]}",
        "customers, search an e-mail": "/admin/billing/customer/?q=member42%40example",
        "credit-note list": "/admin/invoices/creditnote/",
        'credit notes, search "CN-2025"': "/admin/invoices/creditnote/?q=CN-2025",
        "credit notes, search a customer": (
            f"/admin/invoices/creditnote/?q={urllib.parse.quote(customer.name)}"
        ),
        "credit notes, status filter": "/admin/invoices/creditnote/?status__exact=void",
        "credit notes, entity filter": f"/admin/invoices/creditnote/?entity__id__exact={entity}",
        "credit notes, currency filter": "/admin/invoices/creditnote/?currency__exact=EUR",
        "credit notes, date filter": (
            "/admin/invoices/creditnote/?date__gte=2025-06-01&date__lt=2025-07-01"
        ),
        "invoice page": f"/admin/invoices/invoice/{invoice.pk}/change/",
        "customer page": f"/admin/billing/customer/{customer.pk}/change/",
    }
    if credit_note is not None:
        listed["credit-note page"] = f"/admin/invoices/creditnote/{credit_note.pk}/change/"
    return listed


def measure(browser: Browser, path: str, repeat: int) -> dict:
    browser.request("GET", path)  # warm the worker's caches once
    samples, status = [], None
    for _ in range(repeat):
        status, _, elapsed = browser.request("GET", path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        samples.append(elapsed)
    return {
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
        "status": status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--payments-per-invoice", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench.admin_pages needs PostgreSQL (DATABASE_URL=postgres://…)")
    seed(args.invoices, args.payments_per_invoice, 2, 1000)
    user, _ = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password(PASSWORD)
    user.save()
    results = {"pages": {}}
    with gunicorn(os.environ["DATABASE_URL"]) as (base, _process):
        browser = Browser(base)
        browser.sign_in()
        for name, path in pages().items():
            results["pages"][name] = {"path": path, **measure(browser, path, args.repeat)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "admin_pages.json").write_text(json.dumps(results, indent=2))
    print(f"| page | median ms | slowest ms | under {GOAL_MS} ms |")
    print("|---|---:|---:|---|")
    for name, figures in results["pages"].items():
        ok = "yes" if figures["median_ms"] < GOAL_MS else "NO"
        print(f"| {name} | {figures['median_ms']} | {figures['max_ms']} | {ok} |")


if __name__ == "__main__":
    main()
