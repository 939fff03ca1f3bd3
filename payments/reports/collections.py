"""Collections per period: the money received by method, the money given back, and the
credits applied, apart, in each day, week or month of a date range, one report per currency.

- `received`: succeeded, not deleted external payments and card charges (cash,
  bank_transfer, check, card, paypal, other), by payment date, before refunds;
- `refunded`: succeeded refunds of those paid back to the customer (destination
  `original`), by the day they were made (refunds have no date of their own), under the
  method of the payment they refund; `net` = received − refunded;
- `refunded_to_balance`: refunds of those moved to the customer's money balance: the money
  stays here as the customer's credit, so it is shown but not taken off `net`;
- credits, never money: credit notes applied (`credit_applied`), balance used
  (`balance_used`) and advances applied (`advance_applied`) to invoices, by payment date.

Weeks start on Monday (ISO 8601); the first and last period are cut to the range.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import DateField, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from billing.errors import ValidationError
from billing.money import ZERO, money_from_sum
from payments.models import (
    EXTERNAL_TYPES,
    TYPE_KINDS,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    RefundDestination,
    RefundStatus,
)

METHODS = tuple(str(method) for method in EXTERNAL_TYPES)
CREDIT_KINDS = (
    str(PaymentKind.CREDIT_APPLIED),
    str(PaymentKind.BALANCE_USED),
    str(PaymentKind.ADVANCE_APPLIED),
)
GROUPINGS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
MAX_PERIODS = 400  # a year and more of days; ten years of weeks


@dataclass
class MethodFigures:
    received: Decimal = ZERO
    refunded: Decimal = ZERO
    refunded_to_balance: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


@dataclass
class PeriodCollections:
    """One period's figures in one currency: money by method, credits by kind, apart."""

    start: date
    end: date
    methods: dict[str, MethodFigures] = field(
        default_factory=lambda: {method: MethodFigures() for method in METHODS}
    )
    credits: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(CREDIT_KINDS, ZERO))

    @property
    def received(self) -> Decimal:
        return sum((m.received for m in self.methods.values()), ZERO)

    @property
    def refunded(self) -> Decimal:
        return sum((m.refunded for m in self.methods.values()), ZERO)

    @property
    def refunded_to_balance(self) -> Decimal:
        return sum((m.refunded_to_balance for m in self.methods.values()), ZERO)

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded

    @property
    def credited(self) -> Decimal:
        return sum(self.credits.values(), ZERO)

    def add(self, other: "PeriodCollections") -> None:
        for method, figures in other.methods.items():
            mine = self.methods[method]
            mine.received += figures.received
            mine.refunded += figures.refunded
            mine.refunded_to_balance += figures.refunded_to_balance
        for kind, amount in other.credits.items():
            self.credits[kind] += amount


@dataclass
class Collections:
    currency: str
    start: date
    end: date
    group_by: str
    periods: list[PeriodCollections]
    totals: PeriodCollections


def _period_start(day: date, group_by: str) -> date:
    if group_by == "week":
        return day - timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def _next_start(start: date, group_by: str) -> date:
    if group_by == "week":
        return start + timedelta(days=7)
    if group_by == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def periods_between(start: date, end: date, group_by: str) -> list[tuple[date, date, date]]:
    """(truncated start, first day in range, last day in range) of each period."""
    periods, current = [], _period_start(start, group_by)
    while current <= end:
        following = _next_start(current, group_by)
        periods.append((current, max(current, start), min(following - timedelta(days=1), end)))
        current = following
    return periods


def _period_count(start: date, end: date, group_by: str) -> int:
    if group_by == "month":
        return (end.year - start.year) * 12 + end.month - start.month + 1
    first, last = _period_start(start, group_by), _period_start(end, group_by)
    return (last - first).days // (7 if group_by == "week" else 1) + 1


def check_range(start: date, end: date, group_by: str) -> None:
    """The errors a door shows for a range it cannot report on."""
    if group_by not in GROUPINGS:
        raise ValidationError(
            f"group_by must be one of {', '.join(GROUPINGS)}.",
            code="invalid_group_by",
            param="group_by",
        )
    if start > end:
        raise ValidationError(
            "from must be on or before to.", code="invalid_date_range", param="from"
        )
    count = _period_count(start, end, group_by)
    if count > MAX_PERIODS:
        raise ValidationError(
            f"At most {MAX_PERIODS} periods at a time; choose a shorter range or a longer "
            "grouping.",
            code="range_too_long",
            param="to",
        )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def collections(
    *, entity_id: str, start: date, end: date, group_by: str = "month"
) -> dict[str, Collections]:
    """The entity's collections from `start` to `end` (both included) per period, one report
    per currency with every period of the range (empty ones too). Two grouped SQL queries."""
    check_range(start, end, group_by)
    trunc = GROUPINGS[group_by]
    payments = (
        Payment.objects.filter(
            entity_id=entity_id,
            status=PaymentStatus.SUCCEEDED,
            is_deleted=False,
            date__gte=start,
            date__lte=end,
        )
        .annotate(period=trunc("date", output_field=DateField()))
        .values("period", "currency", "type")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    refunds = (
        Refund.objects.filter(
            entity_id=entity_id,
            status=RefundStatus.SUCCEEDED,
            payment__type__in=EXTERNAL_TYPES,
            created_at__gte=_local_midnight(start),
            created_at__lt=_local_midnight(end + timedelta(days=1)),
        )
        .annotate(period=trunc("created_at", output_field=DateField()))
        .values("period", "currency", "payment__type", "destination")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    spans = periods_between(start, end, group_by)
    reports: dict[str, dict[date, PeriodCollections]] = {}

    def period(currency: str, day: date) -> PeriodCollections:
        if currency not in reports:
            reports[currency] = {first: PeriodCollections(s, e) for first, s, e in spans}
        return reports[currency][day]

    for row in payments:  # a row per period, currency and type: never per payment
        amount = money_from_sum(row["amount"])
        figures = period(row["currency"], row["period"])
        kind = TYPE_KINDS[row["type"]]
        if kind == PaymentKind.MONEY_RECEIVED:
            figures.methods[row["type"]].received += amount
        else:
            figures.credits[str(kind)] += amount
    for row in refunds:
        amount = money_from_sum(row["amount"])
        method = period(row["currency"], row["period"]).methods[row["payment__type"]]
        if row["destination"] == RefundDestination.CUSTOMER_BALANCE:
            method.refunded_to_balance += amount
        else:
            method.refunded += amount
    result = {}
    for currency, by_start in sorted(reports.items()):
        totals = PeriodCollections(start, end)
        for figures in by_start.values():
            totals.add(figures)
        result[currency] = Collections(
            currency, start, end, group_by, list(by_start.values()), totals
        )
    return result


def empty_collections(currency: str, start: date, end: date, group_by: str) -> Collections:
    """A currency's report when nothing moved in it: every period, all zero."""
    spans = periods_between(start, end, group_by)
    periods = [PeriodCollections(s, e) for _first, s, e in spans]
    return Collections(currency, start, end, group_by, periods, PeriodCollections(start, end))
