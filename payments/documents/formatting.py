"""How amounts, rates and quantities read on a PDF document, in the language it is rendered
in (`translation.override` around a customer's document): `1,234.5` in English, `1.234,5`
in German. Money is Settle's one format (`billing.formats.format_money`)."""

from decimal import Decimal

from babel.numbers import format_decimal

from billing.formats import NUMBER_LOCALES, active_language, format_money
from billing.money import exponent, round_money

MINUS = "−"


def _locale() -> str:
    return NUMBER_LOCALES[active_language()]


def _grouped(value: Decimal, min_places: int, max_places: int | None, minus: str = "-") -> str:
    """`value` with the active language's grouping and decimal mark, between `min_places`
    and `max_places` decimals (None: as many as it has)."""
    pattern = "#,##0"
    if max_places is None:
        pattern += "." + "0" * min_places if min_places else ""
    elif max_places:
        pattern += "." + "0" * min_places + "#" * (max_places - min_places)
    text = format_decimal(
        abs(value), format=pattern, locale=_locale(), decimal_quantization=max_places is not None
    )
    return f"{minus}{text}" if value < 0 else text


def document_amount(amount: Decimal, currency: str) -> str:
    """`1,234.50`, `−12.00` (`1.234,50` in German): exact, at the currency's precision,
    without the currency."""
    amount = round_money(Decimal(amount), currency)
    places = exponent(currency)
    return _grouped(amount, places, places, MINUS)


def document_money(amount: Decimal, currency: str) -> str:
    """`€1,234.50`, `-€12.00` in English; `1.234,50 €` in German."""
    return format_money(amount, currency)


def document_number(value: Decimal) -> str:
    """A quantity without trailing zeros: `2`, `1.5`, `0.125` (`1,5` in German)."""
    value = Decimal(value)
    return _grouped(value.normalize() if value else Decimal(0), 0, None)


def document_unit_price(value: Decimal, currency: str) -> str:
    """A unit price keeps at least the currency's decimals and up to its four stored ones."""
    return _grouped(Decimal(value), exponent(currency), None)


def document_percent(rate: Decimal) -> str:
    """`21 %`, `7.5 %` (`7,5 %` in German)."""
    return f"{document_number(rate)}\u00a0%"
