"""The shared list machinery (`api.framework.listing.list_page`) on payments.

Payments are recorded through `payment_record`; every list is the entity's
payments under the payments spec, exactly as the API view builds it.
"""

import json
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.framework.listing import Field, ListSpec, list_page
from api.framework.listing.cursor import NEXT, Order, encode_cursor
from billing.errors import ValidationError
from invoices.models import Invoice
from payments.models import Payment, PaymentType
from payments.services import payment_record
from tests.factories import SYSTEM, issued_invoice

PAYMENTS = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("invoice_id", "invoice_id", "id"),
        Field("amount", "amount", "number"),
        Field("type", "type", "enum", choices=tuple(PaymentType.values)),
        Field("date", "date", "date"),
        Field("reference", "reference", "string"),
        Field("note", "note", "string", orderable=False),
        Field("metadata", "metadata", "metadata"),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("reference", "note", "id"),
)


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="100000.00")


def pay(invoice, amount="10.00", type="cash", **kwargs):
    return payment_record(
        entity=invoice.entity,
        actor=SYSTEM,
        amount=Decimal(amount),
        type=type,
        invoice_id=invoice.pk,
        **kwargs,
    )


def listing(entity, **params):
    return list_page(Payment.objects.filter(entity=entity), params, PAYMENTS)


def ids(page):
    return [row.pk for row in page.rows]


def matching(entity, query, **params):
    """The ids a `query` selects, as a set (order is tested separately)."""
    return set(ids(listing(entity, query=json.dumps(query), limit="100", **params)))


def rejected(entity, code, param, **params) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        listing(entity, **params)
    assert (caught.value.code, caught.value.param) == (code, param), caught.value.message
    return caught.value


# --- query: operators -------------------------------------------------------------------------


def test_bare_value_and_equals_match_exactly(invoice):
    ten, twenty = pay(invoice, "10.00"), pay(invoice, "20.00", type="card")

    assert matching(invoice.entity, {"amount": 10}) == {ten.pk}
    assert matching(invoice.entity, {"amount": {"equals": "20.00"}}) == {twenty.pk}
    assert matching(invoice.entity, {"type": "card"}) == {twenty.pk}
    assert matching(invoice.entity, {"id": ten.pk}) == {ten.pk}
    assert matching(invoice.entity, {"invoice_id": invoice.pk}) == {ten.pk, twenty.pk}


def test_equals_null_means_is_null(invoice):
    without = pay(invoice, reference=None)
    with_reference = pay(invoice, reference="TXN-1")

    assert matching(invoice.entity, {"reference": None}) == {without.pk}
    assert matching(invoice.entity, {"reference": {"equals": None}}) == {without.pk}
    assert with_reference.pk not in matching(invoice.entity, {"reference": None})


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("gt", ["30.00"]),
        ("gte", ["20.00", "30.00"]),
        ("lt", ["10.00"]),
        ("lte", ["10.00", "20.00"]),
    ],
)
def test_comparison_operators_on_amount(invoice, operator, expected):
    payments = {amount: pay(invoice, amount) for amount in ("10.00", "20.00", "30.00")}

    found = matching(invoice.entity, {"amount": {operator: 20}})

    assert found == {payments[amount].pk for amount in expected}


def test_in_and_not_in(invoice):
    cash, card, check = (
        pay(invoice, type="cash"),
        pay(invoice, type="card"),
        pay(invoice, type="check"),
    )

    assert matching(invoice.entity, {"type": {"in": ["cash", "card"]}}) == {cash.pk, card.pk}
    assert matching(invoice.entity, {"type": {"notIn": ["cash", "card"]}}) == {check.pk}
    assert matching(invoice.entity, {"amount": {"in": []}}) == set()


def test_not_in_includes_rows_without_a_value(invoice):
    excluded = pay(invoice, reference="A-1")
    other = pay(invoice, reference="B-2")
    blank = pay(invoice, reference=None)

    found = matching(invoice.entity, {"reference": {"notIn": ["A-1"]}})

    assert found == {other.pk, blank.pk}
    assert excluded.pk not in found


