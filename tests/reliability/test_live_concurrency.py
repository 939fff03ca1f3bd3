"""Races over real HTTP against gunicorn with three worker processes on PostgreSQL.

Rows are built in the test process through the services and committed; then each test
opens one connection per request, releases them all at once behind a barrier, and
checks exact totals, the exact set of answers, and that `check_totals` finds no drift.
"""

from collections import Counter
from decimal import Decimal

import pytest

from billing.models import AuditEvent
from invoices.models import CreditNote, Invoice
from payments.models import Payment, PaymentStatus, Refund
from tests.factories import (
    CustomerFactory,
    SavedCardFactory,
    charge_card,
    issued_credit_note,
    issued_invoice,
    record_payment,
)
from tests.reliability.conftest import assert_no_drift
from tests.reliability.live import Call, fire_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def statuses(answers) -> Counter:
    return Counter((answer.status, answer.code) for answer in answers)


def test_hundred_concurrent_payments_on_one_invoice_all_count_exactly(sandbox_server, tenant):
    invoice = issued_invoice(CustomerFactory(entity=tenant.entity), total="1000.00")
    pay = {"invoice_id": invoice.pk, "amount": Decimal("10.00"), "type": "bank_transfer"}
    log_start = len(sandbox_server.log_text())

    answers = fire_together(sandbox_server, [Call("post", "payments", pay, tenant.key)] * 100)

    assert statuses(answers) == {(201, None): 100}, [a.body for a in answers if a.status != 201]
    assert len({answer.body["id"] for answer in answers}) == 100
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due) == (Decimal("1000.00"), Decimal("0.00"))
    assert (invoice.status, invoice.paid_in_full) == ("paid", True)
    assert Payment.objects.filter(invoice=invoice).count() == 100
    assert AuditEvent.objects.filter(action="payment.recorded").count() == 100
    # Served by several processes at once, not one after another in one process.
    logged = sandbox_server.wait_for_access_log(since=log_start, count=100, path="/api/v1/payments")
    served_by = Counter(pid for pid, _path, _status in logged)
    assert len(served_by) >= 2, served_by
    assert_no_drift()


def test_concurrent_external_payments_beyond_the_amount_due_all_arrive(sandbox_server, tenant):
    invoice = issued_invoice(CustomerFactory(entity=tenant.entity), total="500.00")
    pay = {"invoice_id": invoice.pk, "amount": Decimal("50.00"), "type": "cash"}

    answers = fire_together(sandbox_server, [Call("post", "payments", pay, tenant.key)] * 20)

    assert statuses(answers) == {(201, None): 20}
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due) == (Decimal("1000.00"), Decimal("-500.00"))
    assert invoice.status == "paid"
    assert_no_drift()


def test_concurrent_charges_beyond_the_amount_due_only_those_that_fit_succeed(
    sandbox_server, tenant
):
    customer = CustomerFactory(entity=tenant.entity)
    card = SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="300.00")
    charge = {"payment_method_id": card.pk, "amount": Decimal("50.00")}

    answers = fire_together(
        sandbox_server,
        [Call("post", f"invoices/{invoice.pk}/charge", charge, tenant.key)] * 12,
    )

    assert statuses(answers) == {(201, None): 6, (409, "amount_exceeds_due"): 6}
    assert {a.body["status"] for a in answers if a.status == 201} == {"succeeded"}
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due, invoice.status) == (
        Decimal("300.00"),
        Decimal("0.00"),
        "paid",
    )
    charged = Payment.objects.filter(invoice=invoice)
    assert [p.status for p in charged] == [PaymentStatus.SUCCEEDED] * 6
    assert_no_drift()


@pytest.mark.parametrize("action", ["payment", "charge"])
def test_one_idempotency_key_sent_twenty_times_at_once_acts_once(sandbox_server, tenant, action):
    customer = CustomerFactory(entity=tenant.entity)
    card = SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="100.00")
    call = (
        Call(
            "post",
            "payments",
            {"invoice_id": invoice.pk, "amount": Decimal("10.00"), "type": "cash"},
            tenant.key,
            idempotency_key=f"order-7431-{action}",
        )
        if action == "payment"
        else Call(
            "post",
            f"invoices/{invoice.pk}/charge",
            {"payment_method_id": card.pk, "amount": Decimal("10.00")},
            tenant.key,
            idempotency_key=f"order-7431-{action}",
        )
    )

    answers = fire_together(sandbox_server, [call] * 20)

    created = [answer for answer in answers if answer.status == 201]
    busy = [answer for answer in answers if answer.status == 409]
    assert len(created) + len(busy) == 20, statuses(answers)
    assert created, "no request got through"
    assert {answer.code for answer in busy} <= {"idempotency_in_progress"}
    assert len({answer.body["id"] for answer in created}) == 1
    assert all(answer.body == created[0].body for answer in created)
    assert sum(answer.headers.get("idempotent-replayed") != "true" for answer in created) == 1
    [payment] = Payment.objects.filter(invoice=invoice)
    assert (payment.pk, payment.amount, payment.status) == (
        created[0].body["id"],
        Decimal("10.00"),
        "succeeded",
    )
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("10.00")
    assert_no_drift()


