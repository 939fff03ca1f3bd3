"""Client values for filters and cursors, parsed by field kind.

Every parser raises `ValueError` whose message completes the sentence
"… must be …"; callers turn it into a `ValidationError` that names the field.
Numbers are `Decimal` from end to end (the JSON is parsed with Decimal hooks)
and strings that PostgreSQL would refuse (NUL, lone surrogates) are refused
here, so nothing a client sends can reach the database as a 500.
"""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from billing.money import magnitude_below
from billing.validation import parse_iso_date

MAX_TEXT_LENGTH = 500
# Far beyond any stored amount, small enough for every database's numeric type.
NUMBER_LIMIT = Decimal(10) ** 18
MAX_DECIMAL_PLACES = 30

_DECIMAL_TEXT = re.compile(r"-?[0-9]{1,19}(\.[0-9]{1,30})?")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_PREFIXED = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


def parse_text(raw) -> str:
    if not isinstance(raw, str):
        raise ValueError("a string")
    if len(raw) > MAX_TEXT_LENGTH:
        raise ValueError(f"a string of at most {MAX_TEXT_LENGTH} characters")
    if "\x00" in raw:
        raise ValueError("a string without NUL characters")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("valid Unicode text") from None
    return raw


def parse_number(raw) -> Decimal:
    if isinstance(raw, Decimal):
        value = raw
    elif (isinstance(raw, int) and not isinstance(raw, bool)) or (
        isinstance(raw, str) and _DECIMAL_TEXT.fullmatch(raw)
    ):
        value = Decimal(raw)
    else:
        raise ValueError("a number (e.g. 12.50)")
    if not value.is_finite() or not magnitude_below(value, NUMBER_LIMIT):
        raise ValueError(f"a finite number below {NUMBER_LIMIT:,}")
    if value.as_tuple().exponent < -MAX_DECIMAL_PLACES:
        raise ValueError(f"a number with at most {MAX_DECIMAL_PLACES} decimal places")
    return value


def parse_date(raw) -> date:
    """`YYYY-MM-DD`, or the timestamp the API renders for dates (its date part)."""
    if not isinstance(raw, str) or not _DATE_PREFIXED.fullmatch(raw):
        raise ValueError("a date in YYYY-MM-DD format")
    try:
        return parse_iso_date(raw)
    except ValueError:
        raise ValueError("a real date in YYYY-MM-DD format") from None


def parse_datetime(raw) -> tuple[datetime, bool]:
    """An ISO 8601 timestamp (naive means UTC); a bare date is midnight UTC.

    Returns the moment and whether the client gave a whole day, so that
    `lte: "2025-12-31"` can include all of that day.
    """
    if not isinstance(raw, str) or len(raw) > 40:
        raise ValueError("an ISO 8601 date-time (e.g. 2024-01-15T10:30:00Z)")
    try:
        if _DATE_TEXT.fullmatch(raw):
            return datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC), True
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("an ISO 8601 date-time (e.g. 2024-01-15T10:30:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC), False
    except OverflowError:
        raise ValueError("a date-time between years 1 and 9999") from None


def next_day(moment: datetime) -> datetime:
    try:
        return moment + timedelta(days=1)
    except OverflowError:
        raise ValueError("a date before 9999-12-31") from None


def parse_boolean(raw) -> bool:
    if not isinstance(raw, bool):
        raise ValueError("true or false")
    return raw


def parse_choice(raw, choices: tuple[str, ...]) -> str:
    text = parse_text(raw)
    if choices and text not in choices:
        raise ValueError(f"one of {', '.join(choices)}")
    return text


def parse_scalar(kind: str, raw, choices: tuple[str, ...] = ()):
    """A single non-null value of `kind` (datetimes as a moment, dropping the whole-day flag)."""
    if kind == "number":
        return parse_number(raw)
    if kind == "date":
        return parse_date(raw)
    if kind == "datetime":
        return parse_datetime(raw)[0]
    if kind == "boolean":
        return parse_boolean(raw)
    if kind == "enum":
        return parse_choice(raw, choices)
    return parse_text(raw)  # id, string, metadata values


def to_json(kind: str, value):
    """A stored value as JSON-safe data that `from_json` restores exactly (for cursors)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"Cannot put a {type(value).__name__} into a cursor ({kind}).")


def from_json(kind: str, raw):
    if raw is None:
        return None
    if kind == "number":
        return Decimal(raw) if isinstance(raw, str) else raw
    if kind == "date":
        return date.fromisoformat(raw)
    if kind == "datetime":
        return datetime.fromisoformat(raw)
    if kind == "boolean":
        if not isinstance(raw, bool):
            raise ValueError("not a boolean")
        return raw
    if not isinstance(raw, str | int):
        raise ValueError("not a string")
    return raw
