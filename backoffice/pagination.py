"""Pages of very long lists: counting a million rows costs more than showing the page."""

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections


class LargeTablePaginator(Paginator):
    """Counts exactly up to `EXACT_UP_TO` rows; beyond, takes PostgreSQL's planner estimate.

    A list of a million payments is paged, not read to the end: the exact count would
    cost several hundred milliseconds on every page, the estimate none. `estimated` says
    which one `count` is, so the page can say "about".
    """

    EXACT_UP_TO = 10_000
    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        if queryset[: self.EXACT_UP_TO + 1].count() <= self.EXACT_UP_TO:
            return super().count  # a short list: its exact count is cheap
        self.estimated = True
        return max(self._planner_estimate(queryset), self.EXACT_UP_TO + 1)

    @staticmethod
    def _planner_estimate(queryset) -> int:
        sql, params = queryset.order_by().query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])