@pytest.mark.parametrize(
    ("operator", "value"),
    [("contains", "2024-00"), ("startsWith", "txn-2024"), ("endsWith", "0015")],
)
def test_text_operators_are_case_insensitive(invoice, operator, value):
    hit = pay(invoice, reference="TXN-2024-0015")
    pay(invoice, reference="REF-9")
    pay(invoice, reference=None)

    assert matching(invoice.entity, {"reference": {operator: value}}) == {hit.pk}


def test_text_operators_treat_like_wildcards_literally(invoice):
    percent = pay(invoice, reference="50% off")
    pay(invoice, reference="500 off")

    assert matching(invoice.entity, {"reference": {"contains": "0%"}}) == {percent.pk}
    assert matching(invoice.entity, {"reference": {"startsWith": "5_"}}) == set()


def test_between_on_numbers_and_dates(invoice):
    today = timezone.localdate()
    old = pay(invoice, "5.00", date=today - timedelta(days=40))
    mid = pay(invoice, "15.00", date=today - timedelta(days=10))
    new = pay(invoice, "25.00", date=today)

    assert matching(invoice.entity, {"amount": {"between": [5, "15.00"]}}) == {old.pk, mid.pk}
    window = [str(today - timedelta(days=20)), str(today)]
    assert matching(invoice.entity, {"date": {"between": window}}) == {mid.pk, new.pk}


def test_date_only_bounds_on_a_timestamp_cover_whole_days(invoice):
    payment = pay(invoice)
    day = timezone.localtime(payment.created_at, UTC).date()
    before = str(day - timedelta(days=1))

    assert matching(invoice.entity, {"created_at": {"between": [str(day), str(day)]}}) == {
        payment.pk
    }
    assert matching(invoice.entity, {"created_at": str(day)}) == {payment.pk}
    assert matching(invoice.entity, {"created_at": {"lte": str(day)}}) == {payment.pk}
    assert matching(invoice.entity, {"created_at": {"gt": str(day)}}) == set()
    assert matching(invoice.entity, {"created_at": {"lte": before}}) == set()
    assert matching(invoice.entity, {"updated_at": {"gte": payment.updated_at.isoformat()}}) == {
        payment.pk
    }


def test_operators_and_fields_combine_with_and(invoice):
    hit = pay(invoice, "50.00", type="card", reference="KEEP")
    pay(invoice, "50.00", type="cash", reference="KEEP")
    pay(invoice, "500.00", type="card", reference="KEEP")

    query = {"amount": {"gte": 10, "lt": 100}, "type": "card", "reference": {"contains": "ee"}}

    assert matching(invoice.entity, query) == {hit.pk}


def test_numbers_are_compared_exactly_not_as_floats(invoice):
    payment = pay(invoice, "0.10")

    assert matching(invoice.entity, {"amount": 0.1}) == {payment.pk}
    assert matching(invoice.entity, {"amount": {"gt": 0.100000000000000000001}}) == set()


def test_sql_fragments_in_values_are_plain_values(invoice):
    odd = pay(invoice, reference="x' OR '1'='1")
    pay(invoice, reference="normal")

    assert matching(invoice.entity, {"reference": "' OR '1'='1"}) == set()
    assert matching(invoice.entity, {"reference": "x' OR '1'='1"}) == {odd.pk}
    assert matching(invoice.entity, {"metadata.k": {"in": ["'); DROP TABLE x; --"]}}) == set()
    assert Payment.objects.count() == 2


# --- query: metadata dot paths ----------------------------------------------------------------


def test_metadata_dot_paths(invoice):
    web = pay(invoice, metadata={"source": "web_app", "processor": "Stripe"})
    pos = pay(invoice, metadata={"source": "pos"})
    bare = pay(invoice, metadata={})
    entity = invoice.entity

    assert matching(entity, {"metadata.source": "web_app"}) == {web.pk}
    assert matching(entity, {"metadata.source": {"equals": "pos"}}) == {pos.pk}
    assert matching(entity, {"metadata.source": {"in": ["pos", "kiosk"]}}) == {pos.pk}
    assert matching(entity, {"metadata.source": {"notIn": ["pos"]}}) == {web.pk, bare.pk}
    assert matching(entity, {"metadata.processor": {"contains": "RIP"}}) == {web.pk}
    assert matching(entity, {"metadata.source": {"startsWith": "WEB"}}) == {web.pk}
    assert matching(entity, {"metadata.source": {"endsWith": "_APP"}}) == {web.pk}
    assert matching(entity, {"metadata.processor": None}) == {pos.pk, bare.pk}


