"""Money actions are logged with ids, and never with keys, card data, notes or e-mail bodies.

Every record of a charge, a refund, an API call with a key and a receipt e-mail is
captured at DEBUG (the SDK's own loggers included) and searched for each secret.
"""

import json
from decimal import Decimal

import pytest
from django.core import mail

from payments.models import Payment
from tests.api_client import ApiClient
from tests.factories import CustomerFactory, SavedCardFactory, issued_invoice
from tests.stripe_fake import fixtures as stripe_fixtures
from tests.stripe_fake.server import API_KEY, WEBHOOK_SECRET

_fake_stripe_server = stripe_fixtures._fake_stripe_server
fake_stripe = stripe_fixtures.fake_stripe

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Paid by her brother after the hospital stay"
REFUND_REASON = "Refund agreed on the phone with Mrs Okafor"
METADATA_VALUE = "private-crm-remark-7731"


def test_money_actions_log_ids_and_no_secret(fake_stripe, captured_logs):
    from billing.services import api_key_create

    customer = CustomerFactory(name="Nadia Okafor", email="nadia.okafor@example.com")
    _key, raw_key = api_key_create(name="books", entities=[customer.entity])
    api = ApiClient(raw_key)
    card = SavedCardFactory(customer=customer, gateway="stripe", gateway_reference="pm_card_visa")
    charged_invoice = issued_invoice(customer, total="80.00")
    cash_invoice = issued_invoice(customer, total="50.00")

    charged = api.post(
        f"invoices/{charged_invoice.pk}/charge",
        {"payment_method_id": card.pk},
        idempotency_key="k1",
    )
    refund = api.post(
        f"payments/{charged.body['id']}/refunds",
        {"amount": Decimal("30.00"), "reason": REFUND_REASON},
        idempotency_key="k2",
    )
    cash = api.post(
        "payments",
        {
            "invoice_id": cash_invoice.pk,
            "amount": Decimal("50.00"),
            "type": "cash",
            "reference": "Counter 3",
            "note": NOTE,
            "metadata": {"crm": METADATA_VALUE},
        },
        idempotency_key="k3",
    )

    assert (charged.status, refund.status, cash.status) == (201, 201, 201)
    assert Payment.objects.get(pk=charged.body["id"]).status == "succeeded"
    # The card charge's receipt, the refund's notice and the cash payment's receipt.
    assert [message.to for message in mail.outbox] == [[customer.email]] * 3
    receipt = mail.outbox[-1]
    text = captured_logs.text
    for secret in [
        raw_key,
        raw_key[12:],  # any long part of it
        API_KEY,
        WEBHOOK_SECRET,
        NOTE,
        REFUND_REASON,
        METADATA_VALUE,
        customer.email,
        receipt.body.splitlines()[0],
        "received your payment",
        "4242424242424242",
    ]:
        assert secret not in text, secret
    # …while each money action is there, by id.
    money = [json.loads(line) for line in captured_logs.lines()]
    money = [(r["action"], r["object_id"]) for r in money if r["logger"] == "settle.money"]
    assert ("payment.charge_started", charged.body["id"]) in money
    assert ("refund.created", refund.body["id"]) in money
    assert ("payment.recorded", cash.body["id"]) in money
