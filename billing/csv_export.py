"""What every CSV export shares: formula-safe text, the header-then-rows stream, the period.

An export is a `CsvExport`: its columns, how one row becomes a list of cells,
the related rows it reads with it, and the date that places a row in a
period. `lines()` reads the queryset with a server-side cursor in chunks and
yields each CSV line as it is written, so memory stays flat whatever the
number of rows; a door hands the generator to a streaming response.
"""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models
from django.utils import timezone

CHUNK = 2000


class Echo:
    """A file that hands back what is written, so csv.writer can feed a generator."""

    def write(self, value):
        return value


def safe(value) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def compact_json(value) -> str:
    """A JSON cell: no spaces, keys sorted, empty for nothing; formula-safe like any text."""
    if value is None:
        return ""
    return safe(json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False))


def csv_lines(columns: list[str], rows, row: Callable, chunk_size: int = CHUNK) -> Iterator[str]:
    """The header, then `row(obj)` for each object of `rows`, one CSV line at a time."""
    writer = csv.writer(Echo())
    yield writer.writerow(columns)
    for obj in rows.iterator(chunk_size=chunk_size):
        yield writer.writerow(row(obj))


def in_period(queryset, field_name: str, start: date | None = None, end: date | None = None):
    """Rows whose `field_name` falls on `start` … `end` (both days included, either optional).

    A date column is compared as is; a timestamp against the bounds of those days in the
    site's time zone, so that an index on the column serves the filter.
    """
    is_timestamp = isinstance(queryset.model._meta.get_field(field_name), models.DateTimeField)

    def moment(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))

    if start is not None:
        bound = moment(start) if is_timestamp else start
        queryset = queryset.filter(**{f"{field_name}__gte": bound})
    if end is not None:
        if is_timestamp:
            queryset = queryset.filter(**{f"{field_name}__lt": moment(end + timedelta(days=1))})
        else:
            queryset = queryset.filter(**{f"{field_name}__lte": end})
    return queryset


@dataclass(frozen=True)
class CsvExport:
    """One kind of export: `name` (also the file name's prefix), its columns and rows.

    `source` gives every row an export may hold (deleted payments are not among
    them); `period_field` is the row's natural date (a document's date, a ledger
    row's time); `related` are `select_related` paths and `fields` the columns to
    load (`only`), so a row costs no query of its own.
    """

    name: str
    columns: list[str]
    row: Callable
    source: Callable
    period_field: str
    related: tuple[str, ...] = ()
    fields: tuple[str, ...] = field(default=())

    def of_entities(self, entity_ids):
        """The rows of these entities (ids, or a subquery of them)."""
        return self.source().filter(entity_id__in=entity_ids)

    def lines(self, queryset, *, start: date | None = None, end: date | None = None):
        """The CSV of `queryset`'s rows within the period, line by line, header first."""
        queryset = in_period(queryset, self.period_field, start, end)
        if self.related:
            queryset = queryset.select_related(*self.related)
        if self.fields:
            queryset = queryset.only(*self.fields)
        return csv_lines(self.columns, queryset, self.row)