def test_metadata_keys_are_literal_names(invoice):
    odd = pay(invoice, metadata={"a__b": "x", "123": "y", "in": "z"})
    pay(invoice, metadata={"a": "x", "b": "x", "12": "y"})

    assert matching(invoice.entity, {"metadata.a__b": "x"}) == {odd.pk}
    assert matching(invoice.entity, {"metadata.123": "y"}) == {odd.pk}
    assert matching(invoice.entity, {"metadata.in": "z"}) == {odd.pk}


# --- query: rejections ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "param", "named"),
    [
        ({"customer": "x"}, "query.customer", "customer"),
        ({"amount": {"like": 1}}, "query.amount", "like"),
        ({"amount": {"contains": "1"}}, "query.amount", "contains"),
        ({"reference": {"between": ["a", "b"]}}, "query.reference", "between"),
        ({"type": {"gt": "cash"}}, "query.type", "gt"),
        ({"amount": {}}, "query.amount", "amount"),
        ({"amount": [1, 2]}, "query.amount", "in"),
        ({"amount": "ten"}, "query.amount", "number"),
        ({"amount": True}, "query.amount", "number"),
        ({"amount": "1e999999"}, "query.amount", "number"),
        ({"date": "15/01/2024"}, "query.date", "YYYY-MM-DD"),
        ({"date": "2024-02-30"}, "query.date", "date"),
        ({"created_at": "yesterday"}, "query.created_at", "ISO 8601"),
        ({"created_at": {"in": ["2024-01-15"]}}, "query.created_at", "date-times"),
        ({"type": "bitcoin"}, "query.type", "cash"),
        ({"reference": 5}, "query.reference", "string"),
        ({"reference": "a\u0000b"}, "query.reference", "NUL"),
        ({"amount": {"in": "10"}}, "query.amount", "list"),
        ({"amount": {"in": list(range(101))}}, "query.amount", "100"),
        ({"amount": {"in": [None]}}, "query.amount", "non-null"),
        ({"amount": {"between": [1]}}, "query.amount", "exactly 2"),
        ({"amount": {"between": [1, 2, 3]}}, "query.amount", "exactly 2"),
        ({"amount": {"gt": None}}, "query.amount", "null"),
        ({"metadata": "web"}, "query.metadata", "metadata.source"),
        ({"metadata.bad key": "x"}, "query.metadata.bad key", "bad key"),
        ({"metadata.source": {"gt": "a"}}, "query.metadata.source", "gt"),
        ({"reference.x": "y"}, "query.reference.x", "reference.x"),
    ],
)
def test_invalid_query_is_rejected_naming_the_field_or_operator(entity, query, param, named):
    error = rejected(entity, "invalid_query", param, query=json.dumps(query))

    assert named in error.message


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('{"amount": ', "JSON"),
        ("{amount: 1}", "JSON"),
        ('{"amount": NaN}', "JSON"),
        ('{"amount": Infinity}', "JSON"),
        ('{"amount": 1, "amount": 2}', "twice"),
        ("[1, 2]", "object"),
        ('"amount"', "object"),
        ("null", "object"),
        ("5", "object"),
    ],
)
def test_malformed_or_non_object_query_is_rejected(entity, text, named):
    error = rejected(entity, "invalid_query", "query", query=text)

    assert named in error.message


@pytest.mark.parametrize(
    "text",
    [
        "[" * 1000 + "]" * 1000,
        '{"a":' * 600 + "1" + "}" * 600,
        '{"amount": {"in": [[1]]}}',
    ],
)
def test_deeply_nested_query_is_a_validation_error(entity, text):
    error = rejected(entity, "invalid_query", "query", query=text)

    assert "nested" in error.message


def test_query_longer_than_4096_characters_is_rejected(entity):
    text = json.dumps({"reference": "x" * 4096})

    error = rejected(entity, "query_too_long", "query", query=text)

    assert "4,096" in error.message


def test_empty_query_object_filters_nothing(invoice):
    payment = pay(invoice)

    assert ids(listing(invoice.entity, query="{}")) == [payment.pk]
    assert ids(listing(invoice.entity, query="")) == [payment.pk]


