"""Changing (PATCH) and deleting payments: documents follow, references never change."""

from decimal import Decimal

import pytest

from billing.errors import InvalidAmount, InvalidState, LimitExceeded, ValidationError
from billing.models import AuditEvent, BalanceTransaction
from payments.models import Payment
from payments.services import (
    invoice_void,
    payment_delete,
    payment_record,
    payment_update,
    refund_create,
)
from tests.asserts import assert_no_drift, refused, unchanged
from tests.factories import (
    SYSTEM,
    charge_card,
    give_balance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)


def update(payment, **changes):
    return payment_update(payment=payment, actor=SYSTEM, **changes)


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="100.00")


@pytest.fixture
def cash(invoice):
    return record_payment(invoice, "40.00")


@pytest.fixture
def open_credit_note(invoice):
    return issued_credit_note(invoice, "30.00")


def apply_credit(invoice, credit_note, amount):
    return payment_record(
        entity=invoice.entity,
        actor=SYSTEM,
        amount=Decimal(amount),
        type="credit_note",
        invoice_id=invoice.pk,
        credit_note_id=credit_note.pk,
    )


# --- amount -----------------------------------------------------------------------------------


def test_raising_the_amount_recalculates_the_invoice(invoice, cash):
    update(cash, amount=Decimal("100.00"))

    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "paid",
        Decimal("100.00"),
        Decimal("0.00"),
    )
    assert_no_drift()


def test_lowering_the_amount_recalculates_the_invoice(invoice):
    payment = record_payment(invoice, "100.00")

    update(payment, amount=Decimal("25.50"))

    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "partially_paid",
        Decimal("25.50"),
        Decimal("74.50"),
    )


def test_external_payment_may_be_raised_above_the_amount_due(invoice, cash):
    update(cash, amount=Decimal("150.00"))

    invoice.refresh_from_db()
    assert invoice.total_due == Decimal("-50.00")
    assert invoice.display_status == "overpaid"


def test_amount_update_is_audited_with_before_and_after(cash):
    update(cash, amount=Decimal("45.00"), note="Corrected")

    event = AuditEvent.objects.get(action="payment.updated")
    assert event.object_id == cash.pk
    assert (event.before["amount"], event.after["amount"]) == ("40.00", "45.00")
    assert (event.before["note"], event.after["note"]) == (None, "Corrected")


def test_update_with_nothing_new_changes_nothing(cash):
    with unchanged():
        update(cash, amount=Decimal("40.00"), type="cash")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal("0"), "amount_not_positive"),
        (Decimal("-1"), "amount_not_positive"),
        (Decimal("1.001"), "too_many_decimals"),
        (Decimal("NaN"), "invalid_amount"),
        (1.5, "invalid_amount"),
    ],
)
def test_update_with_an_invalid_amount_is_refused(cash, amount, code):
    with refused(InvalidAmount, code, "amount"):
        update(cash, amount=amount)


def test_amount_cannot_go_below_what_is_refunded(invoice, cash):
    refund_create(payment=cash, actor=SYSTEM, reason="Partial", amount=Decimal("30.00"))

    with refused(InvalidState, "amount_below_refunded", "amount"):
        update(cash, amount=Decimal("29.99"))

    update(cash, amount=Decimal("30.00"))
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("0.00")


def test_gateway_payment_amount_cannot_change(invoice):
    charge = charge_card(invoice, "60.00")

    with refused(InvalidState, "gateway_payment_immutable", "amount"):
        update(charge, amount=Decimal("50.00"))


def test_gateway_payment_note_and_reference_can_change(invoice):
    charge = charge_card(invoice, "60.00")

    updated = update(charge, reference="Order 7", note="Paid by phone")

    charge.refresh_from_db()
    assert (charge.reference, charge.note) == ("Order 7", "Paid by phone")
    assert updated.amount == Decimal("60.00")


def test_amount_increase_on_a_void_invoice_is_refused(invoice, cash):
    refund_create(payment=cash, actor=SYSTEM, reason="Cancelled")
    invoice_void(invoice=invoice, actor=SYSTEM, reason="Cancelled")

    with refused(InvalidState, "invoice_not_payable"):
        update(cash, amount=Decimal("80.00"))


def test_deleted_payment_cannot_be_updated(cash):
    payment_delete(payment=cash, actor=SYSTEM, reason="Duplicate")

    with refused(InvalidState, "payment_deleted"):
        update(cash, note="late edit")


