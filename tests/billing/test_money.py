"""The money kernel: exact parsing, the currency's precision, the limits, minor units."""

from decimal import Decimal

import pytest

from billing.errors import CurrencyMismatch, InvalidAmount
from billing.money import (
    check_amount,
    from_minor_units,
    round_money,
    to_minor_units,
    validate_currency,
)


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("12.34"), "EUR", Decimal("12.34")),
        ("12.34", "EUR", Decimal("12.34")),
        (" 12.5 ", "EUR", Decimal("12.50")),
        (12, "EUR", Decimal("12.00")),
        (Decimal("12.3400"), "EUR", Decimal("12.34")),
        (Decimal("1500"), "JPY", Decimal("1500")),
        (Decimal("0.01"), "EUR", Decimal("0.01")),
        (Decimal("9999999999999.99"), "EUR", Decimal("9999999999999.99")),
    ],
)
def test_check_amount_accepts_exact_amounts_and_quantizes_to_the_currency(
    value, currency, expected
):
    amount = check_amount(value, currency)

    assert amount == expected
    assert amount.as_tuple().exponent == expected.as_tuple().exponent


def test_exponent_string_is_read_exactly_not_through_float():
    amount = check_amount("1e3", "EUR")

    assert amount == Decimal("1000.00")
    assert str(amount) == "1000.00"


def test_exponent_string_finer_than_a_cent_is_refused():
    with pytest.raises(InvalidAmount) as info:
        check_amount("1e-3", "EUR")

    assert info.value.code == "too_many_decimals"


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-0"), "0.00", 0])
def test_zero_amount_is_refused(value):
    with pytest.raises(InvalidAmount) as info:
        check_amount(value, "EUR")

    assert info.value.code == "amount_not_positive"
    assert info.value.param == "amount"


@pytest.mark.parametrize("value", [Decimal("-0.01"), "-5", -1])
def test_negative_amount_is_refused(value):
    with pytest.raises(InvalidAmount) as info:
        check_amount(value, "EUR")

    assert info.value.code == "amount_not_positive"


def test_negative_amount_is_accepted_where_allowed():
    assert check_amount("-5.10", "EUR", allow_negative=True) == Decimal("-5.10")


@pytest.mark.parametrize(
    "value",
    [Decimal("NaN"), Decimal("sNaN"), "NaN", Decimal("Infinity"), Decimal("-Infinity"), "inf"],
)
def test_non_finite_amount_is_refused(value):
    with pytest.raises(InvalidAmount) as info:
        check_amount(value, "EUR")

    assert info.value.code == "invalid_amount"
    assert "finite" in info.value.message


@pytest.mark.parametrize("value", [12.5, 0.1, float("nan"), float("inf"), True])
def test_float_and_bool_amounts_are_refused(value):
    with pytest.raises(InvalidAmount) as info:
        check_amount(value, "EUR")

    assert info.value.code == "invalid_amount"
    assert "not" in info.value.message


@pytest.mark.parametrize("value", ["", "abc", "12,50", "1.2.3", None, [12], {"amount": 1}])
def test_non_numeric_amount_is_refused(value):
    with pytest.raises(InvalidAmount) as info:
        check_amount(value, "EUR")

    assert info.value.code == "invalid_amount"


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        (Decimal("12.345"), "EUR"),
        ("0.001", "USD"),
        (Decimal("1.5"), "JPY"),
        ("100.01", "KRW"),
    ],
)
def test_more_decimals_than_the_currency_allows_is_refused(value, currency):
    with pytest.raises(InvalidAmount) as info:
        check_amount(value, currency)

    assert info.value.code == "too_many_decimals"


@pytest.mark.parametrize(
    "value",
    [
        Decimal(10) ** 13,
        Decimal("10000000000000.00"),
        "1e13",
        Decimal("1E+400"),
        -(Decimal(10) ** 13),
    ],
)
def test_amount_at_or_above_ten_to_the_thirteen_is_refused(value):
    with pytest.raises(InvalidAmount) as info:
        check_amount(value, "EUR", allow_negative=True)

    assert info.value.code == "amount_too_large"


@pytest.mark.parametrize("currency", ["XXX", "KWD", "", "eur1", None])
def test_unsupported_currency_is_refused(currency):
    with pytest.raises(CurrencyMismatch) as info:
        check_amount(Decimal("10.00"), currency)

    assert info.value.code == "unsupported_currency"


def test_validate_currency_normalises_case_and_refuses_unknown_codes():
    assert validate_currency("eur") == "EUR"
    with pytest.raises(CurrencyMismatch) as info:
        validate_currency("BTC")
    assert info.value.code == "unsupported_currency"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("2.345"), "EUR", Decimal("2.35")),
        (Decimal("2.344"), "EUR", Decimal("2.34")),
        (Decimal("-2.345"), "EUR", Decimal("-2.35")),
        (Decimal("0.5"), "JPY", Decimal("1")),
        (Decimal("1.49"), "JPY", Decimal("1")),
    ],
)
def test_rounding_is_half_up_at_the_currency_exponent(amount, currency, expected):
    assert round_money(amount, currency) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("12.34"), "EUR", 1234),
        (Decimal("0.01"), "USD", 1),
        (Decimal("1500"), "JPY", 1500),
        (Decimal("9999999999999.99"), "EUR", 999999999999999),
    ],
)
def test_minor_units_conversion_is_exact_both_ways(amount, currency, minor):
    assert to_minor_units(amount, currency) == minor
    assert from_minor_units(minor, currency) == amount


def test_minor_units_refuses_an_amount_finer_than_the_currency_unit():
    with pytest.raises(InvalidAmount):
        to_minor_units(Decimal("12.345"), "EUR")
    with pytest.raises(InvalidAmount):
        to_minor_units(Decimal("10.5"), "JPY")
