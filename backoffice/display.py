"""How the back office shows money and states: amounts with their currency, coloured badges."""

from django.utils.html import format_html

from billing.formats import format_day, format_money

# Badge colour per state key (invoices, payments, refunds, credit notes).
BADGE_TONES = {
    "draft": "neutral",
    "issued": "info",
    "open": "info",
    "partially_paid": "warning",
    "partially_credited": "warning",
    "credited": "success",
    "paid": "success",
    "overdue": "danger",
    "overpaid": "accent",
    "void": "muted",
    "uncollectible": "danger-dark",
    "succeeded": "success",
    "pending": "warning",
    "requires_action": "warning",
    "failed": "danger",
    "canceled": "muted",
    "refunded": "muted",
    "partially_refunded": "warning",
    "deleted": "muted",
    # bank statement lines
    "unmatched": "warning",
    "suggested": "info",
    "matched": "success",
    "ignored": "muted",
}


def money(amount, currency: str) -> str:
    """`€1,234.50` or `-€12.00`: Settle's one money format (`billing.formats`), "—" for none."""
    if amount is None:
        return "—"
    return format_money(amount, currency)


def short_date(value) -> str:
    """`21 Nov 2026`, kept on one line."""
    return format_day(value).replace(" ", "\u00a0")


def badge(key: str, label: str):
    tone = BADGE_TONES.get(key, "neutral")
    return format_html('<span class="settle-badge settle-badge--{}">{}</span>', tone, label)