# --- references and type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "invoice_id",
        "credit_note_id",
        "advance_invoice_id",
        "currency",
        "status",
        "amount_refunded",
        "customer_id",
        "entity_id",
        "gateway",
    ],
)
def test_document_references_and_system_fields_are_immutable(cash, field):
    with refused(ValidationError, "immutable_field", field):
        update(cash, **{field: "x"})


def test_type_changes_among_external_types(invoice, cash):
    update(cash, type="bank_transfer")

    cash.refresh_from_db()
    invoice.refresh_from_db()
    assert cash.type == "bank_transfer"
    assert invoice.total_paid == Decimal("40.00")


@pytest.mark.parametrize("new_type", ["credit_note", "advance", "customer_balance", "wire"])
def test_external_payment_cannot_become_an_application(cash, new_type):
    with refused(ValidationError, "invalid_type_change", "type"):
        update(cash, type=new_type)


def test_application_cannot_become_an_external_payment(invoice, open_credit_note):
    application = apply_credit(invoice, open_credit_note, "10.00")

    with refused(ValidationError, "invalid_type_change", "type"):
        update(application, type="cash")


def test_gateway_payment_type_cannot_change(invoice):
    charge = charge_card(invoice, "60.00")

    with refused(ValidationError, "invalid_type_change"):
        update(charge, type="cash")


def test_date_reference_note_and_metadata_can_change(cash):
    update(
        cash,
        date="2024-01-15",
        reference="BANK-42",
        note="Second instalment",
        metadata={"order": "7"},
    )

    cash.refresh_from_db()
    assert str(cash.date) == "2024-01-15"
    assert (cash.reference, cash.note, cash.metadata) == (
        "BANK-42",
        "Second instalment",
        {"order": "7"},
    )


def test_invalid_metadata_update_is_refused(cash):
    with refused(ValidationError, "invalid_metadata"):
        update(cash, metadata={"k" * 41: "v"})


# --- caps on increase -------------------------------------------------------------------------


def test_credit_note_payment_cannot_grow_beyond_the_credit_note(invoice, open_credit_note):
    application = apply_credit(invoice, open_credit_note, "20.00")

    with refused(LimitExceeded, "amount_exceeds_credit_note", "amount"):
        update(application, amount=Decimal("30.01"))

    update(application, amount=Decimal("30.00"))
    open_credit_note.refresh_from_db()
    invoice.refresh_from_db()
    assert open_credit_note.total_remaining == Decimal("0.00")
    assert (invoice.total_paid, invoice.total_credited) == (Decimal("30.00"), Decimal("30.00"))
    assert_no_drift()


def test_credit_note_payment_cannot_grow_beyond_the_invoice_due(invoice, open_credit_note):
    application = apply_credit(invoice, open_credit_note, "10.00")
    record_payment(invoice, "85.00")

    with refused(LimitExceeded, "amount_exceeds_due"):
        update(application, amount=Decimal("15.01"))


def test_growing_beyond_both_caps_names_the_credit_note_first_as_recording_does(
    invoice, open_credit_note
):
    application = apply_credit(invoice, open_credit_note, "10.00")
    record_payment(invoice, "85.00")

    with refused(LimitExceeded, "amount_exceeds_credit_note", "amount"):
        update(application, amount=Decimal("40.01"))


def test_balance_application_amount_change_posts_a_ledger_delta(customer):
    give_balance(customer, "50.00")
    invoice = issued_invoice(customer, total="100.00", apply_balance=False)
    application = payment_record(
        entity=customer.entity,
        actor=SYSTEM,
        amount=Decimal("30.00"),
        type="customer_balance",
        invoice_id=invoice.pk,
    )

    update(application, amount=Decimal("40.00"))
    customer.refresh_from_db()
    assert customer.balance == Decimal("10.00")

    update(application, amount=Decimal("20.00"))
    customer.refresh_from_db()
    invoice.refresh_from_db()
    assert customer.balance == Decimal("30.00")
    assert invoice.total_due == Decimal("80.00")
    deltas = list(
        BalanceTransaction.objects.filter(reason="Payment amount changed")
        .order_by("created_at", "id")
        .values_list("kind", "amount", "balance_after", "payment_id")
    )
    assert deltas == [
        ("invoice_application", Decimal("-10.00"), Decimal("10.00"), application.pk),
        ("invoice_application", Decimal("20.00"), Decimal("30.00"), application.pk),
    ]
    assert_no_drift()


