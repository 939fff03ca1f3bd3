"""Money and dates in every template, written one way (`billing.formats`): built into the
template engine (settings `TEMPLATES` builtins), so no page, e-mail or PDF formats its own."""

from django import template
from django.utils import timezone

from billing.formats import format_day, format_money

register = template.Library()


@register.filter
def money(amount, currency):
    """`{{ invoice.total_due|money:invoice.currency }}` → `€1,200.00` (`1.200,00 €` in German)."""
    return format_money(amount, currency)


@register.filter
def day(value):
    """`{{ invoice.date|day }}` → `21 Nov 2026` (`21.11.2026` in German)."""
    return format_day(value)


@register.filter
def moment(value):
    """`{{ event.created_at|moment }}` → `21 Nov 2026, 14:05`, in the site's time zone."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_day(local)}, {local:%H:%M}"
