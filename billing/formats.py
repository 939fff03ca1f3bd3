"""How Settle writes values: for machines (the API's timestamps, also used by exports) and
for people (money and dates, the same on every page, e-mail and PDF)."""

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from django.utils import timezone, translation

from billing.money import round_money


def format_timestamp(value: datetime | date | None) -> str | None:
    """`2024-01-15T10:30:00.000Z`: UTC with milliseconds, as the reference renders it."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=UTC)
    value = value.astimezone(UTC)
    # Not strftime: its %Y does not pad years before 1000 to four digits on every platform.
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}Z"
    )


# --- For people: one money and date format for every screen, e-mail and PDF -----------------
# The language decides: the active one (`translation.override` around a customer's e-mail or
# document, English on the back office's pages), or the one given.
NUMBER_LOCALES = {"en": "en_US", "de": "de_DE"}
DATE_PATTERNS = {"en": "d MMM y", "de": "dd.MM.y"}


def active_language(language: str | None = None) -> str:
    """The language given, or the active one, as one of ours (`en` when it is neither)."""
    code = (language or translation.get_language() or "en").split("-")[0].lower()
    return code if code in NUMBER_LOCALES else "en"


def format_money(amount: Decimal | None, currency: str, language: str | None = None) -> str:
    """`€1,234.50` in English, `1.234,50 €` in German; exact, at the currency's precision."""
    if amount is None:
        return ""
    rounded = round_money(Decimal(amount), currency)
    text = format_currency(rounded, currency, locale=NUMBER_LOCALES[active_language(language)])
    # English puts a code without a symbol straight before the digits ("CHF1.00").
    return re.sub(rf"^(-?){currency}(?=\d)", lambda m: f"{m[1]}{currency}\u00a0", text)


def format_amount(amount: Decimal, currency: str, language: str | None = None) -> str:
    """`1,234.50` (`1.234,50` in German): a money figure in a column headed by its currency."""
    rounded = round_money(Decimal(amount), currency)
    places = max(-rounded.as_tuple().exponent, 0)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(rounded, format=pattern, locale=NUMBER_LOCALES[active_language(language)])


def format_iban(iban: str) -> str:
    """An IBAN in groups of four, as people read it from paper: `DE89 3704 0044 0532 0130 00`."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def format_day(value: date | datetime | None, language: str | None = None) -> str:
    """`21 Nov 2026` in English, `21.11.2026` in German: the one way Settle writes a date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    language = active_language(language)
    return babel_format_date(value, DATE_PATTERNS[language], locale=NUMBER_LOCALES[language])


POINT_DECIMAL = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")  # 1,234.50 or 1234.5
COMMA_DECIMAL = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")  # 1.234,50 or 1234,5


def parse_money_input(text: str, language: str | None = None) -> Decimal:
    """A typed amount with the locale's decimal comma or a point: `1.234,50`, `1234,5` and
    `1,234.50` all mean 1234.50; `1,234` is a thousand and more in English, a little over
    one in German. Raises `decimal.InvalidOperation` for anything else."""
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    point, comma = POINT_DECIMAL.match(text), COMMA_DECIMAL.match(text)
    if point and comma and ("," in text or "." in text):  # one separator, three digits after
        point, comma = (point, None) if active_language(language) == "en" else (None, comma)
    if point:
        return Decimal(text.replace(",", ""))
    if comma:
        return Decimal(text.replace(".", "").replace(",", "."))
    raise InvalidOperation(f"not an amount: {text!r}")
