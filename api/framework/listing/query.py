"""The `query` parameter: a JSON object of field conditions, turned into one `Q`.

    {"amount": {"gte": 100, "lt": 500}, "type": {"in": ["cash", "card"]},
     "date": {"between": ["2025-01-01", "2025-12-31"]}, "metadata.source": "web"}

A bare value means `equals` (`null` means "is null"); several operators on a
field, and several fields, all AND together. Anything the contract does not
name — an unknown field or operator, a value of the wrong kind, malformed or
deeply nested JSON — is a `ValidationError` naming the field or operator.
Values only ever reach SQL as parameters.
"""

import json
from decimal import Decimal

from django.db.models import Q
from django.db.models.lookups import Exact, IContains, IEndsWith, In, IsNull, IStartsWith

from api.framework.listing import values
from api.framework.listing.expressions import MetadataText
from api.framework.listing.spec import METADATA_KEY, Field, ListSpec
from billing.errors import ValidationError

MAX_QUERY_LENGTH = 4096
MAX_DEPTH = 3  # the query object, an operator object, an `in`/`between` list
MAX_LIST_LENGTH = 100

OPERATORS = (
    "equals",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "notIn",
    "contains",
    "startsWith",
    "endsWith",
    "between",
)
_COMPARE = ("gt", "gte", "lt", "lte")
_TEXT = ("contains", "startsWith", "endsWith")
KIND_OPERATORS: dict[str, tuple[str, ...]] = {
    "id": ("equals", "in", "notIn", *_COMPARE),
    "string": ("equals", "in", "notIn", *_TEXT),
    "enum": ("equals", "in", "notIn"),
    "number": ("equals", "in", "notIn", *_COMPARE, "between"),
    "date": ("equals", "in", "notIn", *_COMPARE, "between"),
    "datetime": ("equals", "in", "notIn", *_COMPARE, "between"),
    "boolean": ("equals",),
    "metadata": ("equals", "in", "notIn", *_TEXT),
}
_TEXT_LOOKUPS = {"contains": "icontains", "startsWith": "istartswith", "endsWith": "iendswith"}
_METADATA_LOOKUPS = {
    "exact": Exact,
    "in": In,
    "isnull": IsNull,
    "icontains": IContains,
    "istartswith": IStartsWith,
    "iendswith": IEndsWith,
}


def _invalid(message: str, param: str = "query", code: str = "invalid_query") -> ValidationError:
    return ValidationError(message, code=code, param=param)


def _shown(name: str) -> str:
    return json.dumps(name if len(name) <= 60 else f"{name[:57]}...")


def parse_query(text: str, spec: ListSpec) -> Q:
    """The `Q` for a `query` string; an empty object filters nothing."""
    data = _load(text)
    condition = Q()
    for name, value in data.items():
        condition &= _field_condition(name, value, spec)
    return condition


class _DuplicateKey(ValueError):
    pass


