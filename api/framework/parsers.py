"""JSON in: every number becomes a `Decimal` (never a float); NaN and Infinity are refused."""

import simplejson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

MAX_BODY_DEPTH = 20


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a valid JSON number")


def _depth(value, level: int = 0) -> int:
    if level > MAX_BODY_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(item, level + 1) for item in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level + 1)
    return level


def loads_exact(text: str | bytes):
    """Parse JSON with exact decimals. Raises ValueError (or RecursionError) on bad input."""
    return simplejson.loads(text, use_decimal=True, parse_constant=_refuse_constant)


class DecimalJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            data = loads_exact(raw.decode("utf-8"))
        except (ValueError, RecursionError, UnicodeDecodeError) as error:
            raise ParseError(f"Malformed JSON body: {str(error)[:200]}") from None
        if _depth(data) > MAX_BODY_DEPTH:
            raise ParseError(f"The JSON body is nested deeper than {MAX_BODY_DEPTH} levels.")
        return data
