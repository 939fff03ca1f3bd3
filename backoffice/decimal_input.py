"""Decimal inputs that read the way people type numbers: `12,50` as well as `12.50`."""

import re
from decimal import Decimal

from django import forms

DECIMAL_WIDGET_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}
SPACES = re.compile(r"[\s\u00a0\u202f']")


def normalise_decimal_text(value: str) -> str:
    """`1 234,56` → `1234.56`; `1.234,56` → `1234.56`; `1,234.56` → `1234.56`.

    Whichever of comma and point comes last is the decimal separator; the other groups
    thousands. A lone comma is always the decimal separator (`1,5` is one and a half).
    """
    text = SPACES.sub("", value.strip())
    comma, point = text.rfind(","), text.rfind(".")
    if comma > point:
        return text.replace(".", "").replace(",", ".")
    if point > comma >= 0:
        return text.replace(",", "")
    return text


class LocalDecimalField(forms.DecimalField):
    """A DecimalField that also accepts a decimal comma and thousands separators."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs=dict(DECIMAL_WIDGET_ATTRS)))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_decimal_text(value)
        return super().to_python(value)

    def prepare_value(self, value):
        # Show stored values without trailing zeros: 2.0000 → 2, 150.5000 → 150.5.
        if isinstance(value, Decimal) and value.is_finite():
            text = format(value.normalize(), "f")
            return text
        return value
