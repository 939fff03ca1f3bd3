"""Aged receivables as of a date: what customers owed then, by how late it was.

Receivables are issued **final** invoices only. An advance invoice asks for a prepayment
before anything is delivered; the final invoice it is later applied to carries the claim,
so counting both would count the same money twice (and the dashboard's figure is not an
aging). Void invoices never count (voiding undoes the issue, as deleting a payment undoes
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

from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.money import MONEY_FIELD, ZERO, MoneySum
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

_MONEY = DecimalField(**MONEY_FIELD)
_NOTHING = Value(ZERO, output_field=_MONEY)
_NOT_RECEIVABLE = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)


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


def _due_as_of(entity_id: str, as_of: date):
    """The expression of an invoice's due as of `as_of`, and the ids of the invoices that
    rows dated after `as_of` touched (the only ones whose due then differs from now)."""
    settled = {"status": PaymentStatus.SUCCEEDED, "is_deleted": False}
    paid_later = Payment.objects.filter(
        entity_id=entity_id, invoice__isnull=False, date__gt=as_of, **settled
    )
    refunded_later = Refund.objects.filter(
        entity_id=entity_id,
        status=RefundStatus.SUCCEEDED,
        created_at__gte=_start_of_day_after(as_of),
        payment__invoice__isnull=False,
        payment__date__lte=as_of,
        payment__status=PaymentStatus.SUCCEEDED,
        payment__is_deleted=False,
    )
    paid_after = Subquery(
        paid_later.filter(invoice_id=OuterRef("pk"))
        .values("invoice_id")
        .annotate(s=Sum(F("amount") - F("amount_refunded")))
        .values("s"),
        output_field=_MONEY,
    )
    refunded_after = Subquery(
        refunded_later.filter(payment__invoice_id=OuterRef("pk"))
        .values("payment__invoice_id")
        .annotate(s=Sum("amount"))
        .values("s"),
        output_field=_MONEY,
    )
    paid_ids = paid_later.values("invoice_id")
    refunded_ids = refunded_later.values("payment__invoice_id")
    # CASE runs the correlated sums only for the touched invoices, found once each by a
    # hashed subquery: the other invoices' due as of then is the stored one.
    due = (
        F("total_due")
        + Case(When(pk__in=paid_ids, then=Coalesce(paid_after, _NOTHING)), default=_NOTHING)
        - Case(When(pk__in=refunded_ids, then=Coalesce(refunded_after, _NOTHING)), default=_NOTHING)
    )
    return due, paid_ids


def receivable_invoices(entity_id: str, as_of: date):
    """The entity's invoices with something due as of `as_of`, annotated `due_as_of`."""
    due, paid_ids = _due_as_of(entity_id, as_of)
    return (
        Invoice.objects.filter(entity_id=entity_id, kind=InvoiceKind.INVOICE, date__lte=as_of)
        .exclude(status__in=_NOT_RECEIVABLE)
        .filter(Q(written_off_at__isnull=True) | Q(written_off_at__gte=_start_of_day_after(as_of)))
        # Only an invoice due now, or paid after as_of, can have had something due then.
        .filter(Q(total_due__gt=0) | Q(pk__in=paid_ids))
        .annotate(due_as_of=due)
        .filter(due_as_of__gt=0)
    )


def _bucket_conditions(as_of: date) -> dict[str, Q]:
    """Which due dates fall in each bucket on `as_of` (an invoice without one is due on its
    date)."""
    conditions, newest = {"current": Q(due_on__gte=as_of)}, as_of
    for name, last_day in _BUCKET_ENDS.items():
        oldest = as_of - timedelta(days=last_day)
        conditions[name] = Q(due_on__gte=oldest, due_on__lt=newest)
        newest = oldest
    conditions["over_90"] = Q(due_on__lt=newest)
    return conditions


def aged_receivables(*, entity_id: str, as_of: date | None = None) -> dict[str, AgedReceivables]:
    """The entity's aging as of `as_of` (default: today), one report per currency, its
    customers by total, largest first. One SQL query, grouped by currency and customer."""
    as_of = as_of or timezone.localdate()
    sums = {
        name: MoneySum(Case(When(condition, then=F("due_as_of")), default=_NOTHING))
        for name, condition in _bucket_conditions(as_of).items()
    }
    rows = (
        receivable_invoices(entity_id, as_of)
        .annotate(due_on=Coalesce("due_date", "date"))
        .values("currency", "customer_id", "customer__name")
        .annotate(**{f"b_{name}": total for name, total in sums.items()})
        .annotate(total=MoneySum("due_as_of"), n=Sum(Value(1)))
        .order_by("currency", "-total", "customer__name", "customer_id")
    )
    reports: dict[str, AgedReceivables] = {}
    for row in rows:  # one row per customer and currency, never per invoice
        report = reports.setdefault(row["currency"], AgedReceivables(as_of, row["currency"]))
        buckets = {name: row[f"b_{name}"] for name in BUCKETS}
        report.customers.append(
            CustomerAging(row["customer_id"], row["customer__name"], buckets, row["total"])
        )
        for name in BUCKETS:
            report.buckets[name] += buckets[name]
        report.total += row["total"]
        report.invoice_count += row["n"]
    return reports


def aged_receivables_in(
    *, entity_id: str, currency: str, as_of: date | None = None
) -> AgedReceivables:
    """One currency's aging (empty when nothing is due in it)."""
    as_of = as_of or timezone.localdate()
    report = aged_receivables(entity_id=entity_id, as_of=as_of).get(currency)
    return report or AgedReceivables(as_of, currency)
