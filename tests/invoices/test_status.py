"""The invoice status machine: issue, settle, void (only with nothing settled), write off."""

from decimal import Decimal

import pytest

from billing.errors import CurrencyMismatch, InvalidAmount, InvalidState, ValidationError
from billing.models import AuditEvent
from invoices.models import INVOICE_TRANSITIONS, Invoice, InvoiceStatus
from invoices.services import invoice_write_off
from invoices.settlement import check_transition
from payments.models import PaymentStatus
from payments.services import invoice_void, payment_delete, refund_create
from tests.asserts import assert_no_drift, refused
from tests.factories import (
    SYSTEM,
    SavedCardFactory,
    charge_card,
    draft_invoice,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

ALLOWED = {
    ("draft", "issued"),
    ("draft", "void"),
    ("issued", "partially_paid"),
    ("issued", "paid"),
    ("issued", "void"),
    ("issued", "uncollectible"),
    ("partially_paid", "issued"),
    ("partially_paid", "paid"),
    ("partially_paid", "uncollectible"),
    ("paid", "issued"),
    ("paid", "partially_paid"),
    ("paid", "uncollectible"),
    ("uncollectible", "paid"),
    ("uncollectible", "partially_paid"),
    ("uncollectible", "issued"),
}
PAIRS = [(a, b) for a in InvoiceStatus.values for b in InvoiceStatus.values if a != b]


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_status_transition_table(current, target):
    invoice = Invoice(status=current)

    if (current, target) in ALLOWED:
        check_transition(invoice, target)
    else:
        with pytest.raises(InvalidState) as info:
            check_transition(invoice, target)
        assert info.value.code == "invalid_status_transition"


def test_void_is_terminal():
    assert INVOICE_TRANSITIONS[InvoiceStatus.VOID] == set()


def test_draft_total_is_computed_from_rounded_lines(customer):
    from invoices.services import invoice_create

    invoice = invoice_create(
        entity=customer.entity,
        customer=customer,
        actor=SYSTEM,
        items=[
            {"name": "Desk", "quantity": Decimal("3"), "price": Decimal("0.335")},
            {"name": "Coffee", "quantity": 2, "price": Decimal("2.50"), "tax_rate": Decimal("7")},
        ],
    )

    lines = list(invoice.lines.values_list("amount", "tax_amount", "total"))
    assert lines == [
        (Decimal("1.01"), Decimal("0.00"), Decimal("1.01")),
        (Decimal("5.00"), Decimal("0.35"), Decimal("5.35")),
    ]
    assert invoice.total_net == Decimal("6.01")
    assert invoice.total_tax == Decimal("0.35")
    assert invoice.total == Decimal("6.36")
    assert invoice.total_due == Decimal("6.36")
    assert invoice.status == "draft"
    assert invoice.paid_in_full is False


def test_issued_invoice_without_payments_is_issued_and_due(customer):
    invoice = issued_invoice(customer, total="100.00")

    assert invoice.status == "issued"
    assert invoice.total_due == Decimal("100.00")
    assert invoice.total_paid == Decimal("0.00")
    assert invoice.paid_in_full is False
    assert invoice.display_status == "issued"


def test_issued_invoice_past_its_due_date_shows_overdue(customer):
    invoice = issued_invoice(customer, total="100.00", date="2020-01-01", due_date="2020-01-31")

    assert invoice.status == "issued"
    assert invoice.display_status == "overdue"
    assert invoice.is_overdue is True


# --- void -------------------------------------------------------------------------------------


def test_void_an_issued_invoice_with_nothing_settled(customer):
    invoice = issued_invoice(customer, total="100.00")

    voided = invoice_void(invoice=invoice, actor=SYSTEM, reason="Sent by mistake")

    invoice.refresh_from_db()
    assert voided.status == invoice.status == "void"
    assert invoice.void_reason == "Sent by mistake"
    assert invoice.voided_at is not None
    assert invoice.total_due == Decimal("0.00")
    assert invoice.number == f"INV-{invoice.date.year}-00001"
    event = AuditEvent.objects.get(action="invoice.voided")
    assert event.reason == "Sent by mistake"
    assert event.before["status"] == "issued"
    assert event.after["status"] == "void"


def test_void_a_draft(customer):
    invoice = draft_invoice(customer)

    invoice_void(invoice=invoice, actor=SYSTEM, reason="Not needed")

    invoice.refresh_from_db()
    assert invoice.status == "void"
    assert invoice.number == ""


def test_void_without_a_reason_is_refused(customer):
    invoice = issued_invoice(customer)

    with refused(ValidationError, "reason_required", "reason"):
        invoice_void(invoice=invoice, actor=SYSTEM, reason="  ")


def test_void_with_a_payment_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "10.00")

    with refused(InvalidState, "invoice_has_payments"):
        invoice_void(invoice=invoice, actor=SYSTEM, reason="Mistake")


def test_void_with_a_charge_in_flight_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    card = SavedCardFactory(customer=customer, gateway_reference="pm_card_authenticationRequired")
    payment = charge_card(invoice, "100.00", card=card)
    assert payment.status == PaymentStatus.REQUIRES_ACTION

    with refused(InvalidState, "invoice_has_payments"):
        invoice_void(invoice=invoice, actor=SYSTEM, reason="Mistake")


def test_void_with_a_credit_note_is_refused(customer):

    invoice = issued_invoice(customer, total="100.00")
    issued_credit_note(invoice, "10.00")

    with refused(InvalidState, "invoice_has_credit_notes"):
        invoice_void(invoice=invoice, actor=SYSTEM, reason="Mistake")


