"""`list_page`: the one implementation of limit, cursors, order, query, search and total.

Every list endpoint hands it a queryset already scoped to what the caller may
see (entity, permissions, `select_related` for embeds) and the request's
query parameters. It validates them all before touching the database, then
runs exactly one query for the page (`limit + 1` rows, to learn whether
another page exists) and one COUNT unless `include_total_count=false`.
Parameters it does not know (`include`, …) are left to the view.

Walking pages is correct under concurrent inserts: each page is "the rows
after (or before) this key", so a row inserted elsewhere never shifts a page
into a duplicate or a gap; rows inserted at the head simply are not part of
a forward walk that started before them.
"""

from collections.abc import Mapping

from django.db.models import F

from api.framework.listing import keyset
from api.framework.listing.cursor import NEXT, PREV, Cursor, Order, decode_cursor, encode_cursor
from api.framework.listing.params import (
    parse_include_total,
    parse_limit,
    parse_order,
    parse_search,
)
from api.framework.listing.query import parse_query
from api.framework.listing.spec import ListSpec, Page
from billing.errors import ValidationError

_ORDER_ANNOTATION = "listing_order_value"


def _cursor(params: Mapping[str, str], model, order: Order) -> Cursor | None:
    given = [param for param in (NEXT, PREV) if params.get(param)]
    if len(given) > 1:
        raise ValidationError(
            "Send next_cursor or prev_cursor, not both.", code="invalid_cursor", param=PREV
        )
    if not given:
        return None
    param = given[0]
    return decode_cursor(params[param], model=model, order=order, param=param)


def list_page(queryset, params: Mapping[str, str], spec: ListSpec) -> Page:
    """One page of `queryset` as `params` ask (see the module docstring for the contract).

    Raises `ValidationError` with codes `invalid_limit`, `invalid_order_by`,
    `invalid_cursor`, `invalid_include_total_count`, `invalid_query`,
    `query_too_long` and `invalid_search`, before any query runs.
    """
    model = queryset.model
    limit = parse_limit(params.get("limit"))
    include_total = parse_include_total(params.get("include_total_count"))
    order = parse_order(params.get("order_by"), spec)
    cursor = _cursor(params, model, order)
    condition = parse_query(params.get("query") or "{}", spec) & parse_search(
        params.get("search"), spec
    )

    filtered = queryset.filter(condition)
    total = filtered.count() if include_total else -1

    forward = cursor is None or cursor.forward
    rows_query = filtered.order_by(*keyset.ordering(model, order, reverse=not forward))
    if cursor is not None:
        rows_query = rows_query.filter(
            keyset.seek(model, order, cursor.value, cursor.pk, forward=forward)
        )
    path = order.field.path
    if keyset.needs_annotation(model, path):
        rows_query = rows_query.annotate(**{_ORDER_ANNOTATION: F(path)})
    rows = list(rows_query[: limit + 1])
    beyond = len(rows) > limit  # the extra row: another page lies in the walking direction
    rows = rows[:limit]
    if not forward:
        rows.reverse()

    def cursor_at(row, param: str) -> str:
        value = keyset.row_value(row, model, path, _ORDER_ANNOTATION)
        return encode_cursor(model, order, param, value, row.pk)

    # Forward, rows before exist once we came through a cursor; backward, rows
    # after exist (the page we came from). The extra row fetched tells the other side.
    more_after = beyond if forward else True
    more_before = cursor is not None if forward else beyond
    next_cursor = cursor_at(rows[-1], NEXT) if rows and more_after else None
    return Page(
        rows=rows,
        pagination={
            "total": total,
            "next_cursor": next_cursor,
            "prev_cursor": cursor_at(rows[0], PREV) if rows and more_before else None,
            # Stripe's meaning in either direction: another page follows this one, so a
            # client that loops `while has_more` over `next_cursor` never stops early.
            "has_more": next_cursor is not None,
        },
    )


def list_all(queryset, params: Mapping[str, str], spec: ListSpec):
    """Every row `query` and `search` select, in `order_by` order: for exports, not pages."""
    order = parse_order(params.get("order_by"), spec)
    condition = parse_query(params.get("query") or "{}", spec) & parse_search(
        params.get("search"), spec
    )
    return queryset.filter(condition).order_by(
        *keyset.ordering(queryset.model, order, reverse=False)
    )
