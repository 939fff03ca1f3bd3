"""Credit notes: what may be credited, and where the credit goes (allocations, applications)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from billing.errors import (
    CurrencyMismatch,
    InvalidAmount,
    InvalidState,
    LimitExceeded,
    NotFound,
    ValidationError,
)
from billing.models import AuditEvent, BalanceTransaction
from invoices.models import CreditNote
from payments.models import Payment, Refund
from payments.services import credit_note_issue, payment_record, refunding
from tests.asserts import assert_no_drift, refused
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    charge_card,
    draft_invoice,
    invoice_with_items,
    issued_advance,
    issued_invoice,
    record_payment,
)


def issue_credit(invoice, reason="Discount", **kwargs):
    return credit_note_issue(
        entity=invoice.entity, invoice_id=invoice.pk, actor=SYSTEM, reason=reason, **kwargs
    )


def apply_credit(invoice, credit_note, amount):
    return payment_record(
        entity=invoice.entity,
        actor=SYSTEM,
        amount=Decimal(amount),
        type="credit_note",
        invoice_id=invoice.pk,
        credit_note_id=credit_note.pk,
    )


@pytest.fixture
def lined_invoice(customer):
    return invoice_with_items(
        customer,
        [
            {"name": "Desk", "quantity": 10, "price": Decimal("10.00"), "tax_rate": Decimal("20")},
            {"name": "Locker", "quantity": 1, "price": Decimal("50.00")},
        ],
    )


def line(invoice, name):
    return invoice.lines.get(name=name)


# --- what a credit note may credit ------------------------------------------------------------


def test_credit_note_for_an_amount_stays_open_without_allocations(customer):
    invoice = issued_invoice(customer, total="100.00")

    credit_note = issue_credit(invoice, amount=Decimal("30.00"))

    assert credit_note.status == "issued"
    assert credit_note.total == Decimal("30.00")
    assert credit_note.total_applied == Decimal("0.00")
    assert credit_note.total_remaining == Decimal("30.00")
    assert credit_note.currency == invoice.currency
    assert credit_note.customer_id == customer.pk
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("issued", Decimal("100.00"))
    assert Payment.objects.count() == 0


def test_credit_note_with_free_items_is_priced_with_tax(customer):
    invoice = issued_invoice(customer, total="100.00")

    credit_note = issue_credit(
        invoice,
        items=[{"name": "Late delivery", "quantity": 1, "price": Decimal("10.00"), "tax_rate": 20}],
    )

    assert (credit_note.total_net, credit_note.total_tax, credit_note.total) == (
        Decimal("10.00"),
        Decimal("2.00"),
        Decimal("12.00"),
    )


def test_credit_note_per_line_by_quantity_uses_the_line_price_and_tax(lined_invoice):
    desk = line(lined_invoice, "Desk")

    credit_note = issue_credit(lined_invoice, lines=[{"line_id": desk.pk, "quantity": 2}])

    assert credit_note.total == Decimal("24.00")
    credit_line = credit_note.lines.get()
    assert credit_line.invoice_line_id == desk.pk
    assert (credit_line.quantity, credit_line.amount, credit_line.tax_amount) == (
        Decimal("2"),
        Decimal("20.00"),
        Decimal("4.00"),
    )


def test_credit_note_per_line_by_amount(lined_invoice):
    locker = line(lined_invoice, "Locker")

    credit_note = issue_credit(lined_invoice, lines=[{"line_id": locker.pk, "amount": "15.00"}])

    assert credit_note.total == Decimal("15.00")


def test_per_line_quantity_credit_is_capped_by_what_is_left_on_the_line(lined_invoice):
    desk = line(lined_invoice, "Desk")
    issue_credit(lined_invoice, lines=[{"line_id": desk.pk, "quantity": 8}])

    with refused(LimitExceeded, "amount_exceeds_available", "lines[0].quantity"):
        issue_credit(lined_invoice, lines=[{"line_id": desk.pk, "quantity": 3}])

    credit_note = issue_credit(lined_invoice, lines=[{"line_id": desk.pk, "quantity": 2}])
    assert credit_note.total == Decimal("24.00")


def test_per_line_amount_credit_is_capped_by_what_is_left_on_the_line(lined_invoice):
    locker = line(lined_invoice, "Locker")
    issue_credit(lined_invoice, lines=[{"line_id": locker.pk, "amount": "50.00"}])

    with refused(LimitExceeded, "amount_exceeds_available", "lines[0].amount"):
        issue_credit(lined_invoice, lines=[{"line_id": locker.pk, "amount": "0.01"}])


def test_per_line_credit_for_a_line_of_another_invoice_is_refused(customer, lined_invoice):
    other = invoice_with_items(customer, [{"name": "Desk", "quantity": 1, "price": "10.00"}])

    with refused(ValidationError, "validation_error", "lines[0].line_id"):
        issue_credit(lined_invoice, lines=[{"line_id": other.lines.get().pk, "quantity": 1}])


def test_credit_notes_together_cannot_exceed_the_invoice_total(customer):
    invoice = issued_invoice(customer, total="100.00")
    issue_credit(invoice, amount=Decimal("60.00"))

    with refused(LimitExceeded, "credit_exceeds_invoice", "amount"):
        issue_credit(invoice, amount=Decimal("40.01"))

    last = issue_credit(invoice, amount=Decimal("40.00"))
    assert last.total == Decimal("40.00")


def test_credit_note_above_the_invoice_total_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(LimitExceeded, "credit_exceeds_invoice"):
        issue_credit(invoice, amount=Decimal("100.01"))


def test_credit_note_without_a_reason_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(ValidationError, "reason_required", "reason"):
        issue_credit(invoice, reason=" ", amount=Decimal("10.00"))


def test_credit_note_needs_exactly_one_of_amount_items_or_lines(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(ValidationError, "validation_error", "amount"):
        issue_credit(invoice)
    with refused(ValidationError, "validation_error", "amount"):
        issue_credit(
            invoice, amount=Decimal("5.00"), items=[{"name": "x", "price": Decimal("5.00")}]
        )


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal("0"), "amount_not_positive"),
        (Decimal("-5.00"), "amount_not_positive"),
        (Decimal("1.001"), "too_many_decimals"),
        (Decimal("NaN"), "invalid_amount"),
    ],
)
def test_credit_note_with_an_invalid_amount_is_refused(customer, amount, code):
    invoice = issued_invoice(customer, total="100.00")

    with refused(InvalidAmount, code):
        issue_credit(invoice, amount=amount)


def test_credit_note_on_a_draft_invoice_is_refused(customer):
    invoice = draft_invoice(customer)

    with refused(InvalidState, "invoice_not_open"):
        issue_credit(invoice, amount=Decimal("10.00"))


def test_credit_note_on_an_advance_invoice_is_not_found(customer):
    advance = issued_advance(customer)

    with refused(NotFound, "resource_missing", "invoice_id"):
        issue_credit(advance, amount=Decimal("10.00"))


def test_credit_note_on_another_entitys_invoice_is_not_found(customer):
    foreign = issued_invoice(CustomerFactory(), total="100.00")

    with refused(NotFound, "resource_missing", "invoice_id"):
        credit_note_issue(
            entity=customer.entity,
            invoice_id=foreign.pk,
            actor=SYSTEM,
            reason="Discount",
            amount=Decimal("10.00"),
        )


def test_credit_note_is_audited_with_its_reason(customer):
    invoice = issued_invoice(customer, total="100.00")

    credit_note = issue_credit(invoice, reason="Broken chair", amount=Decimal("10.00"))

    event = AuditEvent.objects.get(action="credit_note.issued")
    assert event.object_id == credit_note.pk
    assert event.invoice_id == invoice.pk
    assert event.reason == "Broken chair"
    assert event.after == {"number": credit_note.number, "total": "10.00"}


# --- allocations at issue ---------------------------------------------------------------------


def test_allocation_to_the_invoice_reduces_what_is_due(customer):
    invoice = issued_invoice(customer, total="100.00")

    credit_note = issue_credit(
        invoice, amount=Decimal("30.00"), allocations=[{"type": "invoice", "amount": "30.00"}]
    )

    assert credit_note.total_applied == Decimal("30.00")
    assert credit_note.total_remaining == Decimal("0.00")
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"
    assert invoice.total_paid == Decimal("30.00")
    assert invoice.total_credited == Decimal("30.00")
    assert invoice.total_due == Decimal("70.00")
    payment = Payment.objects.get()
    assert (payment.type, payment.credit_note_id, payment.invoice_id) == (
        "credit_note",
        credit_note.pk,
        invoice.pk,
    )
    assert_no_drift()


def test_allocation_to_the_invoice_above_what_is_due_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "80.00")

    with refused(LimitExceeded, "amount_exceeds_due"):
        issue_credit(
            invoice, amount=Decimal("30.00"), allocations=[{"type": "invoice", "amount": "30.00"}]
        )


def test_allocation_to_the_customer_balance_credits_the_balance(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "100.00")

    credit_note = issue_credit(
        invoice,
        amount=Decimal("25.00"),
        allocations=[{"type": "customer_balance", "amount": "25.00"}],
    )

    customer.refresh_from_db()
    assert customer.balance == Decimal("25.00")
    row = BalanceTransaction.objects.get()
    assert (row.kind, row.amount, row.balance_after, row.credit_note_id) == (
        "credit_note",
        Decimal("25.00"),
        Decimal("25.00"),
        credit_note.pk,
    )
    assert credit_note.total_remaining == Decimal("0.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_paid) == ("paid", Decimal("100.00"))
    assert_no_drift()


def test_allocation_to_the_balance_in_another_currency_is_refused(customer):
    usd_invoice = issued_invoice(customer, total="100.00", currency="USD")

    with refused(CurrencyMismatch, "currency_mismatch"):
        issue_credit(
            usd_invoice,
            amount=Decimal("10.00"),
            allocations=[{"type": "customer_balance", "amount": "10.00"}],
        )


def test_allocation_paid_outside_records_a_payout_on_the_credit_note(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "100.00")

    credit_note = issue_credit(
        invoice,
        amount=Decimal("20.00"),
        allocations=[{"type": "outside", "amount": "20.00", "payment_type": "bank_transfer"}],
    )

    payout = Payment.objects.get(credit_note=credit_note)
    assert (payout.type, payout.amount, payout.invoice_id) == (
        "bank_transfer",
        Decimal("20.00"),
        None,
    )
    assert credit_note.total_remaining == Decimal("0.00")
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("100.00")


def test_the_credit_note_returned_shows_where_its_credit_went(customer):
    invoice = issued_invoice(customer, total="100.00")

    credit_note = issue_credit(
        invoice,
        amount=Decimal("30.00"),
        allocations=[
            {"type": "invoice", "amount": Decimal("10.00")},
            {"type": "customer_balance", "amount": Decimal("15.00")},
            {"type": "outside", "amount": Decimal("5.00")},
        ],
    )

    assert (credit_note.total_applied, credit_note.total_remaining) == (
        Decimal("30.00"),
        Decimal("0.00"),
    )
    assert credit_note.invoice.total_due == Decimal("90.00")


def test_allocations_that_do_not_add_up_are_refused(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(ValidationError, "allocations_mismatch", "allocations"):
        issue_credit(
            invoice,
            amount=Decimal("30.00"),
            allocations=[
                {"type": "invoice", "amount": "10.00"},
                {"type": "outside", "amount": "10.00"},
            ],
        )
    with refused(ValidationError, "allocations_mismatch"):
        issue_credit(
            invoice,
            amount=Decimal("30.00"),
            allocations=[
                {"type": "invoice", "amount": "20.00"},
                {"type": "outside", "amount": "10.01"},
            ],
        )


@pytest.mark.parametrize(
    "allocation",
    [
        {"type": "charity", "amount": "10.00"},
        {"amount": "10.00"},
        {"type": "refund", "amount": "10.00"},
        {"type": "outside", "amount": "10.00", "payment_type": "credit_note"},
    ],
)
def test_malformed_allocation_is_refused(customer, allocation):
    invoice = issued_invoice(customer, total="100.00")

    with refused(ValidationError, "invalid_allocation"):
        issue_credit(invoice, amount=Decimal("10.00"), allocations=[allocation])


def test_allocation_with_a_zero_amount_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(InvalidAmount, "amount_not_positive", "allocations[1].amount"):
        issue_credit(
            invoice,
            amount=Decimal("10.00"),
            allocations=[
                {"type": "invoice", "amount": "10.00"},
                {"type": "outside", "amount": "0"},
            ],
        )


def test_refund_allocation_of_a_payment_on_another_invoice_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "100.00")
    other = issued_invoice(customer, total="100.00")
    elsewhere = record_payment(other, "100.00")

    with refused(ValidationError, "invalid_allocation", "allocations"):
        issue_credit(
            invoice,
            amount=Decimal("10.00"),
            allocations=[{"type": "refund", "amount": "10.00", "payment_id": elsewhere.pk}],
        )


def test_refund_allocation_above_the_refundable_amount_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    small = record_payment(invoice, "20.00")
    record_payment(invoice, "80.00")

    with refused(LimitExceeded, "amount_exceeds_refundable"):
        issue_credit(
            invoice,
            amount=Decimal("30.00"),
            allocations=[{"type": "refund", "amount": "30.00", "payment_id": small.pk}],
        )


def test_credit_note_on_a_paid_invoice_refunding_the_card_keeps_the_invoice_paid(customer):
    invoice = issued_invoice(customer, total="100.00")
    charge = charge_card(invoice, "100.00")
    assert charge.status == "succeeded"

    credit_note = issue_credit(
        invoice,
        reason="Chair was broken",
        amount=Decimal("30.00"),
        allocations=[{"type": "refund", "amount": "30.00", "payment_id": charge.pk}],
    )

    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.status, refund.destination) == (
        charge.pk,
        Decimal("30.00"),
        "succeeded",
        "original",
    )
    assert refund.gateway_reference.startswith("sbx_re_3000_")
    charge.refresh_from_db()
    assert charge.amount_refunded == Decimal("30.00")
    credit_note.refresh_from_db()
    assert (credit_note.total_applied, credit_note.total_remaining) == (
        Decimal("30.00"),
        Decimal("0.00"),
    )
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.total_paid == Decimal("100.00")
    assert invoice.total_credited == Decimal("30.00")
    assert invoice.total_due == Decimal("0.00")
    assert_no_drift()


def test_a_card_refund_of_a_credit_note_is_settled_by_the_reconcile_queued_with_it(
    customer, settings, monkeypatch
):
    """As for `refund_create`: if the process dies between the gateway's refund and its
    settle, the reconcile queued with the reservation settles it, once."""
    invoice = issued_invoice(customer, total="100.00")
    charge = charge_card(invoice, "100.00")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def settle_crashing(**kwargs):
        raise RuntimeError("the process died before the settle committed")

    monkeypatch.setattr(refunding, "refund_settle", settle_crashing)
    with pytest.raises(RuntimeError):
        issue_credit(
            invoice,
            amount=Decimal("30.00"),
            allocations=[{"type": "refund", "amount": "30.00", "payment_id": charge.pk}],
        )
    monkeypatch.undo()

    pending = Refund.objects.get()
    assert (pending.status, pending.gateway_reference) == ("pending", None)
    queued = DBTaskResult.objects.get(task_path="payments.tasks.reconcile_refund")
    assert queued.args_kwargs["args"] == [pending.pk]
    assert queued.run_after >= pending.created_at + timedelta(minutes=2)
    assert import_string(queued.task_path).call(pending.pk) == "succeeded"
    pending.refresh_from_db()
    assert pending.gateway_reference.startswith("sbx_re_3000_")
    charge.refresh_from_db()
    assert charge.amount_refunded == Decimal("30.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_paid) == ("paid", Decimal("100.00"))
    assert_no_drift()


def test_credit_note_split_between_balance_card_and_outside(customer):
    invoice = issued_invoice(customer, total="100.00")
    charge = charge_card(invoice, "100.00")

    credit_note = issue_credit(
        invoice,
        amount=Decimal("50.00"),
        allocations=[
            {"type": "customer_balance", "amount": "20.00"},
            {"type": "refund", "amount": "20.00", "payment_id": charge.pk},
            {"type": "outside", "amount": "10.00", "payment_type": "cash"},
        ],
    )

    customer.refresh_from_db()
    charge.refresh_from_db()
    invoice.refresh_from_db()
    credit_note.refresh_from_db()
    assert customer.balance == Decimal("20.00")
    assert charge.amount_refunded == Decimal("20.00")
    assert credit_note.total_remaining == Decimal("0.00")
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "paid",
        Decimal("100.00"),
        Decimal("0.00"),
    )
    assert_no_drift()


def test_credit_note_refunding_a_cash_payment_pays_it_back_outside(customer):
    invoice = issued_invoice(customer, total="100.00")
    cash = record_payment(invoice, "100.00")

    issue_credit(
        invoice,
        amount=Decimal("40.00"),
        allocations=[{"type": "refund", "amount": "40.00", "payment_id": cash.pk}],
    )

    cash.refresh_from_db()
    invoice.refresh_from_db()
    assert cash.amount_refunded == Decimal("40.00")
    assert cash.refunds.get().status == "succeeded"
    assert (invoice.status, invoice.total_paid, invoice.total_credited) == (
        "paid",
        Decimal("100.00"),
        Decimal("40.00"),
    )


# --- applying an open credit note later -------------------------------------------------------


def test_open_credit_note_is_applied_later_by_a_credit_note_payment(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issue_credit(invoice, amount=Decimal("30.00"))

    apply_credit(invoice, credit_note, "20.00")

    credit_note.refresh_from_db()
    invoice.refresh_from_db()
    assert (credit_note.total_applied, credit_note.total_remaining) == (
        Decimal("20.00"),
        Decimal("10.00"),
    )
    assert (invoice.status, invoice.total_paid, invoice.total_credited, invoice.total_due) == (
        "partially_paid",
        Decimal("20.00"),
        Decimal("20.00"),
        Decimal("80.00"),
    )
    assert_no_drift()


def test_open_credit_note_can_settle_another_invoice_of_the_customer(customer):
    first = issued_invoice(customer, total="100.00")
    credit_note = issue_credit(first, amount=Decimal("30.00"))
    second = issued_invoice(customer, total="30.00")

    apply_credit(second, credit_note, "30.00")

    second.refresh_from_db()
    assert second.status == "paid"


def test_credit_note_application_above_its_remaining_amount_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issue_credit(invoice, amount=Decimal("30.00"))
    apply_credit(invoice, credit_note, "20.00")

    with refused(LimitExceeded, "amount_exceeds_credit_note", "amount"):
        apply_credit(invoice, credit_note, "10.01")

    apply_credit(invoice, credit_note, "10.00")
    credit_note.refresh_from_db()
    assert credit_note.total_remaining == Decimal("0.00")


def test_credit_note_application_above_the_invoice_due_is_refused(customer):
    first = issued_invoice(customer, total="100.00")
    credit_note = issue_credit(first, amount=Decimal("50.00"))
    second = issued_invoice(customer, total="20.00")

    with refused(LimitExceeded, "amount_exceeds_due", "amount"):
        apply_credit(second, credit_note, "20.01")


def test_credit_note_application_above_both_caps_names_the_credit_note_first(customer):
    first = issued_invoice(customer, total="100.00")
    credit_note = issue_credit(first, amount=Decimal("30.00"))
    second = issued_invoice(customer, total="20.00")

    with refused(LimitExceeded, "amount_exceeds_credit_note", "amount"):
        apply_credit(second, credit_note, "40.00")


def test_credit_note_application_to_a_paid_invoice_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issue_credit(invoice, amount=Decimal("10.00"))
    record_payment(invoice, "100.00")

    with refused(LimitExceeded, "amount_exceeds_due"):
        apply_credit(invoice, credit_note, "10.00")


def test_open_credit_note_credited_to_the_balance_later(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issue_credit(invoice, amount=Decimal("30.00"))

    payment_record(
        entity=customer.entity,
        actor=SYSTEM,
        amount=Decimal("30.00"),
        type="customer_balance",
        credit_note_id=credit_note.pk,
    )

    customer.refresh_from_db()
    credit_note.refresh_from_db()
    assert customer.balance == Decimal("30.00")
    assert credit_note.total_remaining == Decimal("0.00")
    with refused(LimitExceeded, "amount_exceeds_credit_note"):
        payment_record(
            entity=customer.entity,
            actor=SYSTEM,
            amount=Decimal("0.01"),
            type="customer_balance",
            credit_note_id=credit_note.pk,
        )


def test_credit_note_rows_are_stored_with_their_totals(customer):
    invoice = issued_invoice(customer, total="100.00")

    credit_note = issue_credit(invoice, amount=Decimal("12.50"))

    stored = CreditNote.objects.get(pk=credit_note.pk)
    assert (stored.total_net, stored.total_tax, stored.total) == (
        Decimal("12.50"),
        Decimal("0.00"),
        Decimal("12.50"),
    )
    assert stored.reason == "Discount"


def test_payout_of_a_credit_note_above_its_remaining_amount_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issue_credit(invoice, amount=Decimal("30.00"))
    apply_credit(invoice, credit_note, "25.00")

    with refused(LimitExceeded, "amount_exceeds_credit_note"):
        payment_record(
            entity=customer.entity,
            actor=SYSTEM,
            amount=Decimal("5.01"),
            type="bank_transfer",
            credit_note_id=credit_note.pk,
        )

    payment_record(
        entity=customer.entity,
        actor=SYSTEM,
        amount=Decimal("5.00"),
        type="bank_transfer",
        credit_note_id=credit_note.pk,
    )
    credit_note.refresh_from_db()
    assert credit_note.total_remaining == Decimal("0.00")
    assert_no_drift()


def test_per_line_credits_repeated_in_one_request_share_the_line_cap(lined_invoice):
    desk = line(lined_invoice, "Desk")

    with refused(LimitExceeded, "amount_exceeds_available", "lines[1].quantity"):
        issue_credit(
            lined_invoice,
            lines=[{"line_id": desk.pk, "quantity": 6}, {"line_id": desk.pk, "quantity": 6}],
        )
    with refused(LimitExceeded, "amount_exceeds_available", "lines[1].amount"):
        issue_credit(
            lined_invoice,
            lines=[
                {"line_id": desk.pk, "amount": "60.00"},
                {"line_id": desk.pk, "amount": "40.01"},
            ],
        )

    credit_note = issue_credit(
        lined_invoice,
        lines=[{"line_id": desk.pk, "quantity": 6}, {"line_id": desk.pk, "quantity": 4}],
    )
    assert credit_note.total == Decimal("120.00")
