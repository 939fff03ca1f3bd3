from decimal import Decimal

from billing.models import BalanceTransaction


def test_create_customer_and_adjust_balance(api, entity):
    created = api.post("customers", {"name": "Ada Lovelace", "email": "ada@example.com"})
    assert created.status == 201, created.body
    customer_id = created.body["id"]
    assert customer_id.startswith("cus_")
    assert created.body["currency"] == entity.default_currency

    added = api.post(
        f"customers/{customer_id}/balance-adjustments", {"amount": 50, "reason": "Goodwill"}
    )
    too_much = api.post(
        f"customers/{customer_id}/balance-adjustments", {"amount": -60, "reason": "Correction"}
    )
    no_reason = api.post(f"customers/{customer_id}/balance-adjustments", {"amount": 5})

    assert added.status == 201
    assert added.body["balance_after"] == Decimal("50.00")
    assert too_much.status == 409
    assert too_much.error["code"] == "insufficient_balance"
    assert no_reason.status == 400
    assert no_reason.error["param"] == "reason"
    assert api.get(f"customers/{customer_id}").body["balance"] == Decimal("50.00")
    ledger = api.get(f"customers/{customer_id}/balance-transactions").body
    assert [row["amount"] for row in ledger["data"]] == [Decimal("50.00")]
    assert BalanceTransaction.objects.count() == 1


def test_entity_header_selects_entity_and_foreign_entity_is_404(api, entity):
    from tests.factories import EntityFactory

    other = EntityFactory()

    response = api.get("customers", headers={"x-entity-id": other.pk})

    assert response.status == 404
    assert response.error["param"] == "x-entity-id"


def test_a_gateway_customer_id_cannot_be_set_through_the_api(api, entity):
    from billing.models import Customer

    response = api.post("customers", {"name": "Aaron", "gateway_customer_id": "cus_stolen"})

    assert response.status == 400
    assert (response.error["code"], response.error["param"]) == (
        "unknown_field",
        "gateway_customer_id",
    )
    assert Customer.objects.count() == 0
