"""How amounts, rates, quantities and bank details read on a PDF document.

Kept in this one module so that the shared money format can replace `document_money`
without touching the templates or the content builder.
"""

from decimal import Decimal

from billing.money import exponent, round_money


def document_amount(amount: Decimal, currency: str) -> str:
    """`1,234.50`, `−12.00`: exact, at the currency's precision, without the currency."""
    amount = round_money(Decimal(amount), currency)
    sign = "−" if amount < 0 else ""
    return f"{sign}{abs(amount):,.{exponent(currency)}f}"


def document_money(amount: Decimal, currency: str) -> str:
    """`1,234.50 EUR`, `−12.00 EUR`."""
    return f"{document_amount(amount, currency)} {currency}"


def document_number(value: Decimal) -> str:
    """A quantity or a unit price without trailing zeros: `2`, `1.5`, `0.125`."""
    value = Decimal(value)
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return f"{grouped}.{fraction}" if fraction else grouped


def document_unit_price(value: Decimal, currency: str) -> str:
    """A unit price keeps at least the currency's decimals and up to its four stored ones."""
    value = Decimal(value)
    places = exponent(currency)
    text = f"{value:f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(places, "0")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def document_percent(rate: Decimal) -> str:
    """`21 %`, `7.5 %`."""
    return f"{document_number(rate)}\u00a0%"


def grouped_iban(iban: str) -> str:
    """An IBAN in groups of four, as people read it from paper."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
