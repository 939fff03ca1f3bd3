"""The scalar list parameters: `limit`, `include_total_count`, `order_by`, `search`.

An absent or empty parameter takes its default; anything else that is not
exactly what the contract allows is a `ValidationError` naming the parameter.
"""

import re

from django.db.models import Q

from api.framework.listing.cursor import Order
from api.framework.listing.expressions import MetadataValueContains
from api.framework.listing.spec import ListSpec
from billing.errors import ValidationError

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_SEARCH_LENGTH = 200

_LIMIT = re.compile(r"[0-9]{1,6}")
_TRUE = ("true", "1")
_FALSE = ("false", "0")


def parse_limit(raw: str | None) -> int:
    if not raw:
        return DEFAULT_LIMIT
    if not _LIMIT.fullmatch(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationError(
            f"limit must be a whole number from 1 to {MAX_LIMIT}.",
            code="invalid_limit",
            param="limit",
        )
    return int(raw)


def parse_include_total(raw: str | None) -> bool:
    if not raw:
        return True
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ValidationError(
        "include_total_count must be true or false.",
        code="invalid_include_total_count",
        param="include_total_count",
    )


def parse_order(raw: str | None, spec: ListSpec) -> Order:
    token = raw or spec.default_order
    field = spec.by_name.get(token.removeprefix("-"))
    if field is None or not field.orderable:
        shown = token if len(token) <= 60 else f"{token[:57]}..."
        raise ValidationError(
            f"Cannot order by {shown!r}; use one of {', '.join(spec.orderable_names)}, "
            "with a leading '-' for descending.",
            code="invalid_order_by",
            param="order_by",
        )
    return Order(field=field, descending=token.startswith("-"))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_search(raw: str | None, spec: ListSpec) -> Q:
    """Case-insensitive "contains" over the spec's text columns or any metadata value."""
    text = (raw or "").strip()
    if not text:
        return Q()
    if len(text) > MAX_SEARCH_LENGTH or "\x00" in text or not _encodable(text):
        raise ValidationError(
            f"search must be at most {MAX_SEARCH_LENGTH} characters of text.",
            code="invalid_search",
            param="search",
        )
    if spec.search_document:
        return Q(**{f"{spec.search_document}__icontains": text})
    condition = Q()
    for path in spec.search_paths:
        condition |= Q(**{f"{path}__icontains": text})
    if spec.metadata_path:
        condition |= Q(MetadataValueContains(spec.metadata_path, text))
    return condition
