"""The form field every money input uses: a decimal comma is as good as a point."""

from decimal import InvalidOperation

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