def test_void_after_the_only_payment_was_deleted_is_allowed(customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "10.00")
    payment_delete(payment=payment, actor=SYSTEM, reason="Recorded twice")

    invoice_void(invoice=invoice, actor=SYSTEM, reason="Mistake")

    invoice.refresh_from_db()
    assert invoice.status == "void"


def test_void_after_a_full_refund_is_allowed(customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")
    refund_create(payment=payment, actor=SYSTEM, reason="Cancelled order")

    invoice_void(invoice=invoice, actor=SYSTEM, reason="Cancelled order")

    invoice.refresh_from_db()
    assert invoice.status == "void"
    assert invoice.total_paid == Decimal("0.00")


def test_void_invoice_cannot_be_voided_again(customer):
    invoice = issued_invoice(customer)
    invoice_void(invoice=invoice, actor=SYSTEM, reason="Mistake")

    with refused(InvalidState, "invalid_status_transition"):
        invoice_void(invoice=invoice, actor=SYSTEM, reason="Again")


# --- write-off --------------------------------------------------------------------------------


def test_write_off_marks_the_invoice_uncollectible(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "30.00")

    invoice_write_off(invoice=invoice, actor=SYSTEM, reason="Customer went bankrupt")

    invoice.refresh_from_db()
    assert invoice.status == "uncollectible"
    assert invoice.write_off_reason == "Customer went bankrupt"
    assert invoice.written_off_at is not None
    assert invoice.total_due == Decimal("70.00")
    event = AuditEvent.objects.get(action="invoice.written_off")
    assert event.reason == "Customer went bankrupt"
    assert event.before["status"] == "partially_paid"
    assert event.after["status"] == "uncollectible"


def test_written_off_invoice_paid_in_full_becomes_paid(customer):
    invoice = issued_invoice(customer, total="100.00")
    invoice_write_off(invoice=invoice, actor=SYSTEM, reason="Gave up")

    record_payment(invoice, "40.00")
    invoice.refresh_from_db()
    assert invoice.status == "uncollectible"
    assert invoice.total_due == Decimal("60.00")

    record_payment(invoice, "60.00")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.total_due == Decimal("0.00")
    assert invoice.paid_in_full is True
    assert_no_drift()


def test_written_off_invoice_paid_then_partly_refunded_is_uncollectible_again(customer):
    invoice = issued_invoice(customer, total="100.00")
    invoice_write_off(invoice=invoice, actor=SYSTEM, reason="Gave up")
    payment = record_payment(invoice, "100.00")

    refund_create(payment=payment, actor=SYSTEM, reason="Goodwill", amount=Decimal("20.00"))

    invoice.refresh_from_db()
    assert invoice.status == "uncollectible"
    assert invoice.total_due == Decimal("20.00")
    assert_no_drift()


def test_write_off_without_a_reason_is_refused(customer):
    invoice = issued_invoice(customer)

    with refused(ValidationError, "reason_required", "reason"):
        invoice_write_off(invoice=invoice, actor=SYSTEM, reason="")


@pytest.mark.parametrize("state", ["draft", "paid", "void"])
def test_write_off_is_only_for_an_invoice_with_an_amount_due(customer, state):
    if state == "draft":
        invoice = draft_invoice(customer)
    else:
        invoice = issued_invoice(customer, total="100.00")
        if state == "paid":
            record_payment(invoice, "100.00")
        else:
            invoice_void(invoice=invoice, actor=SYSTEM, reason="Mistake")

    with refused(InvalidState, "invalid_status_transition"):
        invoice_write_off(invoice=invoice, actor=SYSTEM, reason="Gave up")


# --- settlement moves the status ----------------------------------------------------------------


def test_status_follows_payments_and_refunds_both_ways(customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")
    invoice.refresh_from_db()
    assert invoice.status == "paid"

    refund_create(payment=payment, actor=SYSTEM, reason="Partial", amount=Decimal("40.00"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("partially_paid", Decimal("40.00"))

    refund_create(payment=payment, actor=SYSTEM, reason="Rest")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("issued", Decimal("100.00"))
    assert invoice.paid_in_full is False
    assert_no_drift()


def test_invoice_in_an_unsupported_currency_is_refused(customer):
    with refused(CurrencyMismatch, "unsupported_currency", "currency"):
        draft_invoice(customer, currency="KWD")


def test_invoice_item_priced_with_a_float_is_refused(customer):
    from invoices.services import invoice_create

    with refused(InvalidAmount, "invalid_amount", "items[0].price"):
        invoice_create(
            entity=customer.entity,
            customer=customer,
            actor=SYSTEM,
            items=[{"name": "Desk", "quantity": 1, "price": 10.5}],
        )


@pytest.mark.parametrize(
    ("credit", "money", "stored", "shown"),
    [
        ("40.00", None, "partially_paid", "partially_credited"),
        ("100.00", None, "paid", "credited"),
        ("40.00", "10.00", "partially_paid", "partially_paid"),
        ("40.00", "60.00", "paid", "paid"),
        (None, "40.00", "partially_paid", "partially_paid"),
        (None, None, "issued", "issued"),
    ],
)
def test_badge_status_tells_credit_from_money_and_leaves_the_stored_status(
    customer, credit, money, stored, shown
):
    invoice = issued_invoice(customer, total="100.00")
    if credit:
        issued_credit_note(invoice, credit, to="invoice")
    if money:
        record_payment(invoice, money)
    invoice.refresh_from_db()

    assert (invoice.status, invoice.display_status, invoice.badge_status) == (
        stored,
        stored,
        shown,
    )
