"""Keyset (seek) pagination: a total order and the condition "after this row".

The order is `(field, pk)`, both in the requested direction, so it is total
even when many rows share a value. NULL sorts as the largest value on every
database (`NULLS LAST` ascending, `NULLS FIRST` descending), which lets
nullable fields paginate like any other. The seek condition repeats the
field bound on its own (`amount <= x AND (amount < x OR id < y)`) so the
database can start an index range scan at the boundary instead of filtering
from the top: page N costs what page 1 costs.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q

from api.framework.listing.cursor import Order


def is_pk(model, path: str) -> bool:
    return path in ("pk", model._meta.pk.name, model._meta.pk.attname)


def may_be_null(model, path: str) -> bool:
    """Whether the value at `path` can be NULL (a nullable column or a nullable join)."""
    opts = model._meta
    for part in path.split("__"):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            # An attname such as "invoice_id", or something we cannot see through.
            field = next((f for f in opts.concrete_fields if f.attname == part), None)
            if field is None:
                return True
        if field.null or (field.is_relation and (field.many_to_many or field.one_to_many)):
            return True
        if field.is_relation and field.related_model is not None:
            opts = field.related_model._meta
    return False


def ordering(model, order: Order, *, reverse: bool = False) -> list:
    """The ORDER BY for `order` (or its exact reverse, for walking backwards)."""
    descending = order.descending != reverse
    pk = model._meta.pk.attname
    tiebreak = F(pk).desc() if descending else F(pk).asc()
    path = order.field.path
    if is_pk(model, path):
        return [tiebreak]
    column = F(path)
    if not may_be_null(model, path):
        return [column.desc() if descending else column.asc(), tiebreak]
    if descending:
        return [column.desc(nulls_first=True), tiebreak]
    return [column.asc(nulls_last=True), tiebreak]


def seek(model, order: Order, value, pk, *, forward: bool) -> Q:
    """Rows strictly after (forward) or before the row with key `(value, pk)` in `order`."""
    pk_name = model._meta.pk.attname
    path = order.field.path
    larger = forward != order.descending  # in ascending terms, NULL being the largest
    if is_pk(model, path):
        return Q(**{f"{pk_name}__{'gt' if larger else 'lt'}": pk})
    if value is None:
        if larger:
            return Q(**{f"{path}__isnull": True, f"{pk_name}__gt": pk})
        return Q(**{f"{path}__isnull": False}) | Q(
            **{f"{path}__isnull": True, f"{pk_name}__lt": pk}
        )
    if larger:
        condition = Q(**{f"{path}__gte": value}) & (
            Q(**{f"{path}__gt": value}) | Q(**{f"{pk_name}__gt": pk})
        )
        if may_be_null(model, path):
            condition |= Q(**{f"{path}__isnull": True})
        return condition
    return Q(**{f"{path}__lte": value}) & (
        Q(**{f"{path}__lt": value}) | Q(**{f"{pk_name}__lt": pk})
    )


def needs_annotation(model, path: str) -> bool:
    """Whether a row's order value must be selected as an annotation (a related path)."""
    if is_pk(model, path):
        return False
    return not any(path in (field.name, field.attname) for field in model._meta.concrete_fields)


def row_value(row, model, path: str, annotation: str):
    """The order value of a fetched row, as the database compares it."""
    if is_pk(model, path):
        return row.pk
    if needs_annotation(model, path):
        return getattr(row, annotation)
    field = next(f for f in model._meta.concrete_fields if path in (f.name, f.attname))
    return getattr(row, field.attname)
