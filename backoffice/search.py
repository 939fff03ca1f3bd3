"""Searches of the long lists that PostgreSQL can answer from indexes.

Django's admin searches every `search_fields` entry with `icontains`, joined by OR, through
joins to the related tables: over a million payments that is a scan of every row with its
joined rows. Here each term becomes an OR of conditions on the listed table's own columns:

- its text columns, through `icontains`, which trigram indexes on `UPPER(column)` serve
  (payments/migrations/0007_back_office_search_indexes.py);
- the related rows that match (a customer's name, a document's number), looked up first in
  their own, smaller table and then matched by foreign key, an indexed column.

PostgreSQL combines such conditions with a BitmapOr of index scans, so a term matching few
rows costs a few index lookups; one matching many rows is found at the top of the list's
ordered index.
"""

from django.db.models import Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

# A related lookup matching at most this many rows is passed as a list of ids, which the
# listed table's foreign key index serves; past it, as a subquery: thousands of ids cost
# PostgreSQL more to plan (an estimate per id, in every query of the page) than the
# subquery costs to run.
ID_LIST_UP_TO = 1000


def search_terms(search_term: str) -> list[str]:
    """The terms of a search, split as the admin splits them ("quoted phrases" stay whole)."""
    terms = []
    for bit in smart_split(search_term or ""):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            terms.append(bit)
    return terms


def values_of(queryset: QuerySet, field: str = "pk") -> list | QuerySet:
    """The `field` values of `queryset`: a list when there are few, else a subquery.

    A list lets the outer query use its index on the column it is compared with (and
    combine it with the other conditions of a search); a subquery keeps a term that
    matches thousands of related rows from becoming a statement of thousands of ids.
    """
    values = queryset.order_by().values_list(field, flat=True)
    found = list(values[: ID_LIST_UP_TO + 1])
    if len(found) <= ID_LIST_UP_TO:
        return sorted({value for value in found if value is not None})
    return values


def any_of(*conditions: Q) -> Q:
    """OR of `conditions`; one comparing with an empty list of ids drops out of it."""
    return Q.create(list(conditions), connector=Q.OR)


def search(queryset: QuerySet, search_term: str, term_condition) -> QuerySet:
    """Keep the rows of `queryset` matching every term: `term_condition(term)` gives a Q."""
    for term in search_terms(search_term):
        queryset = queryset.filter(term_condition(term))
    return queryset
