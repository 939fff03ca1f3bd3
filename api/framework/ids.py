"""What may be an object id in a URL or header: anything else is a 404 without a query.

Ids are short printable strings (`pmt_01j…`); a NUL byte or a lone surrogate
could not even be sent to PostgreSQL, and a megabyte of text is not worth a
round trip.
"""

MAX_ID_LENGTH = 64


def is_possible_id(value) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_LENGTH
        and value.isprintable()
        and not value.isspace()
    )


def shown_id(value: str) -> str:
    """The id for an error message, cut short and with unprintable characters escaped."""
    text = value if len(value) <= MAX_ID_LENGTH else f"{value[:MAX_ID_LENGTH]}…"
    return text if text.isprintable() else repr(text)