@pytest.mark.parametrize("paid_by", ["card", "cash"])
def test_concurrent_refunds_never_exceed_the_payment(sandbox_server, tenant, paid_by):
    invoice = issued_invoice(CustomerFactory(entity=tenant.entity), total="100.00")
    payment = charge_card(invoice) if paid_by == "card" else record_payment(invoice, "100.00")
    refund = {"amount": Decimal("15.00"), "reason": "Desk double-booked"}

    answers = fire_together(
        sandbox_server,
        [Call("post", f"payments/{payment.pk}/refunds", refund, tenant.key)] * 10,
    )

    assert statuses(answers) == {(201, None): 6, (409, "amount_exceeds_refundable"): 4}
    assert {a.body["status"] for a in answers if a.status == 201} == {"succeeded"}
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("90.00")
    assert Refund.objects.filter(payment=payment).count() == 6
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due) == (Decimal("10.00"), Decimal("90.00"))
    assert_no_drift()


def test_concurrent_applications_of_one_credit_note_never_exceed_its_total(sandbox_server, tenant):
    customer = CustomerFactory(entity=tenant.entity)
    credited = issued_invoice(customer, total="500.00")
    credit_note = issued_credit_note(credited, "100.00", reason="Meeting room closed for a week")
    targets = [issued_invoice(customer, total="200.00") for _ in range(8)]

    answers = fire_together(
        sandbox_server,
        [
            Call(
                "post",
                "payments",
                {
                    "invoice_id": target.pk,
                    "credit_note_id": credit_note.pk,
                    "amount": Decimal("30.00"),
                    "type": "credit_note",
                },
                tenant.key,
            )
            for target in targets
        ],
    )

    assert statuses(answers) == {(201, None): 3, (409, "amount_exceeds_credit_note"): 5}
    credit_note.refresh_from_db()
    assert (credit_note.total_applied, credit_note.total_remaining) == (
        Decimal("90.00"),
        Decimal("10.00"),
    )
    paid = {a.body["invoice_id"] for a in answers if a.status == 201}
    for target in Invoice.objects.filter(pk__in=[t.pk for t in targets]):
        expected = Decimal("30.00") if target.pk in paid else Decimal("0.00")
        assert target.total_paid == expected
    assert CreditNote.objects.get(pk=credit_note.pk).total_applied == Decimal("90.00")
    assert_no_drift()


def test_void_racing_a_payment_lets_exactly_one_of_them_win(sandbox_server, tenant):
    customer = CustomerFactory(entity=tenant.entity)
    invoices = [issued_invoice(customer, total="80.00") for _ in range(10)]
    calls = []
    for invoice in invoices:
        calls.append(
            Call("post", f"invoices/{invoice.pk}/void", {"reason": "Issued twice"}, tenant.key)
        )
        calls.append(
            Call(
                "post",
                "payments",
                {"invoice_id": invoice.pk, "amount": Decimal("80.00"), "type": "cash"},
                tenant.key,
            )
        )

    answers = fire_together(sandbox_server, calls)

    for index, invoice in enumerate(invoices):
        void, payment = answers[2 * index], answers[2 * index + 1]
        outcome = ((void.status, void.code), (payment.status, payment.code))
        assert outcome in {
            ((200, None), (409, "invoice_not_payable")),
            ((409, "invoice_has_payments"), (201, None)),
        }, outcome
        invoice.refresh_from_db()
        if void.status == 200:
            assert (invoice.status, invoice.total_paid) == ("void", Decimal("0.00"))
            assert not Payment.objects.filter(invoice=invoice).exists()
        else:
            assert (invoice.status, invoice.total_paid) == ("paid", Decimal("80.00"))
    assert_no_drift()
