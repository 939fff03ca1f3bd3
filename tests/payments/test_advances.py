"""Advance invoices: paid up front, then applied to final invoices, never beyond what was paid."""

from decimal import Decimal

import pytest

from billing.errors import LimitExceeded
from payments.gateways import GatewayTransientError
from payments.services import (
    payment_delete,
    payment_record,
    payment_update,
    refund_create,
    refund_settle,
)
from tests.asserts import assert_no_drift, refused
from tests.factories import (
    SYSTEM,
    charge_card,
    issued_advance,
    issued_invoice,
    record_payment,
)
from tests.payments.fake_gateway import FakeGateway, using_gateway


def apply_advance(invoice, advance, amount):
    return payment_record(
        entity=invoice.entity,
        actor=SYSTEM,
        amount=Decimal(amount),
        type="advance",
        invoice_id=invoice.pk,
        advance_invoice_id=advance.pk,
    )


@pytest.fixture
def paid_advance(customer):
    advance = issued_advance(customer, total="300.00")
    record_payment(advance, "300.00", type="bank_transfer")
    advance.refresh_from_db()
    return advance


def test_paying_an_advance_makes_it_paid_and_available_to_apply(customer):
    advance = issued_advance(customer, total="300.00")

    payment = record_payment(advance, "300.00", type="bank_transfer")

    assert payment.advance_invoice_id == advance.pk
    assert payment.invoice_id is None
    advance.refresh_from_db()
    assert (advance.status, advance.total_paid, advance.total_due) == (
        "paid",
        Decimal("300.00"),
        Decimal("0.00"),
    )
    assert advance.total_applied == Decimal("0.00")
    assert advance.available_to_apply == Decimal("300.00")


def test_applying_an_advance_settles_the_final_invoice(customer, paid_advance):
    invoice = issued_invoice(customer, total="500.00")

    payment = apply_advance(invoice, paid_advance, "300.00")

    assert payment.type == "advance"
    invoice.refresh_from_db()
    paid_advance.refresh_from_db()
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "partially_paid",
        Decimal("300.00"),
        Decimal("200.00"),
    )
    assert (paid_advance.total_paid, paid_advance.total_applied) == (
        Decimal("300.00"),
        Decimal("300.00"),
    )
    assert paid_advance.available_to_apply == Decimal("0.00")
    assert paid_advance.status == "paid"
    assert_no_drift()


def test_an_advance_can_be_applied_in_parts(customer, paid_advance):
    first = issued_invoice(customer, total="100.00")
    second = issued_invoice(customer, total="250.00")

    apply_advance(first, paid_advance, "100.00")
    apply_advance(second, paid_advance, "200.00")

    paid_advance.refresh_from_db()
    second.refresh_from_db()
    assert paid_advance.available_to_apply == Decimal("0.00")
    assert second.total_due == Decimal("50.00")


def test_applying_more_than_the_advance_has_available_is_refused(customer, paid_advance):
    apply_advance(issued_invoice(customer, total="250.00"), paid_advance, "250.00")
    invoice = issued_invoice(customer, total="500.00")

    with refused(LimitExceeded, "amount_exceeds_advance", "amount"):
        apply_advance(invoice, paid_advance, "50.01")

    apply_advance(invoice, paid_advance, "50.00")


def test_applying_an_unpaid_advance_is_refused(customer):
    advance = issued_advance(customer, total="300.00")
    invoice = issued_invoice(customer, total="500.00")

    with refused(LimitExceeded, "amount_exceeds_advance"):
        apply_advance(invoice, advance, "1.00")


def test_applying_more_than_the_invoice_due_is_refused(customer, paid_advance):
    invoice = issued_invoice(customer, total="100.00")

    with refused(LimitExceeded, "amount_exceeds_due", "amount"):
        apply_advance(invoice, paid_advance, "100.01")


def test_refunding_advance_money_already_applied_is_refused(customer, paid_advance):
    money = paid_advance.advance_payments.get(type="bank_transfer")
    apply_advance(issued_invoice(customer, total="200.00"), paid_advance, "200.00")

    with refused(LimitExceeded, "advance_already_applied", "amount"):
        refund_create(payment=money, actor=SYSTEM, reason="Cancel", amount=Decimal("100.01"))

    refund_create(payment=money, actor=SYSTEM, reason="Cancel", amount=Decimal("100.00"))
    paid_advance.refresh_from_db()
    assert (paid_advance.total_paid, paid_advance.total_applied) == (
        Decimal("200.00"),
        Decimal("200.00"),
    )
    assert_no_drift()


