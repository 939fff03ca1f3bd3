"""SQL for metadata: one key's text value, and "any value contains" for `search`.

Written per vendor rather than through Django's key transforms because those
read a key such as "123" as an array index and split keys on "__"; metadata
keys here are already restricted to `[A-Za-z0-9_-]{1,40}`, and everything
the client typed travels as a query parameter.
"""

from django.db import NotSupportedError
from django.db.models import BooleanField, Expression, F, TextField


class _OnColumn(Expression):
    """An expression over one JSON column (an F path resolved like any other)."""

    def __init__(self, path: str):
        super().__init__()
        self.column = F(path)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"{type(self).__name__} supports PostgreSQL and SQLite only.")


class MetadataText(_OnColumn):
    """`metadata ->> key`: the key's value as text, NULL when the key is absent."""

    output_field = TextField()

    def __init__(self, path: str, key: str):
        super().__init__(path)
        self.key = key

    def as_postgresql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        return f"({column} ->> %s::text)", (*params, self.key)

    def as_sqlite(self, compiler, connection):
        column, params = compiler.compile(self.column)
        return f"json_extract({column}, %s)", (*params, f'$."{self.key}"')


def like_pattern(text: str) -> str:
    """`%text%` with the client's own `\\`, `%` and `_` matched literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class MetadataValueContains(_OnColumn):
    """True when any metadata value (never a key) contains `text`, case-insensitively.

    SQLite's LIKE folds ASCII letters only; PostgreSQL's ILIKE folds all.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, path: str, text: str):
        super().__init__(path)
        self.pattern = like_pattern(text)

    def as_postgresql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        # jsonb_each_text raises on a non-object; metadata is always an object,
        # but a search must never be the thing that fails on a stray value.
        source = f"CASE WHEN jsonb_typeof({column}) = 'object' THEN {column} ELSE '{{}}'::jsonb END"
        sql = (
            f"EXISTS (SELECT 1 FROM jsonb_each_text({source}) AS kv "
            "WHERE kv.value ILIKE %s ESCAPE '\\')"
        )
        return sql, (*params, *params, self.pattern)

    def as_sqlite(self, compiler, connection):
        column, params = compiler.compile(self.column)
        sql = f"EXISTS (SELECT 1 FROM json_each({column}) AS kv WHERE kv.value LIKE %s ESCAPE '\\')"
        return sql, (*params, self.pattern)
