"""How Settle writes values for machines: the API's timestamps, also used by exports."""

from datetime import UTC, date, datetime, time


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
