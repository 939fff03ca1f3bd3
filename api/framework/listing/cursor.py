"""Opaque, signed keyset cursors.

A cursor is `django.core.signing.dumps(..., compress=True)` of

    {"v": 1, "o": "-amount", "d": "next", "k": ["12.50", "pmt_01j…"]}

— format version, the `order_by` it was issued for, the parameter it belongs
in (`next`/`prev`) and the boundary row's order value and primary key —
salted with the model's label, so a payments cursor means nothing to the
invoices list. The signature makes forged, truncated or edited cursors fail
as a whole; the checks after it catch a genuine cursor used in the wrong
place. Clients treat the string as opaque: the format may change with `v`.
"""

from dataclasses import dataclass

from django.core import signing

from api.framework.listing import values
from api.framework.listing.spec import Field
from billing.errors import ValidationError

CURSOR_VERSION = 1
MAX_CURSOR_LENGTH = 2048
NEXT = "next_cursor"
PREV = "prev_cursor"
_DIRECTIONS = {NEXT: "next", PREV: "prev"}


@dataclass(frozen=True)
class Order:
    """A validated `order_by`: the field and its direction (the primary key breaks ties)."""

    field: Field
    descending: bool

    @property
    def token(self) -> str:
        return f"-{self.field.name}" if self.descending else self.field.name


@dataclass(frozen=True)
class Cursor:
    """A decoded cursor: which parameter it came in, and the boundary row's key."""

    param: str  # NEXT or PREV
    value: object
    pk: object

    @property
    def forward(self) -> bool:
        return self.param == NEXT


def _salt(model) -> str:
    return f"settle.api.listing.cursor:{model._meta.label_lower}"


def encode_cursor(model, order: Order, param: str, value, pk) -> str:
    payload = {
        "v": CURSOR_VERSION,
        "o": order.token,
        "d": _DIRECTIONS[param],
        "k": [
            values.to_json(order.field.kind, value),
            pk if isinstance(pk, int | str) else str(pk),
        ],
    }
    return signing.dumps(payload, salt=_salt(model), compress=True)


def _invalid(message: str, param: str) -> ValidationError:
    return ValidationError(message, code="invalid_cursor", param=param)


def decode_cursor(token: str, *, model, order: Order, param: str) -> Cursor:
    """The cursor in `token`, or `ValidationError(code="invalid_cursor", param=param)`."""
    unknown = _invalid(
        f"{param} is not a cursor issued by this list; start again from the first page.", param
    )
    if len(token) > MAX_CURSOR_LENGTH:
        raise unknown
    try:
        payload = signing.loads(token, salt=_salt(model))
    except (signing.BadSignature, ValueError):
        raise unknown from None
    if (
        not isinstance(payload, dict)
        or payload.get("v") != CURSOR_VERSION
        or payload.get("d") not in _DIRECTIONS.values()
        or not isinstance(payload.get("o"), str)
        or not isinstance(payload.get("k"), list)
        or len(payload["k"]) != 2
    ):
        raise unknown
    if payload["d"] != _DIRECTIONS[param]:
        other = NEXT if param == PREV else PREV
        raise _invalid(f"This cursor is a {other}; send it as {other}.", param)
    if payload["o"] != order.token:
        raise _invalid(
            f"This cursor was issued for order_by={payload['o']}, not {order.token}; "
            "send it with the same order_by and filters as the page it came from.",
            param,
        )
    raw_value, raw_pk = payload["k"]
    try:
        value = values.from_json(order.field.kind, raw_value)
        pk = model._meta.pk.to_python(raw_pk)
    except (ValueError, TypeError, ArithmeticError):
        raise unknown from None
    return Cursor(param=param, value=value, pk=pk)