# --- search -----------------------------------------------------------------------------------


def test_search_matches_a_reference_substring_case_insensitively(invoice):
    hit = pay(invoice, reference="TXN-2024-0015")
    pay(invoice, reference="REF-9")

    assert ids(listing(invoice.entity, search="txn-2024")) == [hit.pk]


def test_search_matches_metadata_values_not_keys(invoice):
    by_value = pay(invoice, metadata={"channel": "Newsletter-March"})
    pay(invoice, metadata={"newsletter": "yes"})

    assert ids(listing(invoice.entity, search="newsletter")) == [by_value.pk]
    assert ids(listing(invoice.entity, search="channel")) == []


def test_search_matches_note_and_id(invoice):
    noted = pay(invoice, note="First installment")
    other = pay(invoice)

    assert ids(listing(invoice.entity, search="INSTALL")) == [noted.pk]
    assert ids(listing(invoice.entity, search=other.pk[-12:].upper())) == [other.pk]


def test_search_treats_like_wildcards_literally(invoice):
    percent = pay(invoice, reference="Paid 100%", metadata={"tag": "a_b"})
    pay(invoice, reference="Paid 1000", metadata={"tag": "axb"})

    assert ids(listing(invoice.entity, search="0%")) == [percent.pk]
    assert ids(listing(invoice.entity, search="a_b")) == [percent.pk]


def test_blank_search_filters_nothing_and_long_search_is_rejected(invoice):
    payment = pay(invoice)

    assert ids(listing(invoice.entity, search="   ")) == [payment.pk]
    rejected(invoice.entity, "invalid_search", "search", search="x" * 201)
    rejected(invoice.entity, "invalid_search", "search", search="a\x00b")


@pytest.mark.postgres
def test_search_folds_non_ascii_case_on_postgresql(invoice):
    hit = pay(invoice, metadata={"city": "ŽALEC"}, reference="ČEK-1")

    assert ids(listing(invoice.entity, search="žalec")) == [hit.pk]
    assert ids(listing(invoice.entity, search="ček")) == [hit.pk]


# --- order_by ---------------------------------------------------------------------------------


def test_order_by_amount_breaks_ties_by_id(invoice):
    payments = [pay(invoice, amount) for amount in ("20.00", "10.00", "20.00", "10.00", "20.00")]
    ascending = sorted(payments, key=lambda p: (p.amount, p.pk))

    up = listing(invoice.entity, order_by="amount")
    down = listing(invoice.entity, order_by="-amount")

    assert ids(up) == [p.pk for p in ascending]
    assert ids(down) == [p.pk for p in reversed(ascending)]


def test_default_order_is_newest_first(invoice):
    payments = [pay(invoice) for _ in range(4)]
    newest_first = sorted(payments, key=lambda p: (p.created_at, p.pk), reverse=True)

    assert ids(listing(invoice.entity)) == [p.pk for p in newest_first]


@pytest.mark.parametrize(
    "order_by", ["customer", "metadata", "note", "--amount", "+amount", " amount"]
)
def test_unknown_or_unorderable_order_by_is_rejected(entity, order_by):
    rejected(entity, "invalid_order_by", "order_by", order_by=order_by)


# --- limit and total --------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["0", "-1", "101", "1000000", "abc", "1.5", " 5", "+5", "٣"])
def test_limit_outside_1_to_100_is_rejected(entity, limit):
    rejected(entity, "invalid_limit", "limit", limit=limit)


def test_limit_bounds_and_default(invoice):
    for _ in range(12):
        pay(invoice)

    assert len(listing(invoice.entity).rows) == 10
    assert len(listing(invoice.entity, limit="1").rows) == 1
    assert len(listing(invoice.entity, limit="100").rows) == 12


def test_total_counts_every_matching_row_not_the_page(invoice):
    for _ in range(3):
        pay(invoice, "10.00")
    pay(invoice, "99.00")

    page = listing(invoice.entity, limit="2", query='{"amount": 10}')

    assert page.pagination == {
        "total": 3,
        "next_cursor": page.pagination["next_cursor"],
        "prev_cursor": None,
        "has_more": True,
    }


