"""The form fields of typed numbers (amounts, prices, quantities, rates) that both doors use,
the back office and the portal: a decimal comma is as good as a point. Parsing is the
kernel's (`billing.formats.parse_money_input`); this is only its form field."""

from decimal import Decimal, InvalidOperation

from django import forms

from billing.formats import parse_money_input

MONEY_WIDGET_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class MoneyField(forms.DecimalField):
    """`12,50`, `1.234,50`, `1,234.50` and `1234.5` are read as the amounts they mean (in the
    active language); anything else is the usual "Enter a number." error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("widget", forms.TextInput(attrs=dict(MONEY_WIDGET_ATTRS)))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and value.strip() not in self.empty_values:
            try:
                value = str(parse_money_input(value))
            except (InvalidOperation, ValueError):
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
        return super().to_python(value)


class DecimalInputField(MoneyField):
    """A price, quantity or rate: read like money, shown without trailing zeros (a stored
    2.0000 is typed back as 2, 150.5000 as 150.5)."""

    def prepare_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return format(value.normalize(), "f")
        return value
