"""`GET /api/v1/customers/{id}/payment-methods`: the shared list contract, default card first."""

import pytest

from tests.factories import CustomerFactory, SavedCardFactory


@pytest.fixture
def cards(entity):
    customer = CustomerFactory(entity=entity)
    older = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_mastercard", last4="4444"
    )
    default = SavedCardFactory(customer=customer, last4="4242", is_default=True)
    newer = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_unionpay", brand="unionpay", last4="0005"
    )
    # Then newest first: ids are time-ordered (the same millisecond falls back to the id).
    return customer, [default.pk, *sorted([newer.pk, older.pk], reverse=True)]


def test_cards_are_listed_default_first_then_newest_one_page_at_a_time(api, cards):
    customer, expected = cards
    path = f"customers/{customer.pk}/payment-methods"

    first = api.get(path, {"limit": 2})
    second = api.get(path, {"limit": 2, "next_cursor": first.body["pagination"]["next_cursor"]})

    assert [row["id"] for row in first.body["data"]] == expected[:2]
    assert first.body["pagination"]["total"] == 3
    assert first.body["pagination"]["has_more"] is True
    assert [row["id"] for row in second.body["data"]] == expected[2:]
    assert second.body["pagination"]["next_cursor"] is None


def test_cards_can_be_queried_and_searched(api, cards):
    customer, expected = cards
    path = f"customers/{customer.pk}/payment-methods"

    by_query = api.get(path, {"query": '{"is_default": true}'})
    by_search = api.get(path, {"search": "UNION"})  # no id can hold a "u", "i" or "o"

    assert [row["id"] for row in by_query.body["data"]] == expected[:1]
    assert [row["brand"] for row in by_search.body["data"]] == ["unionpay"]


def test_an_out_of_range_limit_is_refused(api, cards):
    customer, _ = cards

    response = api.get(f"customers/{customer.pk}/payment-methods", {"limit": "1000000"})

    assert (response.status, response.error["code"]) == (400, "invalid_limit")