def test_include_total_count_false_gives_minus_one_and_runs_no_count(invoice):
    pay(invoice)

    with CaptureQueriesContext(connection) as queries:
        page = listing(invoice.entity, include_total_count="false")

    assert page.pagination["total"] == -1
    assert len(queries) == 1
    assert "COUNT(" not in queries[0]["sql"].upper()


@pytest.mark.parametrize(
    ("raw", "counted"), [("true", True), ("1", True), ("FALSE", False), ("0", False)]
)
def test_include_total_count_accepts_true_false_one_zero(invoice, raw, counted):
    pay(invoice)

    assert listing(invoice.entity, include_total_count=raw).pagination["total"] == (
        1 if counted else -1
    )


@pytest.mark.parametrize("raw", ["yes", "no", "2", "tru"])
def test_other_include_total_count_values_are_rejected(entity, raw):
    rejected(entity, "invalid_include_total_count", "include_total_count", include_total_count=raw)


def test_page_query_count_is_constant(invoice, django_assert_num_queries):
    for _ in range(9):
        pay(invoice)
    first = listing(invoice.entity, limit="3")
    second = listing(invoice.entity, limit="3", next_cursor=first.pagination["next_cursor"])

    with django_assert_num_queries(2):
        listing(invoice.entity, limit="3", next_cursor=second.pagination["next_cursor"])
    with django_assert_num_queries(1):
        listing(
            invoice.entity,
            limit="3",
            include_total_count="false",
            prev_cursor=second.pagination["prev_cursor"],
        )


def test_later_pages_seek_instead_of_offsetting(invoice):
    for _ in range(5):
        pay(invoice)
    first = listing(invoice.entity, limit="2")

    with CaptureQueriesContext(connection) as queries:
        listing(invoice.entity, limit="2", next_cursor=first.pagination["next_cursor"])

    assert not any("OFFSET" in query["sql"].upper() for query in queries)


def test_unknown_parameters_are_ignored(invoice):
    payment = pay(invoice)

    assert ids(listing(invoice.entity, include="Invoice", foo="bar")) == [payment.pk]


# --- cursor pagination ------------------------------------------------------------------------


def walk_forward(entity, **params):
    pages = [listing(entity, **params)]
    while pages[-1].pagination["next_cursor"]:
        pages.append(listing(entity, **params, next_cursor=pages[-1].pagination["next_cursor"]))
    return pages


def walk_back(entity, page, **params):
    """Rows before `page` (display order), following prev_cursor to the first page."""
    rows = []
    while page.pagination["prev_cursor"]:
        page = listing(entity, **params, prev_cursor=page.pagination["prev_cursor"])
        rows = ids(page) + rows
    return rows


def expected_order(payments, order_by):
    name = order_by.removeprefix("-")
    if name == "reference":  # NULL sorts as the largest value
        key = lambda p: (p.reference is None, p.reference or "", p.pk)  # noqa: E731
    else:
        key = lambda p: (getattr(p, name), p.pk)  # noqa: E731
    return [p.pk for p in sorted(payments, key=key, reverse=order_by.startswith("-"))]


@pytest.mark.parametrize(
    "order_by",
    ["-created_at", "created_at", "amount", "-amount", "reference", "-reference", "date", "id"],
)
def test_forward_then_backward_walk_returns_every_row_once(invoice, order_by):
    today = timezone.localdate()
    payments = [
        pay(
            invoice,
            ("10.00", "20.00", "10.00")[n % 3],
            reference=(None, "B", "A", None, "B")[n % 5],
            date=today - timedelta(days=n % 4),
        )
        for n in range(11)
    ]
    expected = expected_order(payments, order_by)

    pages = walk_forward(invoice.entity, order_by=order_by, limit="3")
    forward = [pk for page in pages for pk in ids(page)]
    backward = walk_back(invoice.entity, pages[-1], order_by=order_by, limit="3") + ids(pages[-1])

    assert forward == expected
    assert backward == expected
    assert [len(page.rows) for page in pages] == [3, 3, 3, 2]
    assert [page.pagination["has_more"] for page in pages] == [True, True, True, False]
    assert pages[0].pagination["prev_cursor"] is None
    assert pages[-1].pagination["next_cursor"] is None
    assert all(page.pagination["total"] == 11 for page in pages)


