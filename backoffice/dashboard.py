"""The admin index as a dashboard: receivables, collections, charges to retry, overpayments,
and payments per day drawn server-side as an inline SVG bar chart (nothing from the internet)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.admin.utils import quote
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from backoffice.display import money
from backoffice.labels import method_label
from backoffice.scoping import scope_to_member_entities
from billing.formats import format_day
from billing.money import ZERO
from invoices.models import Invoice, InvoiceStatus
from payments.models import EXTERNAL_TYPES, Payment, PaymentStatus, Refund, RefundDestination
from webhooks.models import WebhookEndpoint

CHART_DAYS = 90
LIST_ROWS = 6
COLLECTING = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)


@dataclass
class Chart:
    currency: str
    total: Decimal
    svg: SafeString


@dataclass
class Dashboard:
    outstanding: list = field(default_factory=list)  # (currency, amount, count)
    overdue: list = field(default_factory=list)  # (currency, amount, count)
    collected: list = field(default_factory=list)  # (currency, gross, refunded)
    failed_charges: list = field(default_factory=list)  # dicts for the template
    failed_count: int = 0
    overpaid: list = field(default_factory=list)
    overpaid_count: int = 0
    overpaid_total: list = field(default_factory=list)  # (currency, amount)
    charts: list = field(default_factory=list)
    month_start: date | None = None
    disabled_endpoints: list = field(default_factory=list)  # (endpoint, url of its page)


def _scoped(queryset, user):
    return scope_to_member_entities(queryset, user, "entity")


def _invoice_url(invoice: Invoice) -> str:
    name = "advanceinvoice" if invoice.is_advance else "invoice"
    return reverse(f"admin:invoices_{name}_change", args=[quote(invoice.pk)])


def _receivables(user, today: date):
    """Open invoices by currency, and the overdue ones among them, in one pass over the
    open invoices (a partial index holds them, with their amount due)."""
    overdue_only = Q(due_date__lt=today)
    rows = (
        _scoped(Invoice.objects.all(), user)
        .filter(status__in=COLLECTING, total_due__gt=0)
        .values("currency")
        .annotate(
            s=Sum("total_due"),
            n=Count("id"),
            overdue_s=Sum("total_due", filter=overdue_only),
            overdue_n=Count("id", filter=overdue_only),
        )
        .order_by()
    )
    rows = list(rows)
    outstanding = [
        (row["currency"], row["s"], row["n"]) for row in sorted(rows, key=lambda r: -r["s"])
    ]
    overdue = [
        (row["currency"], row["overdue_s"], row["overdue_n"])
        for row in sorted(rows, key=lambda r: -(r["overdue_s"] or 0))
        if row["overdue_n"]
    ]
    return outstanding, overdue


def _money_in(user):
    """Money that really arrived: succeeded, not deleted, external or charged."""
    return _scoped(Payment.objects.all(), user).filter(
        status=PaymentStatus.SUCCEEDED, is_deleted=False, type__in=EXTERNAL_TYPES
    )


def _collected(user, month_start: date):
    gross = {
        row["currency"]: row["s"]
        for row in _money_in(user)
        .filter(date__gte=month_start)
        .values("currency")
        .annotate(s=Sum("amount"))
    }
    refunded = {
        row["currency"]: row["s"]
        for row in scope_to_member_entities(Refund.objects.all(), user, "entity")
        .filter(
            status="succeeded",
            destination=RefundDestination.ORIGINAL,
            payment__type__in=EXTERNAL_TYPES,
            created_at__date__gte=month_start,
        )
        .values("currency")
        .annotate(s=Sum("amount"))
    }
    currencies = sorted(set(gross) | set(refunded), key=lambda c: -(gross.get(c) or ZERO))
    return [(c, gross.get(c) or ZERO, refunded.get(c) or ZERO) for c in currencies]


def _failed_charges(user):
    retryable = Q(invoice__status__in=(*COLLECTING, InvoiceStatus.UNCOLLECTIBLE)) & Q(
        invoice__total_due__gt=0
    ) | Q(advance_invoice__status__in=COLLECTING) & Q(advance_invoice__total_due__gt=0)
    failed = (
        _scoped(Payment.objects.all(), user)
        .filter(status=PaymentStatus.FAILED, is_deleted=False, retries__isnull=True)
        .exclude(gateway="")
        .filter(retryable)
        .select_related("invoice", "advance_invoice", "customer", "saved_payment_method")
        .order_by("-created_at")
    )
    rows = [
        {
            "payment": payment,
            "document": payment.invoice or payment.advance_invoice,
            "url": _invoice_url(payment.invoice or payment.advance_invoice) + "#payments",
            "method": method_label(payment),
        }
        for payment in failed[:LIST_ROWS]
    ]
    return rows, failed.count()


def _overpaid(user):
    invoices = (
        _scoped(Invoice.objects.all(), user)
        .exclude(status=InvoiceStatus.VOID)
        .filter(total_due__lt=0)
        .select_related("customer")
        .order_by("total_due")
    )
    totals = [
        (row["currency"], -row["s"])
        for row in invoices.values("currency").annotate(s=Sum("total_due")).order_by("s")
    ]
    rows = [{"invoice": invoice, "url": _invoice_url(invoice)} for invoice in invoices[:LIST_ROWS]]
    return rows, invoices.count(), totals


def _disabled_endpoints(user) -> list:
    """Webhook endpoints the worker disabled after days of failures: the integration has
    stopped hearing from Settle until someone enables them again."""
    if not user.has_perm("webhooks.manage_webhooks"):
        return []
    endpoints = _scoped(
        WebhookEndpoint.objects.filter(enabled=False).exclude(disabled_reason=""), user
    ).order_by("-updated_at")[:LIST_ROWS]
    return [
        (endpoint, reverse("admin:webhooks_webhookendpoint_change", args=[quote(endpoint.pk)]))
        for endpoint in endpoints
    ]


def daily_payments(user, today: date) -> dict[str, dict[date, Decimal]]:
    first = today - timedelta(days=CHART_DAYS - 1)
    series: dict[str, dict[date, Decimal]] = {}
    rows = (
        _money_in(user)
        .filter(date__gte=first, date__lte=today)
        .values("currency", "date")
        .annotate(s=Sum("amount"))
    )
    for row in rows:
        series.setdefault(row["currency"], {})[row["date"]] = row["s"]
    return series


def _nice_ceiling(value: Decimal) -> Decimal:
    """1, 2, 2.5 or 5 × 10^n at or above `value`, so the axis reads well."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart_svg(points: dict[date, Decimal], currency: str, today: date) -> SafeString:
    """An accessible SVG bar chart of one amount per day, oldest on the left."""
    width, height = 960, 240
    left, right, top, bottom = 78, 12, 14, 30
    days = [today - timedelta(days=CHART_DAYS - 1 - index) for index in range(CHART_DAYS)]
    ceiling = _nice_ceiling(max(points.values(), default=ZERO))
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / CHART_DAYS
    parts = [
        f'<svg class="settle-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Payments per day over the last {CHART_DAYS} days, in {escape(currency)}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
    ]
    for fraction in (0, Decimal("0.5"), 1):
        y = top + plot_h - float(fraction) * plot_h
        parts.append(
            f'<line class="settle-chart__grid" x1="{left}" x2="{width - right}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="settle-chart__label" x="{left - 8}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(money(ceiling * fraction, currency))}</text>'
        )
    for index, day in enumerate(days):
        amount = points.get(day, ZERO)
        x = left + index * slot
        if amount > 0:
            bar_h = max(float(amount / ceiling) * plot_h, 1.5)
            parts.append(
                f'<rect class="settle-chart__bar" x="{x + 1:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{max(slot - 2, 1):.1f}" height="{bar_h:.1f}" rx="1.5">'
                f"<title>{format_day(day)}: {escape(money(amount, currency))}</title></rect>"
            )
        if index % 15 == 0 or index == CHART_DAYS - 1:
            anchor = "end" if index == CHART_DAYS - 1 else "middle"
            label_x = x + slot if anchor == "end" else x + slot / 2
            parts.append(
                f'<text class="settle-chart__label" x="{label_x:.1f}" '
                f'y="{height - 10}" text-anchor="{anchor}">{day:%d %b}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers and escaped text only


def dashboard_for(user) -> Dashboard | None:
    """The figures of the entities `user` belongs to (all of them for a superuser)."""
    if not (user.has_perm("invoices.view_invoice") and user.has_perm("payments.view_payment")):
        return None
    today = timezone.localdate()
    board = Dashboard(month_start=today.replace(day=1))
    board.outstanding, board.overdue = _receivables(user, today)
    board.collected = _collected(user, board.month_start)
    board.failed_charges, board.failed_count = _failed_charges(user)
    board.overpaid, board.overpaid_count, board.overpaid_total = _overpaid(user)
    board.disabled_endpoints = _disabled_endpoints(user)
    series = daily_payments(user, today)
    for currency in sorted(series, key=lambda c: -sum(series[c].values()))[:3]:
        board.charts.append(
            Chart(
                currency,
                sum(series[currency].values()),
                bar_chart_svg(series[currency], currency, today),
            )
        )
    return board
