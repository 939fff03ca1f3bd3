"""Prices and quantities typed the way people type them: a decimal comma or point, thousands
grouped or not."""

from decimal import Decimal

import pytest
from django import forms

from config.money_input import DecimalInputField


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("12,50", Decimal("12.50")),
        ("12.50", Decimal("12.50")),
        ("1 234,56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("0,5", Decimal("0.5")),
    ],
)
def test_a_decimal_comma_or_point_reads_the_same(typed, read):
    assert DecimalInputField(decimal_places=4).clean(typed) == read


@pytest.mark.parametrize("typed", ["1,2,3", "abc", "12,5x", "NaN", "Infinity", "1e5,5"])
def test_what_is_not_a_number_is_a_form_error(typed):
    with pytest.raises(forms.ValidationError):
        DecimalInputField(decimal_places=4).clean(typed)


def test_stored_values_are_shown_without_trailing_zeros():
    field = DecimalInputField()

    assert field.prepare_value(Decimal("150.0000")) == "150"
    assert field.prepare_value(Decimal("2.3500")) == "2.35"
