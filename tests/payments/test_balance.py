"""The customer's money balance meeting invoices: auto-apply at issue, applying it, overpayments."""

from decimal import Decimal

from billing.errors import InvalidAmount, InvalidState, LimitExceeded, NotFound
from billing.models import BalanceTransaction
from payments.models import Payment
from payments.services import (
    balance_apply,
    invoice_issue,
    overpayment_move_to_balance,
    refund_create,
)
from tests.asserts import assert_no_drift, refused
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    draft_invoice,
    give_balance,
    issued_invoice,
    record_payment,
)


def ledger(customer):
    return list(
        BalanceTransaction.objects.filter(customer=customer)
        .order_by("created_at", "id")
        .values_list("kind", "amount", "balance_after")
    )


# --- auto-apply at issue ----------------------------------------------------------------------


def test_issuing_applies_the_positive_balance_as_a_payment(customer):
    give_balance(customer, "30.00")

    invoice = issued_invoice(customer, total="100.00")

    payment = Payment.objects.get(invoice=invoice)
    assert payment.type == "customer_balance"
    assert payment.amount == Decimal("30.00")
    assert payment.note == "Applied balance"
    assert payment.status == "succeeded"
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "partially_paid",
        Decimal("30.00"),
        Decimal("70.00"),
    )
    customer.refresh_from_db()
    assert customer.balance == Decimal("0.00")
    assert ledger(customer) == [
        ("adjustment", Decimal("30.00"), Decimal("30.00")),
        ("invoice_application", Decimal("-30.00"), Decimal("0.00")),
    ]
    row = BalanceTransaction.objects.get(kind="invoice_application")
    assert (row.invoice_id, row.payment_id) == (invoice.pk, payment.pk)
    assert row.reason == f"Applied to {invoice.number}"
    assert_no_drift()


def test_issuing_applies_no_more_than_the_invoice_total(customer):
    give_balance(customer, "150.00")

    invoice = issued_invoice(customer, total="100.00")

    assert (invoice.status, invoice.total_due) == ("paid", Decimal("0.00"))
    customer.refresh_from_db()
    assert customer.balance == Decimal("50.00")
    assert Payment.objects.get(invoice=invoice).amount == Decimal("100.00")


def test_issuing_with_apply_balance_false_leaves_the_balance_alone(customer):
    give_balance(customer, "30.00")

    invoice = issued_invoice(customer, total="100.00", apply_balance=False)

    assert (invoice.status, invoice.total_due) == ("issued", Decimal("100.00"))
    assert not Payment.objects.exists()
    customer.refresh_from_db()
    assert customer.balance == Decimal("30.00")


def test_issuing_in_another_currency_does_not_touch_the_balance(customer):
    give_balance(customer, "30.00")

    invoice = issued_invoice(customer, total="100.00", currency="USD")

    assert invoice.total_due == Decimal("100.00")
    customer.refresh_from_db()
    assert customer.balance == Decimal("30.00")


def test_issuing_an_advance_does_not_use_the_balance(customer):
    give_balance(customer, "30.00")
    advance = draft_invoice(customer, total="100.00", kind="advance")

    advance = invoice_issue(invoice=advance, actor=SYSTEM)

    assert advance.total_due == Decimal("100.00")
    customer.refresh_from_db()
    assert customer.balance == Decimal("30.00")


def test_issuing_without_a_balance_creates_no_payment(customer):
    issued_invoice(customer, total="100.00")

    assert not Payment.objects.exists()
    assert not BalanceTransaction.objects.exists()


def test_balance_applied_at_issue_is_audited(customer):
    from billing.models import AuditEvent

    give_balance(customer, "30.00")

    invoice = issued_invoice(customer, total="100.00")

    payment = Payment.objects.get(invoice=invoice)
    event = AuditEvent.objects.get(action="payment.recorded", object_id=payment.pk)
    assert event.invoice_id == invoice.pk
    assert event.after["type"] == "customer_balance"
    assert event.after["amount"] == "30.00"


# --- balance_apply ----------------------------------------------------------------------------


def test_balance_apply_uses_as_much_as_both_allow(customer):
    invoice = issued_invoice(customer, total="100.00")
    give_balance(customer, "40.00")

    payment = balance_apply(entity=customer.entity, invoice_id=invoice.pk, actor=SYSTEM)

    assert payment.amount == Decimal("40.00")
    invoice.refresh_from_db()
    customer.refresh_from_db()
    assert invoice.total_due == Decimal("60.00")
    assert customer.balance == Decimal("0.00")
    assert ledger(customer)[-1] == ("invoice_application", Decimal("-40.00"), Decimal("0.00"))
    assert_no_drift()


def test_balance_apply_stops_at_the_amount_due(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "90.00")
    give_balance(customer, "40.00")

    payment = balance_apply(entity=customer.entity, invoice_id=invoice.pk, actor=SYSTEM)

    assert payment.amount == Decimal("10.00")
    customer.refresh_from_db()
    assert customer.balance == Decimal("30.00")