def test_has_more_says_whether_a_next_page_exists_in_either_direction(invoice):
    for _ in range(7):
        pay(invoice)
    pages = walk_forward(invoice.entity, limit="3")
    back = [listing(invoice.entity, limit="3", prev_cursor=pages[-1].pagination["prev_cursor"])]
    back.append(listing(invoice.entity, limit="3", prev_cursor=back[-1].pagination["prev_cursor"]))

    assert [ids(page) for page in back] == [ids(page) for page in pages[1::-1]]
    assert back[-1].pagination["prev_cursor"] is None
    assert [page.pagination["next_cursor"] is not None for page in back] == [True, True]
    assert [page.pagination["has_more"] for page in back] == [True, True]


def test_walk_stays_exact_while_rows_are_inserted(invoice):
    entity = invoice.entity
    original = [
        pay(invoice, amount)
        for amount in ("10.00", "20.00", "30.00", "40.00", "50.00", "60.00", "70.00")
    ]
    params = {"order_by": "amount", "limit": "3"}

    page = listing(entity, **params)
    forward = ids(page)
    early = pay(invoice, "15.00")  # before the boundary: a forward walk has passed it
    late = pay(invoice, "55.00")  # ahead of the boundary: the walk will meet it
    while page.pagination["next_cursor"]:
        page = listing(entity, **params, next_cursor=page.pagination["next_cursor"])
        forward += ids(page)
        pay(invoice, "5.00")  # the head keeps growing while we walk

    every = Payment.objects.filter(entity=entity)
    assert forward == expected_order([*original, late], "amount")
    assert early.pk not in forward
    backward = walk_back(entity, page, **params) + ids(page)
    assert backward == expected_order(every, "amount")
    assert len(backward) == len(set(backward)) == every.count()


def test_walk_newest_first_ignores_rows_created_after_it_started(invoice):
    entity = invoice.entity
    original = [pay(invoice) for _ in range(7)]
    pages = [listing(entity, limit="3")]
    newer = [pay(invoice) for _ in range(2)]
    while pages[-1].pagination["next_cursor"]:
        pages.append(listing(entity, limit="3", next_cursor=pages[-1].pagination["next_cursor"]))

    forward = [pk for page in pages for pk in ids(page)]
    assert forward == expected_order(original, "-created_at")
    backward = walk_back(entity, pages[-1], limit="3") + ids(pages[-1])
    assert backward == expected_order([*original, *newer], "-created_at")


def test_a_single_page_has_no_cursors(invoice):
    pay(invoice)

    assert listing(invoice.entity).pagination == {
        "total": 1,
        "next_cursor": None,
        "prev_cursor": None,
        "has_more": False,
    }
    assert listing(invoice.entity, query='{"amount": 1}').pagination == {
        "total": 0,
        "next_cursor": None,
        "prev_cursor": None,
        "has_more": False,
    }


def test_cursor_with_filters_keeps_paging_the_filtered_rows(invoice):
    cards = [pay(invoice, type="card") for _ in range(5)]
    for _ in range(5):
        pay(invoice, type="cash")
    params = {"query": '{"type": "card"}', "limit": "2"}

    pages = walk_forward(invoice.entity, **params)

    assert [pk for page in pages for pk in ids(page)] == expected_order(cards, "-created_at")


def test_related_fields_by_dotted_name_filter_order_and_paginate(customer):
    spec = ListSpec(
        fields=(*PAYMENTS.fields, Field("invoice.number", "invoice__number", "string")),
        search_paths=PAYMENTS.search_paths,
    )
    first, second = (
        issued_invoice(customer, total="500.00"),
        issued_invoice(customer, total="500.00"),
    )
    payments = [pay(invoice) for invoice in (second, first, second, first, second)]
    by_number = sorted(payments, key=lambda p: (p.invoice.number, p.pk), reverse=True)
    queryset = Payment.objects.filter(entity=customer.entity)
    params = {"order_by": "-invoice.number", "limit": "2"}

    pages = [list_page(queryset, params, spec)]
    while pages[-1].pagination["next_cursor"]:
        cursor = pages[-1].pagination["next_cursor"]
        pages.append(list_page(queryset, {**params, "next_cursor": cursor}, spec))
    back = list_page(queryset, {**params, "prev_cursor": pages[-1].pagination["prev_cursor"]}, spec)
    filtered = list_page(queryset, {"query": json.dumps({"invoice.number": first.number})}, spec)

    assert [pk for page in pages for pk in ids(page)] == [p.pk for p in by_number]
    assert ids(back) == ids(pages[-2])
    assert set(ids(filtered)) == {p.pk for p in payments if p.invoice_id == first.pk}


