"""Pages of very long lists: counting a million rows costs more than showing the page."""

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, OrderBy
from django.db.models.functions import Coalesce


class LargeTablePaginator(Paginator):
    """Counts exactly up to `EXACT_UP_TO` rows; beyond, takes PostgreSQL's planner estimate.

    A list of a million payments is paged, not read to the end: the exact count would
    cost several hundred milliseconds on every page, the estimate none. `estimated` says
    which one `count` is, so the page can say "about".

    A page is read one of two ways. By default, the list's ordering index is walked from
    its start until a page of matches is found: quick when matches are common and spread
    over the list. When they are few (an exact count, under a tenth of the table) or
    `sort_matches` says they gather in one stretch of the ordering (a date range: the
    payments of last June sit past most of a million newer ones), all the matches are
    fetched from the indexes of the filter or search and sorted, by their sort keys alone;
    only the page's rows are then read whole, with their related rows. PostgreSQL would
    otherwise often choose the walk, as it expects matches to be spread evenly.
    """

    EXACT_UP_TO = 10_000
    # Matches making up at least 1/WALK_SHARE of the table are met early on the walk.
    WALK_SHARE = 10
    estimated = False
    sort_matches = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        # Counted in no order, so that PostgreSQL is free to count from any index.
        counted = queryset.order_by()[: self.EXACT_UP_TO + 1].count()
        if counted <= self.EXACT_UP_TO:
            return counted  # a short list: this is its exact count
        self.estimated = True
        return max(self._planner_estimate(queryset), self.EXACT_UP_TO + 1)

    def page(self, number):
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().page(number)
        if not self.sort_matches and (
            self.count > self.EXACT_UP_TO or self.count * self.WALK_SHARE >= self._table_rows()
        ):
            return super().page(number)
        self.object_list = sorted_without_index(queryset)
        try:
            page = super().page(number)
        finally:
            self.object_list = queryset
        keys = list(page.object_list.values_list("pk", flat=True))
        rows = {row.pk: row for row in queryset.filter(pk__in=keys)}
        page.object_list = [rows[key] for key in keys if key in rows]
        return page

    def _table_rows(self) -> int:
        """The listed table's row count as PostgreSQL last estimated it (no scan)."""
        table = self.object_list.model._meta.db_table
        with connections[self.object_list.db].cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _planner_estimate(queryset) -> int:
        sql, params = queryset.order_by().query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])


def sorted_without_index(queryset):
    """`queryset` in the same order, by expressions no index provides: `COALESCE(x, x)`
    sorts as `x` does (NULLs included), but PostgreSQL must fetch the matches and sort
    them rather than walk an index of `x`."""
    ordering = []
    for item in queryset.query.order_by or queryset.model._meta.ordering:
        if isinstance(item, str) and item != "?":
            name = item.removeprefix("-")
            expression = Coalesce(F(name), F(name))
            item = OrderBy(expression, descending=item.startswith("-"))
        ordering.append(item)
    return queryset.order_by(*ordering)
