"""Aged receivables as of a date: what customers owed then, by how late it was.

Receivables are issued **final** invoices only. An advance invoice asks for a prepayment
before anything is delivered; the final invoice it is later applied to carries the claim,
so counting both would count the same money twice. Void invoices never count (voiding undoes the issue, as deleting a payment undoes
it), an invoice written off on or before `as_of` no longer counts, one written off later
still does, and a draft is not a claim yet.

As of a past date the book is rebuilt as it stood then: invoices dated on or before
`as_of`, less the payments (money, credit notes, advances and balance applied) dated on
or before it, plus the refunds made after it of those payments. It is computed from the
stored due — a cache rebuilt from the same rows, which `check_totals` keeps honest — by
putting back what rows dated after `as_of` changed, so the cost is one pass over the open
invoices plus the rows since `as_of`. Limits of what the rows keep: a refund is dated by
when it was made (refunds have no date of their own), and a payment whose amount was
edited counts at its present amount.

Buckets by days past due on `as_of`: `current` (due on or after it), `1_30`, `31_60`,
`61_90`, `over_90`. Each currency is its own report: EUR is never added to USD.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from billing.models import Customer
from billing.money import ZERO, money_from_sum
from invoices.models import Invoice, InvoiceKind, InvoiceStatus
from payments.models import Payment, PaymentStatus, Refund, RefundStatus

BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")
BUCKET_LABELS = {
    "current": "Current",
    "1_30": "1–30 days",
    "31_60": "31–60 days",
    "61_90": "61–90 days",
    "over_90": "Over 90 days",
}
# The last day past due of each bucket after `current`; `over_90` has no end.
_BUCKET_ENDS = {"1_30": 30, "31_60": 60, "61_90": 90}


def _empty_buckets() -> dict[str, Decimal]:
    return dict.fromkeys(BUCKETS, ZERO)


@dataclass
class CustomerAging:
    customer_id: str
    customer_name: str
    buckets: dict[str, Decimal]
    total: Decimal


@dataclass
class AgedReceivables:
    """One currency's aging as of a date; `total` is Σ buckets and Σ customers' totals."""

    as_of: date
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=_empty_buckets)
    total: Decimal = ZERO
    customers: list[CustomerAging] = field(default_factory=list)
    invoice_count: int = 0


def _start_of_day_after(day: date) -> datetime:
    """The first instant after `day` ends, in the site's time zone: rows made from then on
    are later than `day` (a bound on the column, so its index serves)."""
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


# The due as of a date of each invoice, then summed per currency and customer by bucket.
# Written out rather than built with the ORM: the rows since `as_of` are summed once per
# invoice (GROUP BY) and joined, where correlated subqueries would probe the payments once
# per invoice and their cost estimate sets off PostgreSQL's JIT compiler (seconds).
_AGING_SQL = """
WITH paid_later AS (
    SELECT invoice_id, SUM(amount - amount_refunded) AS amount
    FROM {payment}
    WHERE entity_id = %(entity)s AND invoice_id IS NOT NULL AND status = %(succeeded)s
      AND NOT is_deleted AND date > %(as_of)s
    GROUP BY invoice_id
),
refunded_later AS (
    SELECT p.invoice_id, SUM(r.amount) AS amount
    FROM {refund} r JOIN {payment} p ON p.id = r.payment_id
    WHERE r.entity_id = %(entity)s AND r.status = %(refunded)s AND r.created_at >= %(after)s
      AND p.invoice_id IS NOT NULL AND p.status = %(succeeded)s AND NOT p.is_deleted
      AND p.date <= %(as_of)s
    GROUP BY p.invoice_id
),
receivable AS (
    SELECT i.currency, i.customer_id, COALESCE(i.due_date, i.date) AS due_on,
           i.total_due + COALESCE(pl.amount, 0) - COALESCE(rl.amount, 0) AS due
    FROM {invoice} i
    LEFT JOIN paid_later pl ON pl.invoice_id = i.id
    LEFT JOIN refunded_later rl ON rl.invoice_id = i.id
    WHERE i.entity_id = %(entity)s AND i.kind = %(kind)s AND i.date <= %(as_of)s
      AND i.status NOT IN (%(draft)s, %(void)s)
      AND (i.written_off_at IS NULL OR i.written_off_at >= %(after)s)
      AND (i.total_due > 0 OR pl.invoice_id IS NOT NULL)
),
aging AS (
    SELECT r.currency, r.customer_id, {buckets}, SUM(r.due) AS total, COUNT(*) AS invoices
    FROM receivable r
    WHERE ROUND(r.due, 2) > 0  -- SQLite adds decimals in floating point: 0.1 + 0.2 - 0.3 > 0
    GROUP BY r.currency, r.customer_id
)
SELECT a.*, c.name FROM aging a JOIN {customer} c ON c.id = a.customer_id
ORDER BY a.currency, a.total DESC, c.name, a.customer_id
"""


def _bucket_bounds(as_of: date) -> dict[str, tuple[date | None, date | None]]:
    """Each bucket's due dates on `as_of`: from (inclusive) and before (exclusive)."""
    bounds, newest = {"current": (as_of, None)}, as_of
    for name, last_day in _BUCKET_ENDS.items():
        oldest = as_of - timedelta(days=last_day)
        bounds[name] = (oldest, newest)
        newest = oldest
    bounds["over_90"] = (None, newest)
    return bounds