def test_deleting_advance_money_already_applied_is_refused(customer, paid_advance):
    money = paid_advance.advance_payments.get(type="bank_transfer")
    apply_advance(issued_invoice(customer, total="200.00"), paid_advance, "1.00")

    with refused(LimitExceeded, "advance_already_applied"):
        payment_delete(payment=money, actor=SYSTEM, reason="Mistake")


def test_lowering_advance_money_below_what_is_applied_is_refused(customer, paid_advance):
    money = paid_advance.advance_payments.get(type="bank_transfer")
    apply_advance(issued_invoice(customer, total="200.00"), paid_advance, "200.00")

    with refused(LimitExceeded, "advance_already_applied"):
        payment_update(payment=money, actor=SYSTEM, amount=Decimal("199.99"))

    payment_update(payment=money, actor=SYSTEM, amount=Decimal("200.00"))
    paid_advance.refresh_from_db()
    assert paid_advance.available_to_apply == Decimal("0.00")


def test_removing_an_application_makes_the_advance_available_again(customer, paid_advance):
    invoice = issued_invoice(customer, total="200.00")
    application = apply_advance(invoice, paid_advance, "200.00")

    payment_delete(payment=application, actor=SYSTEM, reason="Wrong invoice")

    paid_advance.refresh_from_db()
    invoice.refresh_from_db()
    assert paid_advance.available_to_apply == Decimal("300.00")
    assert (invoice.status, invoice.total_due) == ("issued", Decimal("200.00"))
    assert_no_drift()


def test_refunding_an_application_gives_it_back_to_the_advance(customer, paid_advance):
    invoice = issued_invoice(customer, total="200.00")
    application = apply_advance(invoice, paid_advance, "200.00")

    refund_create(payment=application, actor=SYSTEM, reason="Partly", amount=Decimal("50.00"))

    paid_advance.refresh_from_db()
    invoice.refresh_from_db()
    assert paid_advance.total_applied == Decimal("150.00")
    assert invoice.total_due == Decimal("50.00")
    assert_no_drift()


def test_a_charged_advance_can_be_applied(customer):
    advance = issued_advance(customer, total="300.00")
    charge = charge_card(advance)
    assert (charge.status, charge.amount) == ("succeeded", Decimal("300.00"))
    invoice = issued_invoice(customer, total="300.00")

    apply_advance(invoice, advance, "300.00")

    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_pending_refunds_of_advance_money_reserve_it(customer):
    advance = issued_advance(customer, total="100.00")
    first = charge_card(advance, "50.00")
    second = charge_card(advance, "50.00")
    apply_advance(issued_invoice(customer, total="60.00"), advance, "60.00")
    another = issued_invoice(customer, total="60.00")

    with using_gateway(FakeGateway(refund_error=GatewayTransientError("timeout"))):
        pending = refund_create(
            payment=first, actor=SYSTEM, reason="Cancel", amount=Decimal("40.00")
        )
        assert pending.status == "pending"

        with refused(LimitExceeded, "advance_already_applied"):
            refund_create(payment=second, actor=SYSTEM, reason="Cancel", amount=Decimal("0.01"))
        with refused(LimitExceeded, "amount_exceeds_advance"):
            apply_advance(another, advance, "0.01")


def test_pending_refund_of_advance_money_settles_within_what_is_applied(customer):
    advance = issued_advance(customer, total="100.00")
    first = charge_card(advance, "50.00")
    charge_card(advance, "50.00")
    apply_advance(issued_invoice(customer, total="60.00"), advance, "60.00")
    with using_gateway(FakeGateway(refund_error=GatewayTransientError("timeout"))):
        pending = refund_create(
            payment=first, actor=SYSTEM, reason="Cancel", amount=Decimal("40.00")
        )

    refund_settle(refund_id=pending.pk, status="succeeded", actor=SYSTEM, reference="sbx_re_x")

    advance.refresh_from_db()
    assert (advance.total_paid, advance.total_applied) == (Decimal("60.00"), Decimal("60.00"))
    assert_no_drift()


def test_advance_application_cannot_grow_beyond_the_advance(customer, paid_advance):
    invoice = issued_invoice(customer, total="500.00")
    application = apply_advance(invoice, paid_advance, "250.00")

    with refused(LimitExceeded, "amount_exceeds_advance"):
        payment_update(payment=application, actor=SYSTEM, amount=Decimal("300.01"))

    payment_update(payment=application, actor=SYSTEM, amount=Decimal("300.00"))
    paid_advance.refresh_from_db()
    invoice.refresh_from_db()
    assert paid_advance.available_to_apply == Decimal("0.00")
    assert invoice.total_due == Decimal("200.00")
    assert_no_drift()