@pytest.mark.parametrize(
    "build",
    [
        lambda: Field("amount", "amount", "money"),
        lambda: Field("Amount", "amount", "number"),
        lambda: ListSpec(fields=(Field("amount", "amount", "number"),)),
        lambda: ListSpec(
            fields=(Field("note", "note", "string", orderable=False),), default_order="note"
        ),
        lambda: ListSpec(
            fields=(Field("id", "id", "id"), Field("id", "pk", "id")), default_order="id"
        ),
    ],
)
def test_misconfigured_spec_fails_when_built(build):
    with pytest.raises(ValueError):
        build()


# --- cursor rejections ------------------------------------------------------------------------


@pytest.fixture
def cursors(invoice):
    for amount in ("10.00", "20.00", "30.00", "40.00", "50.00"):
        pay(invoice, amount)
    first = listing(invoice.entity, order_by="amount", limit="2")
    second = listing(
        invoice.entity, order_by="amount", limit="2", next_cursor=first.pagination["next_cursor"]
    )
    return second.pagination


@pytest.mark.parametrize("param", ["next_cursor", "prev_cursor"])
def test_garbage_cursor_is_rejected(invoice, param):
    for garbage in ("abc", "eyJ2IjoxfQ:xyz", ":", "x" * 5000, "ž:ž"):
        rejected(invoice.entity, "invalid_cursor", param, order_by="amount", **{param: garbage})


def test_tampered_cursor_is_rejected(invoice, cursors):
    token = cursors["next_cursor"]
    payload, signature = token.rsplit(":", 1)
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    forged = signing.dumps(
        {"v": 1, "o": "amount", "d": "next", "k": ["0", "pmt_0"]},
        salt="settle.api.listing.cursor:payments.payment",
        key="not-our-secret",
    )

    for bad in (f"{flipped}:{signature}", f"{payload}:{signature[:-1]}", forged):
        rejected(
            invoice.entity, "invalid_cursor", "next_cursor", order_by="amount", next_cursor=bad
        )


def test_cursor_with_another_order_by_is_rejected(invoice, cursors):
    error = rejected(
        invoice.entity,
        "invalid_cursor",
        "next_cursor",
        order_by="-amount",
        next_cursor=cursors["next_cursor"],
    )
    rejected(invoice.entity, "invalid_cursor", "next_cursor", next_cursor=cursors["next_cursor"])

    assert "order_by=amount" in error.message


def test_cursor_sent_as_the_other_direction_or_both_is_rejected(invoice, cursors):
    rejected(
        invoice.entity,
        "invalid_cursor",
        "prev_cursor",
        order_by="amount",
        prev_cursor=cursors["next_cursor"],
    )
    rejected(
        invoice.entity,
        "invalid_cursor",
        "prev_cursor",
        order_by="amount",
        next_cursor=cursors["next_cursor"],
        prev_cursor=cursors["prev_cursor"],
    )


def test_cursor_of_another_resource_is_rejected(invoice):
    order = Order(field=PAYMENTS.by_name["created_at"], descending=True)
    token = encode_cursor(Invoice, order, NEXT, invoice.created_at, invoice.pk)

    rejected(invoice.entity, "invalid_cursor", "next_cursor", next_cursor=token)


def test_signed_cursor_with_a_malformed_key_is_rejected(invoice):
    for key in (["yesterday", "pmt_0"], ["2024-01-15T10:30:00+00:00"], "pmt_0"):
        token = signing.dumps(
            {"v": 1, "o": "-created_at", "d": "next", "k": key},
            salt="settle.api.listing.cursor:payments.payment",
            compress=True,
        )
        rejected(invoice.entity, "invalid_cursor", "next_cursor", next_cursor=token)


def test_empty_cursor_parameters_mean_the_first_page(invoice):
    payment = pay(invoice)

    assert ids(listing(invoice.entity, next_cursor="", prev_cursor="")) == [payment.pk]