def aging_query(entity_id: str, as_of: date) -> tuple[str, dict]:
    """The SQL and parameters of the aging of each customer and currency as of `as_of`."""
    ops = connection.ops
    params = {
        "entity": entity_id,
        "as_of": ops.adapt_datefield_value(as_of),
        "after": ops.adapt_datetimefield_value(_start_of_day_after(as_of)),
        "succeeded": PaymentStatus.SUCCEEDED,
        "refunded": RefundStatus.SUCCEEDED,
        "kind": InvoiceKind.INVOICE,
        "draft": InvoiceStatus.DRAFT,
        "void": InvoiceStatus.VOID,
    }
    sums = []
    for name, (since, before) in _bucket_bounds(as_of).items():
        conditions = []
        if since is not None:
            params[f"{name}_since"] = ops.adapt_datefield_value(since)
            conditions.append(f"r.due_on >= %({name}_since)s")
        if before is not None:
            params[f"{name}_before"] = ops.adapt_datefield_value(before)
            conditions.append(f"r.due_on < %({name}_before)s")
        sums.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN r.due ELSE 0 END)")
    sql = _AGING_SQL.format(
        payment=Payment._meta.db_table,
        refund=Refund._meta.db_table,
        invoice=Invoice._meta.db_table,
        customer=Customer._meta.db_table,
        buckets=", ".join(sums),
    )
    return sql, params


def aged_receivables(*, entity_id: str, as_of: date | None = None) -> dict[str, AgedReceivables]:
    """The entity's aging as of `as_of` (default: today), one report per currency, its
    customers by total, largest first. One SQL query, grouped by currency and customer."""
    as_of = as_of or timezone.localdate()
    sql, params = aging_query(entity_id, as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    reports: dict[str, AgedReceivables] = {}
    for currency, customer_id, *amounts, total, count, name in rows:  # a row per customer
        report = reports.setdefault(currency, AgedReceivables(as_of, currency))
        buckets = {
            bucket: money_from_sum(amount) for bucket, amount in zip(BUCKETS, amounts, strict=True)
        }
        total = money_from_sum(total)
        report.customers.append(CustomerAging(customer_id, name, buckets, total))
        for bucket in BUCKETS:
            report.buckets[bucket] += buckets[bucket]
        report.total += total
        report.invoice_count += count
    return reports


def aged_receivables_in(
    *, entity_id: str, currency: str, as_of: date | None = None
) -> AgedReceivables:
    """One currency's aging (empty when nothing is due in it)."""
    as_of = as_of or timezone.localdate()
    report = aged_receivables(entity_id=entity_id, as_of=as_of).get(currency)
    return report or AgedReceivables(as_of, currency)
