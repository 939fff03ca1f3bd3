"""How the back office shows money and states: amounts with their currency, coloured badges."""

from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import format_html

from billing.money import exponent, round_money

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}

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
}


def money(amount, currency: str) -> str:
    """`€1,234.50`, `−€12.00` or `1,234.50 CHF`: exact, at the currency's precision."""
    if amount is None:
        return "—"
    amount = round_money(Decimal(amount), currency)
    body = f"{abs(amount):,.{exponent(currency)}f}"
    sign = "−" if amount < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"


def short_date(value) -> str:
    """`21 Nov 2026`, kept on one line."""
    return date_format(value, "j M Y").replace(" ", "\u00a0")


def badge(key: str, label: str):
    tone = BADGE_TONES.get(key, "neutral")
    return format_html('<span class="settle-badge settle-badge--{}">{}</span>', tone, label)
