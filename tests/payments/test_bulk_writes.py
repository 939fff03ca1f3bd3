"""Paths that would bypass the recompute are closed on payments and refunds."""

from decimal import Decimal

import pytest

from payments.models import BulkWriteForbidden, Payment, Refund
from payments.services import refund_create
from tests.asserts import unchanged
from tests.factories import SYSTEM, issued_invoice, record_payment


@pytest.fixture
def payment(customer):
    return record_payment(issued_invoice(customer, total="100.00"), "40.00")


def test_payment_queryset_update_is_forbidden(payment):
    with unchanged(), pytest.raises(BulkWriteForbidden):
        Payment.objects.filter(pk=payment.pk).update(amount=Decimal("100.00"))


def test_payment_bulk_create_is_forbidden(payment):
    clone = Payment(
        entity_id=payment.entity_id,
        customer_id=payment.customer_id,
        invoice_id=payment.invoice_id,
        type="cash",
        amount=Decimal("60.00"),
        currency="EUR",
    )

    with unchanged(), pytest.raises(BulkWriteForbidden):
        Payment.objects.bulk_create([clone])


def test_payment_bulk_update_is_forbidden(payment):
    payment.amount = Decimal("100.00")

    with unchanged(), pytest.raises(BulkWriteForbidden):
        Payment.objects.bulk_update([payment], ["amount"])


def test_payment_delete_is_forbidden(payment):
    with unchanged():
        with pytest.raises(BulkWriteForbidden):
            Payment.objects.filter(pk=payment.pk).delete()
        with pytest.raises(BulkWriteForbidden):
            payment.delete()
        with pytest.raises(BulkWriteForbidden):
            payment.invoice.payments.all().delete()


def test_refund_bulk_paths_are_forbidden(payment):
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Partial", amount=Decimal("5.00"))

    with unchanged():
        with pytest.raises(BulkWriteForbidden):
            Refund.objects.update(amount=Decimal("40.00"))
        with pytest.raises(BulkWriteForbidden):
            Refund.objects.filter(pk=refund.pk).delete()
        with pytest.raises(BulkWriteForbidden):
            refund.delete()
        with pytest.raises(BulkWriteForbidden):
            payment.refunds.update(amount=Decimal("40.00"))
