"""`POST /api/v1/invoices/{id}/refunds`: the split as a list of refunds, its errors, replays."""

from decimal import Decimal

import pytest

from billing.models import AuditEvent
from payments.models import Refund
from tests.asserts import unchanged
from tests.factories import CustomerFactory, charge_card, issued_invoice, record_payment


@pytest.fixture
def paid(entity):
    """150.00 paid by cash, then a card charge of 60.00, then a transfer of 40.00."""
    invoice = issued_invoice(CustomerFactory(entity=entity), total="150.00")
    cash = record_payment(invoice, "50.00")
    card = charge_card(invoice, "60.00")
    transfer = record_payment(invoice, "40.00", type="bank_transfer")
    return invoice, cash, card, transfer


def test_refund_spreads_newest_first_and_answers_the_refunds_and_the_split(api, paid):
    invoice, _, card, transfer = paid

    response = api.post(
        f"invoices/{invoice.pk}/refunds", {"amount": Decimal("70.00"), "reason": "Canceled"}
    )

    assert response.status == 201, response.body
    refunds = {r.payment_id: r for r in Refund.objects.all()}
    assert response.body["object"] == "list"
    assert [(r["payment_id"], r["amount"], r["status"]) for r in response.body["data"]] == [
        (transfer.pk, Decimal("40.00"), "succeeded"),
        (card.pk, Decimal("30.00"), "succeeded"),
    ]
    assert response.body["data"][0] == api.get(f"refunds/{refunds[transfer.pk].pk}").body
    assert (response.body["amount"], response.body["currency"]) == (
        Decimal("70.00"),
        invoice.currency,
    )
    assert response.body["split"] == [
        {
            "refund_id": refunds[transfer.pk].pk,
            "payment_id": transfer.pk,
            "payment_type": "bank_transfer",
            "through_gateway": False,
            "amount": Decimal("40.00"),
        },
        {
            "refund_id": refunds[card.pk].pk,
            "payment_id": card.pk,
            "payment_type": "card",
            "through_gateway": True,
            "amount": Decimal("30.00"),
        },
    ]
    invoice = api.get(f"invoices/{invoice.pk}").body
    assert (invoice["total_paid"], invoice["total_due"]) == (Decimal("80.00"), Decimal("70.00"))
    [event] = AuditEvent.objects.filter(action="invoice.refunded")
    assert event.after["refund_ids"] == [r["id"] for r in response.body["data"]]


def test_card_first_and_default_amount_refund_everything_card_first(api, paid):
    invoice, cash, card, transfer = paid

    response = api.post(
        f"invoices/{invoice.pk}/refunds", {"reason": "Canceled", "order": "card_first"}
    )

    assert response.status == 201, response.body
    assert [(r["payment_id"], r["amount"]) for r in response.body["data"]] == [
        (card.pk, Decimal("60.00")),
        (transfer.pk, Decimal("40.00")),
        (cash.pk, Decimal("50.00")),
    ]


def test_to_the_customer_balance(api, paid):
    invoice, *_ = paid

    response = api.post(
        f"invoices/{invoice.pk}/refunds",
        {"amount": Decimal("20.00"), "reason": "Credit", "destination": "customer_balance"},
    )

    assert response.status == 201, response.body
    assert {r["destination"] for r in response.body["data"]} == {"customer_balance"}
    balance = api.get(f"customers/{invoice.customer_id}").body["balance"]
    assert balance == Decimal("20.00")


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        (
            {"amount": Decimal("150.01"), "reason": "Too much"},
            409,
            "amount_exceeds_refundable",
            "amount",
        ),
        ({"amount": Decimal("10.00")}, 400, "required", "reason"),
        ({"reason": "x", "order": "oldest_first"}, 400, "invalid_choice", "order"),
        ({"reason": "x", "destination": "elsewhere"}, 400, "invalid_choice", "destination"),
        ({"reason": "x", "amount": Decimal("-1")}, 400, "amount_not_positive", "amount"),
        ({"reason": "x", "payment_id": "pmt_x"}, 400, "unknown_field", "payment_id"),
    ],
)
def test_refused_requests_change_nothing(api, paid, body, status, code, param):
    invoice, *_ = paid

    with unchanged():
        response = api.post(f"invoices/{invoice.pk}/refunds", body)

    assert response.status == status, response.body
    assert (response.error["code"], response.error["param"]) == (code, param)


def test_an_invoice_without_money_payments_has_nothing_to_refund(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")

    with unchanged():
        response = api.post(f"invoices/{invoice.pk}/refunds", {"reason": "Nothing"})

    assert (response.status, response.error["code"]) == (409, "nothing_to_refund")


def test_idempotency_key_replays_the_refunds_once(api, paid):
    invoice, *_ = paid
    body = {"amount": Decimal("45.00"), "reason": "Canceled"}

    first = api.post(f"invoices/{invoice.pk}/refunds", body, idempotency_key="inv-refund-1")
    again = api.post(f"invoices/{invoice.pk}/refunds", body, idempotency_key="inv-refund-1")

    assert first.status == again.status == 201
    assert again.body == first.body
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert Refund.objects.count() == 2