def test_balance_apply_of_a_given_amount(customer):
    invoice = issued_invoice(customer, total="100.00")
    give_balance(customer, "40.00")

    balance_apply(
        entity=customer.entity, invoice_id=invoice.pk, actor=SYSTEM, amount=Decimal("15.00")
    )

    customer.refresh_from_db()
    assert customer.balance == Decimal("25.00")


def test_balance_apply_above_the_balance_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    give_balance(customer, "40.00")

    with refused(LimitExceeded, "insufficient_balance", "amount"):
        balance_apply(
            entity=customer.entity, invoice_id=invoice.pk, actor=SYSTEM, amount=Decimal("40.01")
        )


def test_balance_apply_above_the_amount_due_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "90.00")
    give_balance(customer, "40.00")

    with refused(LimitExceeded, "amount_exceeds_due", "amount"):
        balance_apply(
            entity=customer.entity, invoice_id=invoice.pk, actor=SYSTEM, amount=Decimal("10.01")
        )


def test_balance_apply_with_nothing_to_apply_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(InvalidState, "nothing_to_apply"):
        balance_apply(entity=customer.entity, invoice_id=invoice.pk, actor=SYSTEM)


def test_balance_apply_of_zero_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    give_balance(customer, "40.00")

    with refused(InvalidAmount, "amount_not_positive"):
        balance_apply(
            entity=customer.entity, invoice_id=invoice.pk, actor=SYSTEM, amount=Decimal("0")
        )


def test_refunding_a_balance_application_returns_it_to_the_balance(customer):
    give_balance(customer, "40.00")
    invoice = issued_invoice(customer, total="100.00")
    application = Payment.objects.get(invoice=invoice)

    refund = refund_create(
        payment=application, actor=SYSTEM, reason="Applied by mistake", amount=Decimal("15.00")
    )

    assert (refund.destination, refund.status) == ("customer_balance", "succeeded")
    customer.refresh_from_db()
    invoice.refresh_from_db()
    assert customer.balance == Decimal("15.00")
    assert invoice.total_due == Decimal("75.00")
    assert ledger(customer)[-1] == ("refund", Decimal("15.00"), Decimal("15.00"))
    assert_no_drift()


# --- overpayments -----------------------------------------------------------------------------


def test_overpayment_moves_to_the_balance_and_the_invoice_ends_paid(customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "130.00")

    refunds = overpayment_move_to_balance(invoice=invoice, actor=SYSTEM)

    assert [(r.amount, r.destination, r.status) for r in refunds] == [
        (Decimal("30.00"), "customer_balance", "succeeded")
    ]
    invoice.refresh_from_db()
    payment.refresh_from_db()
    customer.refresh_from_db()
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "paid",
        Decimal("100.00"),
        Decimal("0.00"),
    )
    assert invoice.display_status == "paid"
    assert payment.amount_refunded == Decimal("30.00")
    assert customer.balance == Decimal("30.00")
    assert ledger(customer) == [("overpayment", Decimal("30.00"), Decimal("30.00"))]
    assert_no_drift()


def test_part_of_an_overpayment_moves_to_the_balance(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "130.00")

    overpayment_move_to_balance(invoice=invoice, actor=SYSTEM, amount=Decimal("10.00"))

    invoice.refresh_from_db()
    customer.refresh_from_db()
    assert invoice.total_due == Decimal("-20.00")
    assert customer.balance == Decimal("10.00")


def test_overpayment_spread_over_payments_is_taken_newest_first(customer):
    invoice = issued_invoice(customer, total="100.00")
    first = record_payment(invoice, "80.00")
    second = record_payment(invoice, "30.00")
    third = record_payment(invoice, "15.00")

    overpayment_move_to_balance(invoice=invoice, actor=SYSTEM)

    for row in (first, second, third):
        row.refresh_from_db()
    assert [first.amount_refunded, second.amount_refunded, third.amount_refunded] == [
        Decimal("0.00"),
        Decimal("10.00"),
        Decimal("15.00"),
    ]
    customer.refresh_from_db()
    assert customer.balance == Decimal("25.00")
    assert_no_drift()


def test_moving_more_than_the_overpayment_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "130.00")

    with refused(LimitExceeded, "amount_exceeds_overpayment", "amount"):
        overpayment_move_to_balance(invoice=invoice, actor=SYSTEM, amount=Decimal("30.01"))


def test_moving_the_overpayment_of_an_invoice_that_is_not_overpaid_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "100.00")

    with refused(InvalidState, "not_overpaid"):
        overpayment_move_to_balance(invoice=invoice, actor=SYSTEM)


def test_balance_apply_to_another_entitys_invoice_is_not_found(customer):
    foreign = issued_invoice(CustomerFactory(), total="100.00")
    give_balance(customer, "40.00")

    with refused(NotFound, "resource_missing", "invoice_id"):
        balance_apply(entity=customer.entity, invoice_id=foreign.pk, actor=SYSTEM)