def test_balance_application_cannot_grow_beyond_the_balance(customer):
    give_balance(customer, "50.00")
    invoice = issued_invoice(customer, total="100.00", apply_balance=False)
    application = payment_record(
        entity=customer.entity,
        actor=SYSTEM,
        amount=Decimal("30.00"),
        type="customer_balance",
        invoice_id=invoice.pk,
    )

    with refused(LimitExceeded, "insufficient_balance"):
        update(application, amount=Decimal("50.01"))


# --- delete -----------------------------------------------------------------------------------


def test_delete_keeps_the_row_and_recalculates_the_invoice(invoice, cash):
    payment_delete(payment=cash, actor=SYSTEM, reason="Recorded twice")

    row = Payment.objects.get(pk=cash.pk)
    assert row.is_deleted is True
    assert row.deleted_at is not None
    assert row.delete_reason == "Recorded twice"
    assert row.amount == Decimal("40.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "issued",
        Decimal("0.00"),
        Decimal("100.00"),
    )
    assert_no_drift()


def test_delete_is_audited_with_before_after_and_reason(cash):
    payment_delete(payment=cash, actor=SYSTEM, reason="Recorded twice")

    event = AuditEvent.objects.get(action="payment.deleted")
    assert event.object_id == cash.pk
    assert event.reason == "Recorded twice"
    assert event.before["is_deleted"] is False
    assert event.after["is_deleted"] is True
    assert event.after["amount"] == "40.00"


def test_deleting_twice_is_refused(cash):
    payment_delete(payment=cash, actor=SYSTEM, reason="Recorded twice")

    with refused(InvalidState, "payment_deleted"):
        payment_delete(payment=cash, actor=SYSTEM, reason="Again")


def test_gateway_payment_cannot_be_deleted(invoice):
    charge = charge_card(invoice, "60.00")

    with refused(InvalidState, "gateway_payment_immutable"):
        payment_delete(payment=charge, actor=SYSTEM, reason="Mistake")


def test_payment_with_refunds_cannot_be_deleted(cash):
    refund_create(payment=cash, actor=SYSTEM, reason="Partial", amount=Decimal("1.00"))

    with refused(InvalidState, "payment_has_refunds"):
        payment_delete(payment=cash, actor=SYSTEM, reason="Mistake")


def test_deleting_a_balance_application_gives_the_balance_back(customer):
    give_balance(customer, "50.00")
    invoice = issued_invoice(customer, total="100.00")
    application = Payment.objects.get(invoice=invoice)

    payment_delete(payment=application, actor=SYSTEM, reason="Customer wants to keep credit")

    customer.refresh_from_db()
    invoice.refresh_from_db()
    assert customer.balance == Decimal("50.00")
    assert invoice.total_due == Decimal("100.00")
    row = BalanceTransaction.objects.order_by("-created_at", "-id").first()
    assert (row.kind, row.amount, row.balance_after, row.payment_id) == (
        "application_reversal",
        Decimal("50.00"),
        Decimal("50.00"),
        application.pk,
    )
    assert_no_drift()


def test_deleting_a_credit_to_the_balance_that_was_spent_is_refused(customer, invoice):
    credit_note = issued_credit_note(invoice, "10.00", to="customer_balance")
    issued_invoice(customer, total="5.00")  # spends 5.00 of the credit at issue

    with refused(LimitExceeded, "insufficient_balance"):
        payment_delete(payment=credit_note.payments.get(), actor=SYSTEM, reason="Mistake")


def test_deleting_a_credit_note_application_restores_the_credit_note(invoice, open_credit_note):
    application = apply_credit(invoice, open_credit_note, "30.00")

    payment_delete(payment=application, actor=SYSTEM, reason="Wrong invoice")

    open_credit_note.refresh_from_db()
    invoice.refresh_from_db()
    assert open_credit_note.total_remaining == Decimal("30.00")
    assert (invoice.total_paid, invoice.total_credited) == (Decimal("0.00"), Decimal("0.00"))
    assert_no_drift()


def test_credit_to_the_balance_amount_change_moves_the_balance(customer, invoice, open_credit_note):
    credit = payment_record(
        entity=customer.entity,
        actor=SYSTEM,
        amount=Decimal("10.00"),
        type="customer_balance",
        credit_note_id=open_credit_note.pk,
    )

    update(credit, amount=Decimal("25.00"))

    customer.refresh_from_db()
    open_credit_note.refresh_from_db()
    assert customer.balance == Decimal("25.00")
    assert open_credit_note.total_remaining == Decimal("5.00")
    with refused(LimitExceeded, "amount_exceeds_credit_note"):
        update(credit, amount=Decimal("30.01"))
    assert_no_drift()
