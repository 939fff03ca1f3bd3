"""Refunds: never above what is refundable, pending ones reserve, failures change no totals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from billing.errors import InvalidAmount, InvalidState, LimitExceeded, ValidationError
from billing.models import AuditEvent, BalanceTransaction
from payments.gateways import GatewayDeclined, GatewayTransientError
from payments.models import Refund
from payments.services import (
    payment_delete,
    payment_record,
    refund_create,
    refund_settle,
    refunding,
)
from tests.asserts import assert_no_drift, refused, unchanged
from tests.factories import (
    SYSTEM,
    SavedCardFactory,
    charge_card,
    give_balance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)
from tests.payments.fake_gateway import FakeGateway, using_gateway


def refund(payment, amount=None, reason="Customer request", **kwargs):
    return refund_create(
        payment=payment,
        actor=SYSTEM,
        reason=reason,
        amount=None if amount is None else Decimal(amount),
        **kwargs,
    )


@pytest.fixture
def paid_invoice(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "100.00")
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def cash(paid_invoice):
    return paid_invoice.payments.get()


@pytest.fixture
def charged(customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = charge_card(invoice, "100.00")
    assert payment.status == "succeeded"
    return payment


# --- external payments ------------------------------------------------------------------------


def test_partial_refund_reopens_the_invoice(paid_invoice, cash):
    created = refund(cash, "30.00")

    assert (created.amount, created.status, created.destination) == (
        Decimal("30.00"),
        "succeeded",
        "original",
    )
    cash.refresh_from_db()
    paid_invoice.refresh_from_db()
    assert cash.amount_refunded == Decimal("30.00")
    assert (paid_invoice.status, paid_invoice.total_paid, paid_invoice.total_due) == (
        "partially_paid",
        Decimal("70.00"),
        Decimal("30.00"),
    )
    assert_no_drift()


def test_refund_without_an_amount_refunds_everything_refundable(paid_invoice, cash):
    refund(cash, "30.00")

    rest = refund(cash)

    assert rest.amount == Decimal("70.00")
    cash.refresh_from_db()
    paid_invoice.refresh_from_db()
    assert cash.amount_refunded == Decimal("100.00")
    assert (paid_invoice.status, paid_invoice.total_paid, paid_invoice.total_due) == (
        "issued",
        Decimal("0.00"),
        Decimal("100.00"),
    )


def test_refund_above_the_refundable_amount_is_refused(cash):
    refund(cash, "30.00")

    with refused(LimitExceeded, "amount_exceeds_refundable", "amount"):
        refund(cash, "70.01")

    refund(cash, "70.00")


def test_refund_of_a_fully_refunded_payment_is_refused(cash):
    refund(cash)

    with refused(LimitExceeded, "nothing_to_refund"):
        refund(cash)
    with refused(LimitExceeded, "amount_exceeds_refundable"):
        refund(cash, "0.01")


def test_refund_without_a_reason_is_refused(cash):
    with refused(ValidationError, "reason_required", "reason"):
        refund(cash, "10.00", reason="")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount_not_positive"),
        ("-1.00", "amount_not_positive"),
        ("1.005", "too_many_decimals"),
    ],
)
def test_refund_with_an_invalid_amount_is_refused(cash, amount, code):
    with refused(InvalidAmount, code):
        refund(cash, amount)


def test_refund_to_an_unknown_destination_is_refused(cash):
    with refused(ValidationError, "invalid_destination", "destination"):
        refund(cash, "10.00", destination="wallet")


def test_refund_of_a_deleted_payment_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "50.00")
    payment_delete(payment=payment, actor=SYSTEM, reason="Duplicate")

    with refused(InvalidState, "payment_not_refundable"):
        refund(payment, "10.00")


def test_refund_of_a_failed_charge_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    declined = charge_card(
        invoice,
        "100.00",
        card=SavedCardFactory(customer=customer, gateway_reference="pm_card_chargeDeclined"),
    )

    with refused(InvalidState, "payment_not_refundable"):
        refund(declined, "10.00")


def test_refund_is_audited_with_its_reason(cash):
    created = refund(cash, "10.00", reason="Chair broken")

    event = AuditEvent.objects.get(action="refund.created")
    assert event.object_id == created.pk
    assert event.object_type == "refund"
    assert event.invoice_id == cash.invoice_id
    assert event.reason == "Chair broken"
    assert event.after["amount"] == "10.00"
    assert event.after["status"] == "succeeded"


# --- to the customer's balance ----------------------------------------------------------------


def test_refund_to_the_customer_balance_credits_the_balance(customer, paid_invoice, cash):
    created = refund(cash, "25.00", destination="customer_balance")

    assert (created.destination, created.status) == ("customer_balance", "succeeded")
    customer.refresh_from_db()
    paid_invoice.refresh_from_db()
    assert customer.balance == Decimal("25.00")
    assert paid_invoice.total_due == Decimal("25.00")
    row = BalanceTransaction.objects.get()
    assert (row.kind, row.amount, row.balance_after, row.refund_id, row.payment_id) == (
        "refund",
        Decimal("25.00"),
        Decimal("25.00"),
        created.pk,
        cash.pk,
    )
    assert_no_drift()


def test_refund_of_a_credit_note_application_to_the_balance_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issued_credit_note(invoice, "10.00", to="invoice")
    application = credit_note.payments.get()

    with refused(ValidationError, "invalid_destination"):
        refund(application, "10.00", destination="customer_balance")


def test_refund_of_a_credit_note_application_gives_the_credit_back(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issued_credit_note(invoice, "10.00", to="invoice")

    refund(credit_note.payments.get(), "4.00")

    credit_note.refresh_from_db()
    invoice.refresh_from_db()
    assert credit_note.total_remaining == Decimal("4.00")
    assert (invoice.total_paid, invoice.total_credited) == (Decimal("6.00"), Decimal("6.00"))
    assert_no_drift()


def test_reversing_a_credit_to_the_balance_takes_it_back_from_the_balance(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issued_credit_note(invoice, "10.00", to="customer_balance")
    credit = credit_note.payments.get()

    refund(credit, "10.00")

    customer.refresh_from_db()
    credit_note.refresh_from_db()
    assert customer.balance == Decimal("0.00")
    assert credit_note.total_remaining == Decimal("10.00")
    assert BalanceTransaction.objects.order_by("-created_at", "-id").first().kind == (
        "application_reversal"
    )
    assert_no_drift()


def test_reversing_a_credit_already_spent_from_the_balance_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    credit_note = issued_credit_note(invoice, "10.00", to="customer_balance")
    issued_invoice(customer, total="8.00")  # uses 8.00 of the balance at issue

    with refused(LimitExceeded, "insufficient_balance"):
        refund(credit_note.payments.get(), "10.00")


def test_refund_of_a_balance_application_goes_back_to_the_balance(customer):
    give_balance(customer, "50.00")
    invoice = issued_invoice(customer, total="100.00", apply_balance=False)
    application = payment_record(
        entity=customer.entity,
        actor=SYSTEM,
        amount=Decimal("50.00"),
        type="customer_balance",
        invoice_id=invoice.pk,
    )

    created = refund(application, "20.00", destination="original")

    assert created.destination == "customer_balance"
    customer.refresh_from_db()
    invoice.refresh_from_db()
    assert customer.balance == Decimal("20.00")
    assert invoice.total_due == Decimal("70.00")
    assert_no_drift()


# --- gateway refunds ----------------------------------------------------------------------------


def test_refund_of_a_charge_goes_back_to_the_card(charged):
    created = refund(charged, "40.00")

    assert created.status == "succeeded"
    assert created.gateway_reference.startswith("sbx_re_4000_")
    charged.refresh_from_db()
    charged.invoice.refresh_from_db()
    assert charged.amount_refunded == Decimal("40.00")
    assert charged.invoice.total_due == Decimal("40.00")
    assert_no_drift()


def test_refund_sent_to_the_gateway_uses_an_idempotency_key_from_the_refund_id(charged):
    fake = FakeGateway()

    with using_gateway(fake):
        created = refund(charged, "40.00")

    (request,) = fake.refunds
    assert request.idempotency_key == f"settle_{created.pk}"
    assert request.amount_minor == 4000
    assert request.charge_reference == charged.gateway_reference


def test_a_card_refund_that_dies_before_its_settle_is_settled_by_the_reconcile_queued_with_it(
    charged, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def settle_crashing(**kwargs):
        raise RuntimeError("the process died before the settle committed")

    monkeypatch.setattr(refunding, "refund_settle", settle_crashing)
    with pytest.raises(RuntimeError):
        refund(charged, "40.00")
    monkeypatch.undo()

    pending = Refund.objects.get()
    assert (pending.status, pending.gateway_reference) == ("pending", None)
    queued = DBTaskResult.objects.get(task_path="payments.tasks.reconcile_refund")
    assert queued.args_kwargs["args"] == [pending.pk]
    assert queued.run_after >= pending.created_at + timedelta(minutes=2)
    assert import_string(queued.task_path).call(pending.pk) == "succeeded"
    charged.refresh_from_db()
    assert charged.amount_refunded == Decimal("40.00")
    assert_no_drift()


def test_refund_left_pending_by_a_timeout_reserves_its_amount(charged):
    invoice = charged.invoice
    with using_gateway(FakeGateway(refund_error=GatewayTransientError("timeout"))):
        pending = refund(charged, "60.00")

        assert pending.status == "pending"
        charged.refresh_from_db()
        invoice.refresh_from_db()
        assert charged.amount_refunded == Decimal("0.00")
        assert (invoice.status, invoice.total_due) == ("paid", Decimal("0.00"))

        with refused(LimitExceeded, "amount_exceeds_refundable"):
            refund(charged, "40.01")
        second = refund(charged, "40.00")
        assert second.status == "pending"
        with refused(LimitExceeded, "nothing_to_refund"):
            refund(charged)


def test_pending_refund_settles_later_and_then_moves_the_totals(charged):
    with using_gateway(FakeGateway(refund_error=GatewayTransientError("timeout"))):
        pending = refund(charged, "60.00")

    settled = refund_settle(
        refund_id=pending.pk, status="succeeded", actor=SYSTEM, reference="sbx_re_6000_x"
    )

    assert settled.status == "succeeded"
    charged.refresh_from_db()
    charged.invoice.refresh_from_db()
    assert charged.amount_refunded == Decimal("60.00")
    assert (charged.invoice.status, charged.invoice.total_due) == (
        "partially_paid",
        Decimal("60.00"),
    )
    assert_no_drift()


def test_settling_a_refund_twice_changes_nothing_the_second_time(charged):
    with using_gateway(FakeGateway(refund_error=GatewayTransientError("timeout"))):
        pending = refund(charged, "60.00")
    refund_settle(refund_id=pending.pk, status="succeeded", actor=SYSTEM, reference="sbx_re_1")

    with unchanged():
        again = refund_settle(refund_id=pending.pk, status="failed", actor=SYSTEM)

    assert again.status == "succeeded"


def test_declined_gateway_refund_fails_and_changes_no_totals(charged):
    invoice = charged.invoice
    with using_gateway(FakeGateway(refund_error=GatewayDeclined("Charge already disputed."))):
        failed = refund(charged, "60.00")

    assert failed.status == "failed"
    assert failed.failure_message == "Charge already disputed."
    charged.refresh_from_db()
    invoice.refresh_from_db()
    assert charged.amount_refunded == Decimal("0.00")
    assert (invoice.status, invoice.total_paid, invoice.total_due) == (
        "paid",
        Decimal("100.00"),
        Decimal("0.00"),
    )
    assert AuditEvent.objects.filter(action="refund.failed", object_id=failed.pk).count() == 1
    # The failed refund no longer reserves anything.
    assert refund(charged).amount == Decimal("100.00")
    assert_no_drift()


def test_refund_of_a_charge_to_the_customer_balance_skips_the_gateway(customer, charged):
    fake = FakeGateway()

    with using_gateway(fake):
        created = refund(charged, "30.00", destination="customer_balance")

    assert fake.refunds == []
    assert created.status == "succeeded"
    customer.refresh_from_db()
    assert customer.balance == Decimal("30.00")


def test_every_refund_row_is_kept(cash):
    refund(cash, "10.00")
    refund(cash, "20.00")

    assert sorted(Refund.objects.values_list("amount", flat=True)) == [
        Decimal("10.00"),
        Decimal("20.00"),
    ]


def test_refund_of_an_external_payment_is_paid_back_outside_without_the_gateway(cash):
    fake = FakeGateway()

    with using_gateway(fake):
        created = refund(cash, "10.00")

    assert fake.refunds == []
    assert (created.status, created.destination, created.gateway_reference) == (
        "succeeded",
        "original",
        None,
    )