def _unique_object(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def _reject_constant(name):
    raise ValueError(f"{name} is not a number")


def _check_depth(text: str) -> None:
    """Refuse deep nesting before `json.loads` recurses into it."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _invalid(
                    f"query is nested too deeply: at most {MAX_DEPTH} levels "
                    '(e.g. {"amount": {"in": [1, 2]}}).'
                )
        elif char in "]}":
            depth -= 1


def _load(text: str) -> dict:
    if len(text) > MAX_QUERY_LENGTH:
        raise _invalid(
            f"query is {len(text):,} characters long; the limit is {MAX_QUERY_LENGTH:,}.",
            code="query_too_long",
        )
    _check_depth(text)
    try:
        data = json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_object,
        )
    except _DuplicateKey as duplicate:
        raise _invalid(f"query names {_shown(str(duplicate))} twice.") from None
    except json.JSONDecodeError as error:
        raise _invalid(
            f"query is not valid JSON: {error.msg} (at character {error.pos})."
        ) from None
    except (ValueError, RecursionError) as error:
        raise _invalid(f"query is not valid JSON: {error}.") from None
    if not isinstance(data, dict):
        raise _invalid('query must be a JSON object, e.g. {"amount": {"gte": 100}}.')
    return data


def _resolve(name: str, spec: ListSpec) -> tuple[Field, str | None]:
    """The field a query key names, and the metadata key for `<metadata field>.<key>`."""
    exact = spec.by_name.get(name)
    if exact is not None and exact.kind != "metadata":
        return exact, None
    head, dot, key = name.partition(".")
    field = spec.by_name.get(head)
    if field is None:
        raise _invalid(
            f"Unknown field {_shown(name)} in query; allowed: {spec.filter_names}.",
            param=f"query.{name[:60]}",
        )
    if field.kind == "metadata":
        if not dot:
            raise _invalid(
                f'Filter {field.name} by key with a dot path, e.g. {{"{field.name}.source": "web"}}.',
                param=f"query.{name}",
            )
        if not METADATA_KEY.fullmatch(key):
            raise _invalid(
                f"Metadata key {_shown(key)} must be 1 to 40 letters, digits, '_' or '-'.",
                param=f"query.{name[:60]}",
            )
        return field, key
    if dot:
        raise _invalid(
            f"{field.name} has no sub-fields; {_shown(name)} is not a query field.",
            param=f"query.{name[:60]}",
        )
    return field, None


def _field_condition(name: str, raw, spec: ListSpec) -> Q:
    field, key = _resolve(name, spec)
    param = f"query.{name}"
    if isinstance(raw, dict):
        if not raw:
            raise _invalid(f"{_shown(name)} needs at least one operator.", param=param)
        operations = raw.items()
    elif isinstance(raw, list):
        raise _invalid(
            f'{_shown(name)} takes a single value; for a list use {{"in": [...]}}.', param=param
        )
    else:
        operations = [("equals", raw)]

    allowed = KIND_OPERATORS[field.kind]
    condition = Q()
    for operator, value in operations:
        if operator not in OPERATORS:
            raise _invalid(
                f"Unknown operator {_shown(operator)} for {_shown(name)}; "
                f"use one of: {', '.join(allowed)}.",
                param=param,
            )
        if operator not in allowed:
            raise _invalid(
                f"Operator {operator} is not supported for {_shown(name)} ({field.kind}); "
                f"use one of: {', '.join(allowed)}.",
                param=param,
            )
        try:
            condition &= _operation(field, key, operator, value)
        except ValueError as error:
            raise _invalid(
                f"{_shown(name)} {operator}: the value must be {error}.", param=param
            ) from None
    return condition


def _lookup(field: Field, key: str | None):
    """A function (lookup, value) -> Q on the field's column or its metadata key."""
    if key is None:
        return lambda lookup, value: Q(**{f"{field.path}__{lookup}": value})
    column = MetadataText(field.path, key)
    return lambda lookup, value: Q(_METADATA_LOOKUPS[lookup](column, value))


def _list(value, field: Field, exactly: int | None = None) -> list:
    if exactly is not None:
        if not isinstance(value, list) or len(value) != exactly:
            raise ValueError(f"a list of exactly {exactly} values [min, max]")
    elif not isinstance(value, list) or len(value) > MAX_LIST_LENGTH:
        raise ValueError(f"a list of at most {MAX_LIST_LENGTH} values")
    if any(item is None or isinstance(item, list | dict) for item in value):
        raise ValueError("a list of plain, non-null values")
    if field.kind == "datetime":
        moments = [values.parse_datetime(item) for item in value]
        if any(whole_day for _, whole_day in moments):
            raise ValueError("a list of full date-times (for whole days use between)")
        return [moment for moment, _ in moments]
    return [values.parse_scalar(field.kind, item, field.choices) for item in value]


def _operation(field: Field, key: str | None, operator: str, value) -> Q:
    lookup = _lookup(field, key)
    kind = "string" if key is not None else field.kind

    if operator == "equals" and value is None:
        return lookup("isnull", True)
    if value is None:
        raise ValueError("a value, not null (only equals accepts null)")
    if operator == "in":
        return lookup("in", _list(value, field))
    if operator == "notIn":
        # "not in the list" includes rows without a value, as `exclude()` does.
        return lookup("isnull", True) | ~lookup("in", _list(value, field))
    if operator in _TEXT:
        return lookup(_TEXT_LOOKUPS[operator], values.parse_text(value))
    if kind == "datetime":
        return _datetime_operation(lookup, operator, value)
    if operator == "between":
        low, high = _list(value, field, exactly=2)
        return lookup("gte", low) & lookup("lte", high)
    parsed = values.parse_scalar(kind, value, field.choices)
    return lookup("exact" if operator == "equals" else operator, parsed)


def _datetime_operation(lookup, operator: str, value) -> Q:
    """Comparisons on a timestamp, where a bare date means that whole day (UTC)."""
    if operator == "between":
        if not isinstance(value, list) or len(value) != 2 or None in value:
            raise ValueError("a list of exactly 2 values [min, max]")
        return _datetime_operation(lookup, "gte", value[0]) & _datetime_operation(
            lookup, "lte", value[1]
        )
    moment, whole_day = values.parse_datetime(value)
    if not whole_day:
        return lookup("exact" if operator == "equals" else operator, moment)
    end = values.next_day(moment)
    if operator == "equals":
        return lookup("gte", moment) & lookup("lt", end)
    if operator == "gt":
        return lookup("gte", end)
    if operator == "lte":
        return lookup("lt", end)
    return lookup(operator, moment)  # gte, lt: from / before the day's start
