"""Reading money typed by people: the decimal comma of German and the point of English."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from billing.formats import format_day, format_money, parse_money_input
from config.money_input import MoneyField


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("12,50", "12.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1234.5", "1234.5"),
        (" 0,5 ", "0.5"),
        ("1 234,50", "1234.50"),
    ],
)
def test_a_decimal_comma_or_point_reads_as_the_amount_meant(typed, amount):
    assert MoneyField().clean(typed) == Decimal(amount)


def test_a_lone_comma_before_three_digits_groups_thousands_in_english_only():
    assert parse_money_input("1,234", "en") == Decimal("1234")
    assert parse_money_input("1,234", "de") == Decimal("1.234")


@pytest.mark.parametrize("typed", ["12,5,0", "abc", "1.2.3,4,5", "€"])
def test_anything_else_is_the_usual_form_error(typed):
    with pytest.raises(forms.ValidationError) as error:
        MoneyField().clean(typed)
    assert error.value.code == "invalid"


def test_money_and_dates_follow_the_active_language():
    from datetime import date

    assert format_money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert format_money(Decimal("-12"), "USD") == "-$12.00"
    assert format_money(Decimal("5"), "CHF") == "CHF\xa05.00"
    assert format_day(date(2026, 3, 1)) == "1 Mar 2026"
    with translation.override("de"):
        assert format_money(Decimal("1234.5"), "EUR") == "1.234,50\xa0€"
        assert format_day(date(2026, 3, 1)) == "01.03.2026"
