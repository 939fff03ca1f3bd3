"""Money helpers: currencies, exact parsing, rounding and minor units.

Amounts are `Decimal` everywhere. The database stores them as
`DecimalField(max_digits=15, decimal_places=2)`, so only currencies with at
most two decimals are supported (three-decimal currencies such as KWD are
refused rather than silently rounded).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import DecimalField, Sum

from billing.errors import CurrencyMismatch, InvalidAmount

# ISO 4217 code -> number of decimals (the currency's exponent).
CURRENCY_EXPONENTS: dict[str, int] = {
    "AUD": 2,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "ISK": 0,
    "JPY": 0,
    "KRW": 0,
    "MXN": 2,
    "NOK": 2,
    "NZD": 2,
    "PLN": 2,
    "RON": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TRY": 2,
    "USD": 2,
    "VND": 0,
    "ZAR": 2,
}
CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCY_EXPONENTS)]

MAX_AMOUNT = Decimal(10) ** 13  # amounts at or above this are refused
ZERO = Decimal("0")

MONEY_FIELD = {"max_digits": 15, "decimal_places": 2}


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise CurrencyMismatch(
            f"Unsupported currency {currency!r}.", code="unsupported_currency", param="currency"
        ) from None


def validate_currency(currency: object, param: str = "currency") -> str:
    if not isinstance(currency, str) or currency.upper() not in CURRENCY_EXPONENTS:
        raise CurrencyMismatch(
            f"Unsupported currency {currency!r}; use an ISO 4217 code such as EUR.",
            code="unsupported_currency",
            param=param,
        )
    return currency.upper()


def to_decimal(value: object, param: str = "amount") -> Decimal:
    """Read a number exactly. Floats are refused: they cannot carry money exactly."""
    if isinstance(value, bool | float):
        raise InvalidAmount(
            f"{param} must be a decimal number, not {type(value).__name__}.", param=param
        )
    if isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidAmount(f"{param} is not a number.", param=param) from None
    if not isinstance(value, Decimal):
        raise InvalidAmount(f"{param} must be a number.", param=param)
    if not value.is_finite():
        raise InvalidAmount(f"{param} must be a finite number.", param=param)
    return value


def magnitude_below(value: Decimal, limit: Decimal) -> bool:
    """|value| < limit, compared without arithmetic.

    `abs()` and negation round to the decimal context, so a client's `1e1000000`
    (beyond the context's exponent limit) would raise `decimal.Overflow` there;
    comparisons are exact at any exponent.
    """
    return -limit < value < limit


def check_amount(
    value: object,
    currency: str,
    *,
    param: str = "amount",
    allow_zero: bool = False,
    allow_negative: bool = False,
) -> Decimal:
    """Validate an amount for `currency` and return it quantized to the currency's exponent.

    Refuses non-finite values, more decimals than the currency allows, zero and
    negatives (unless allowed), and magnitudes at or above 10^13.
    """
    amount = to_decimal(value, param)
    places = exponent(currency)
    too_large = not magnitude_below(amount, MAX_AMOUNT)
    if not too_large and amount != round_money(amount, currency):
        raise InvalidAmount(
            f"{param} has more decimals than {currency} allows ({places}).",
            code="too_many_decimals",
            param=param,
        )
    if too_large:
        raise InvalidAmount(f"{param} must be below 10^13.", code="amount_too_large", param=param)
    if amount == 0 and not allow_zero:
        raise InvalidAmount(
            f"{param} must be greater than zero.", code="amount_not_positive", param=param
        )
    if amount < 0 and not allow_negative:
        raise InvalidAmount(
            f"{param} must be greater than zero.", code="amount_not_positive", param=param
        )
    return round_money(amount, currency)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """The one rounding rule: ROUND_HALF_UP at the currency's exponent."""
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Exact conversion for gateways; an amount finer than the currency's unit is refused."""
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{amount} is not a whole number of {currency} minor units.")
    return int(scaled)


def from_minor_units(value: int, currency: str) -> Decimal:
    return round_money(Decimal(value).scaleb(-exponent(currency)), currency)


class MoneySum(Sum):
    """Σ of a money column (or an expression of them), exact on every engine; nothing sums to 0.

    SQLite adds decimals in floating point (0.10 + 100.10 - 100.10 comes back as
    0.0999999999999943), so the result is quantized back to the columns' two
    places, which is exact for any sum below 10^13.
    """

    _places = Decimal(1).scaleb(-MONEY_FIELD["decimal_places"])

    def __init__(self, expression, **extra):
        super().__init__(expression, output_field=DecimalField(**MONEY_FIELD), **extra)

    def convert_value(self, value, expression, connection):
        return money_from_sum(value)


def money_from_sum(value) -> Decimal:
    """A database SUM of money columns as an exact amount (see MoneySum); nothing is 0."""
    return ZERO if value is None else Decimal(value).quantize(MoneySum._places)
