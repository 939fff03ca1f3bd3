"""The reconcile task and sweep: pending charges settle by asking the gateway; charges left
waiting for authentication past their time are canceled, freeing the reserved amount."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from payments.gateways import GatewayTransientError
from payments.tasks import reconcile_payment, reconcile_pending_payments
from tests.factories import SavedCardFactory, charge_card, issued_invoice
from tests.payments.fake_gateway import FakeGateway, using_gateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="100.00")


def age(payment, **delta):
    """Make a payment look older (raw SQL: the model refuses bulk updates, rightly)."""
    past = timezone.now() - timedelta(**delta)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments_payment SET created_at = %s, updated_at = %s WHERE id = %s",
            [past, past, payment.pk],
        )


def test_the_sweep_settles_a_charge_left_pending(invoice):
    with using_gateway(FakeGateway(charge_error=GatewayTransientError("timeout"))):
        payment = charge_card(invoice)
    assert payment.status == "pending"
    age(payment, minutes=5)

    call_command("reconcile_payments")

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("paid", Decimal("0.00"))


def test_an_abandoned_authentication_is_canceled_after_its_time(invoice, settings):
    card = SavedCardFactory(
        customer=invoice.customer, gateway_reference="pm_card_authenticationRequired"
    )
    payment = charge_card(invoice, card=card)
    assert payment.status == "requires_action"

    assert reconcile_payment.call(payment.pk) == "requires_action"  # still within its time
    age(payment, hours=settings.SETTLE_AUTHENTICATION_TTL_HOURS + 1)
    assert reconcile_pending_payments.call() == 1

    payment.refresh_from_db()
    assert payment.status == "canceled"
    # The reserved amount is free again: the invoice can be charged in full.
    assert charge_card(invoice).status == "succeeded"


def test_a_charge_without_reference_is_not_replayed_past_the_idempotency_window(invoice):
    with using_gateway(FakeGateway(charge_error=GatewayTransientError("timeout"))) as gateway:
        payment = charge_card(invoice)
        age(payment, hours=25)
        gateway.charge_error = None

        reconcile_payment.call(payment.pk)

        assert len(gateway.charges) == 1  # only the first call: a replay might charge anew
    payment.refresh_from_db()
    assert payment.status == "pending"
