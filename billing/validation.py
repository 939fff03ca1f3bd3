"""Validation of free-form input shared by every resource: metadata, short texts, dates."""

import re
from datetime import date, datetime

from billing.errors import ValidationError

# A date, or an ISO 8601 date-time (such as the `2024-01-15T00:00:00.000Z` the API renders).
_ISO_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)

METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 250


def clean_metadata(value, param: str = "metadata") -> dict:
    """At most 50 keys of at most 40 characters, each value a string of at most 250."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError("metadata must be an object.", code="invalid_metadata", param=param)
    if len(value) > METADATA_MAX_KEYS:
        raise ValidationError(
            f"metadata can have at most {METADATA_MAX_KEYS} keys ({len(value)} given).",
            code="invalid_metadata",
            param=param,
        )
    for key, item in value.items():
        if not isinstance(key, str) or not key or len(key) > METADATA_MAX_KEY_LENGTH:
            raise ValidationError(
                f"metadata key {str(key)[:50]!r} must be 1 to {METADATA_MAX_KEY_LENGTH} characters.",
                code="invalid_metadata",
                param=f"{param}.{str(key)[:50]}",
            )
        if not isinstance(item, str):
            raise ValidationError(
                f"metadata value for {key!r} must be a string.",
                code="invalid_metadata",
                param=f"{param}.{key}",
            )
        if len(item) > METADATA_MAX_VALUE_LENGTH:
            raise ValidationError(
                f"metadata value for {key!r} is longer than {METADATA_MAX_VALUE_LENGTH} characters.",
                code="invalid_metadata",
                param=f"{param}.{key}",
            )
        if not storable_text(key) or not storable_text(item):
            raise ValidationError(
                f"metadata {key!a} is not valid text (NUL or a lone surrogate).",
                code="invalid_metadata",
                param=f"{param}.{key}" if storable_text(key) else param,
            )
    return dict(value)


def clean_text(value, param: str, max_length: int) -> str | None:
    """An optional text: None stays None, other values must be strings within the limit."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{param} must be a string.", param=param)
    if len(value) > max_length:
        raise ValidationError(f"{param} is longer than {max_length} characters.", param=param)
    if not storable_text(value):
        raise ValidationError(f"{param} contains characters that are not valid text.", param=param)
    return value


def storable_text(value: str) -> bool:
    """No NUL and no lone surrogate: what PostgreSQL can store and JSON can echo back."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_iso_date(text: object) -> date:
    """The date of `YYYY-MM-DD` or of an ISO 8601 date-time, as written.

    The whole value must be real: `2024-02-28T25:61:00Z` or `2024-02-30` raise
    ValueError rather than being cut down to a date.
    """
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError("not a date in YYYY-MM-DD format")
    if len(text) > 10:
        datetime.fromisoformat(text)  # the time and offset must be real too
    return date.fromisoformat(text[:10])


def check_year(value: date, param: str) -> date:
    """Accounting dates live between 1900 and 2999; anything else is a typo."""
    if not 1900 <= value.year <= 2999:
        raise ValidationError(
            f"{param} must be between 1900 and 2999.", code="invalid_date", param=param
        )
    return value


def parse_date_param(value, param: str, default=None):
    """A date (YYYY-MM-DD or ISO 8601 date-time) or `default` when empty."""
    if value in (None, ""):
        return default
    if not isinstance(value, date):
        try:
            value = parse_iso_date(value)
        except ValueError:
            raise ValidationError(
                f"{param} must be a date (YYYY-MM-DD).", code="invalid_date", param=param
            ) from None
    return check_year(value, param)
