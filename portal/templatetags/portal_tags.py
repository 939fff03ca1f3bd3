from django import template

from portal.views.common import sandbox_mode

register = template.Library()


@register.filter
def status_label(value):
    """`partially_paid` → "Partially paid"."""
    text = str(value or "").replace("_", " ")
    return text[:1].upper() + text[1:]


@register.simple_tag
def portal_sandbox_mode() -> bool:
    """True when new cards and payments go through the sandbox (no Stripe keys)."""
    return sandbox_mode()


@register.filter
def unit_price(value):
    """A unit price with at least two decimals and no trailing zeros beyond: 90 → "90.00",
    12.3450 → "12.345"."""
    if value is None:
        return ""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"
