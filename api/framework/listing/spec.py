"""What a list endpoint exposes: its fields, their kinds, what `search` looks at.

A `ListSpec` is the whole contract of one resource's list: which public names
`query` and `order_by` accept, how each maps to the ORM, and which text
columns `search` scans. Specs are built once at import time and checked
then, so a typo in a spec fails at startup instead of on a request.
"""

import re
from dataclasses import dataclass
from functools import cached_property

# Kinds decide which operators a field takes and how its values are parsed.
KINDS = ("id", "string", "number", "date", "datetime", "enum", "boolean", "metadata")

METADATA_KEY = re.compile(r"[A-Za-z0-9_\-]{1,40}")


@dataclass(frozen=True)
class Field:
    """One public field: `name` in `query`/`order_by`, `path` in the ORM.

    A related value may be exposed under a dotted name (`customer.name`, path
    `customer__name`). `choices` (enum kind) restricts the values `query`
    accepts. Metadata fields are never orderable; they are filtered by key
    with `"<name>.<key>"`. Long free-text fields should not be orderable:
    their value travels in the cursor.
    """

    name: str
    path: str
    kind: str
    orderable: bool = True
    choices: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Field {self.name!r}: unknown kind {self.kind!r}.")
        if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*", self.name):
            raise ValueError(f"Field name {self.name!r} must be snake_case (dotted if related).")
        if self.kind == "metadata" and "." in self.name:
            raise ValueError(f"Metadata field {self.name!r} cannot have a dotted name.")
        if self.kind == "metadata":
            object.__setattr__(self, "orderable", False)


@dataclass(frozen=True)
class ListSpec:
    """The fields of one list endpoint, what `search` scans and the default order."""

    fields: tuple[Field, ...]
    search_paths: tuple[str, ...] = ()  # ORM paths of text columns `search` matches
    metadata_path: str | None = "metadata"  # JSON column whose values `search` matches
    default_order: str = "-created_at"
    # A denormalised, indexed text column holding all `search` matches; when set, `search`
    # scans it alone (one trigram index) instead of each column and every metadata value.
    search_document: str | None = None

    def __post_init__(self):
        names = [field.name for field in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"ListSpec has duplicate field names: {names}.")
        default = self.by_name.get(self.default_order.removeprefix("-"))
        if default is None or not default.orderable:
            raise ValueError(f"default_order {self.default_order!r} is not an orderable field.")

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {field.name: field for field in self.fields}

    @cached_property
    def orderable_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields if field.orderable)

    @cached_property
    def filter_names(self) -> str:
        """The names `query` accepts, for error messages."""
        names = [
            f"{field.name}.<key>" if field.kind == "metadata" else field.name
            for field in self.fields
        ]
        return ", ".join(names)


@dataclass
class Page:
    """One page of rows in display order, and the `pagination` object of the envelope.

    `pagination` is `{"total", "next_cursor", "prev_cursor", "has_more"}`;
    `total` is -1 when the client asked not to count.
    """

    rows: list
    pagination: dict
