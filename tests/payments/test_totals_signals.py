"""The totals signals: services send the documents they hold locked, the receiver recomputes
exactly those (in place), and changes that cannot move a total send nothing."""

from contextlib import contextmanager
from decimal import Decimal

import pytest

from payments.gateways import GatewayTransientError
from payments.services import payment_update, refund_create, refund_settle
from payments.services.documents import LockedDocuments
from payments.services.totals import payment_documents_recompute
from payments.signals import payment_money_changed, payment_refunded
from tests.factories import SYSTEM, charge_card, issued_invoice, record_payment
from tests.payments.fake_gateway import FakeGateway, using_gateway


@contextmanager
def sent(signal):
    """The (payment id, document ids) of every `signal` sent in the block."""
    calls = []

    def remember(sender, payment, documents, **kwargs):
        held = (documents.invoice, documents.advance_invoice, documents.credit_note)
        calls.append((payment.pk, {document.pk for document in held if document is not None}))

    signal.connect(remember, weak=False, dispatch_uid="test_totals_signals")
    try:
        yield calls
    finally:
        signal.disconnect(dispatch_uid="test_totals_signals")


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="100.00")


def test_a_recorded_payment_brings_its_locked_invoice_up_to_date_in_place(invoice):
    with sent(payment_money_changed) as calls:
        payment = record_payment(invoice, "40.00")

    assert calls == [(payment.pk, {invoice.pk})]
    # The row the service held is the one recomputed: no refresh needed.
    assert (payment.invoice.total_paid, payment.invoice.total_due) == (
        Decimal("40.00"),
        Decimal("60.00"),
    )


def test_a_new_note_or_reference_sends_nothing(invoice):
    payment = record_payment(invoice, "40.00")

    with sent(payment_money_changed) as calls:
        payment_update(payment=payment, actor=SYSTEM, note="Paid at the desk", reference="R-1")

    assert calls == []


def test_a_new_amount_recomputes_the_payments_documents(invoice):
    payment = record_payment(invoice, "40.00")

    with sent(payment_money_changed) as calls:
        updated = payment_update(payment=payment, actor=SYSTEM, amount=Decimal("55.00"))

    assert calls == [(payment.pk, {invoice.pk})]
    assert updated.invoice.total_due == Decimal("45.00")


def test_a_refund_updates_the_payment_and_its_invoice_without_a_payment_save_cascade(invoice):
    payment = record_payment(invoice, "100.00")

    with sent(payment_refunded) as refunds, sent(payment_money_changed) as payments:
        refund = refund_create(payment=payment, actor=SYSTEM, reason="Returned", amount="30.00")

    assert refunds == [(payment.pk, {invoice.pk})]
    assert payments == []
    assert refund.payment.amount_refunded == Decimal("30.00")
    assert refund.payment.invoice.total_due == Decimal("30.00")


def test_a_pending_refund_sends_nothing_until_it_succeeds(invoice):
    payment = charge_card(invoice, "100.00")

    with sent(payment_refunded) as calls:
        with using_gateway(FakeGateway(refund_error=GatewayTransientError("timeout"))):
            pending = refund_create(payment=payment, actor=SYSTEM, reason="Returned")
        assert (pending.status, calls) == ("pending", [])

        refund_settle(refund_id=pending.pk, status="succeeded", actor=SYSTEM, reference="sbx_re")

    assert calls == [(payment.pk, {invoice.pk})]
    invoice.refresh_from_db()
    assert invoice.total_due == Decimal("100.00")


def test_a_pending_charge_holds_its_amount_on_the_invoice(invoice):
    timeout = FakeGateway(charge_error=GatewayTransientError("timeout"))
    with sent(payment_money_changed) as calls, using_gateway(timeout):
        pending = charge_card(invoice, "70.00")

    assert pending.status == "pending"
    assert calls == [(pending.pk, {invoice.pk})]
    invoice.refresh_from_db()
    assert (invoice.total_reserved, invoice.total_payable) == (Decimal("70.00"), Decimal("30.00"))


def test_the_recompute_refuses_documents_the_caller_does_not_hold(invoice):
    payment = record_payment(invoice, "40.00")

    with pytest.raises(RuntimeError, match="held locked"):
        payment_documents_recompute(payment, LockedDocuments())
