"""Stripe tests: the real SDK against the local fake Stripe (tests/stripe_fake)."""

from decimal import Decimal

import pytest

from payments.services import payment_charge
from payments.services.saved_methods import customer_ensure_gateway
from tests.factories import SYSTEM, SavedCardFactory, issued_invoice
from tests.stripe_fake import fixtures as stripe_fixtures

_fake_stripe_server = stripe_fixtures._fake_stripe_server
fake_stripe = stripe_fixtures.fake_stripe


@pytest.fixture
def stripe_customer(fake_stripe, customer):
    customer_ensure_gateway(customer=customer, actor=SYSTEM, gateway_name="stripe")
    customer.refresh_from_db()
    return customer


@pytest.fixture
def invoice(stripe_customer):
    return issued_invoice(stripe_customer, total="123.45")


def stripe_card(customer, token="pm_card_visa", last4="4242"):
    return SavedCardFactory(
        customer=customer, gateway="stripe", gateway_reference=token, last4=last4
    )


def charge(invoice, card, amount=None, **kwargs):
    return payment_charge(
        entity=invoice.entity,
        actor=SYSTEM,
        payment_method_id=card.pk,
        invoice_id=invoice.pk,
        amount=None if amount is None else Decimal(amount),
        **kwargs,
    )


def invoice_state(invoice):
    invoice.refresh_from_db()
    return (invoice.status, invoice.total_paid, invoice.total_due)
