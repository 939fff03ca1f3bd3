"""Refunds per invoice: the split over the invoice's money payments, its caps, one linking
audit event, gateway refunds sent after the lock, and no over-refund under concurrency."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.errors import InvalidAmount, LimitExceeded, ValidationError
from billing.models import AuditEvent, BalanceTransaction
from invoices.models import Invoice
from payments.gateways import GatewayTransientError
from payments.models import Payment, Refund
from payments.services import invoice_refund, invoice_refund_plan
from payments.services.invoice_refunds import RefundCandidate, refund_split
from tests.asserts import assert_no_drift, refused
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    charge_card,
    give_balance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)
from tests.payments.fake_gateway import FakeGateway, using_gateway
from tests.threads import run_together, split


def refund_invoice(invoice, amount=None, reason="Customer request", **kwargs):
    return invoice_refund(
        invoice=invoice,
        actor=SYSTEM,
        reason=reason,
        amount=None if amount is None else Decimal(amount),
        **kwargs,
    )


def split_of(refunds):
    return [(refund.payment_id, refund.amount) for refund in refunds]


@pytest.fixture
def mixed(customer):
    """An invoice of 150.00 paid by cash (3 days ago), a card charge and a transfer (today).

    Newest first: the transfer (recorded last), the card, the cash.
    """
    invoice = issued_invoice(customer, total="150.00")
    today = timezone.localdate()
    cash = record_payment(invoice, "50.00", date=today - timedelta(days=3))
    card = charge_card(invoice, "60.00")
    transfer = record_payment(invoice, "40.00", type="bank_transfer", date=today)
    invoice.refresh_from_db()
    return invoice, cash, card, transfer


def test_newest_first_takes_the_newest_payment_whole_before_the_next(mixed):
    invoice, _, card, transfer = mixed

    refunds = refund_invoice(invoice, "80.00")

    assert split_of(refunds) == [(transfer.pk, Decimal("40.00")), (card.pk, Decimal("40.00"))]
    assert [r.status for r in refunds] == ["succeeded", "succeeded"]
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due) == (Decimal("70.00"), Decimal("80.00"))
    assert_no_drift()


def test_card_first_refunds_gateway_charges_before_external_payments(mixed):
    invoice, _, card, transfer = mixed

    refunds = refund_invoice(invoice, "80.00", order="card_first")

    assert split_of(refunds) == [(card.pk, Decimal("60.00")), (transfer.pk, Decimal("20.00"))]
    card.refresh_from_db()
    assert card.amount_refunded == Decimal("60.00")
    assert refunds[0].gateway_reference  # went back to the card through the gateway


def test_without_an_amount_everything_refundable_is_refunded(mixed):
    invoice, cash, card, transfer = mixed

    refunds = refund_invoice(invoice)

    assert split_of(refunds) == [
        (transfer.pk, Decimal("40.00")),
        (card.pk, Decimal("60.00")),
        (cash.pk, Decimal("50.00")),
    ]
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due, invoice.status) == (
        Decimal("0.00"),
        Decimal("150.00"),
        "issued",
    )


def test_applications_and_earlier_refunds_are_left_out_of_the_split(entity):
    customer = CustomerFactory(entity=entity)
    give_balance(customer, "10.00")
    invoice = issued_invoice(customer, total="200.00")  # 10.00 of balance applied at issue
    issued_credit_note(invoice, "20.00", to="invoice")
    cash = record_payment(invoice, "70.00")
    transfer = record_payment(invoice, "30.00", type="bank_transfer")
    refund_invoice(invoice, "25.00")  # 25.00 of the transfer: 5.00 left on it

    refunds = refund_invoice(invoice)

    assert split_of(refunds) == [(transfer.pk, Decimal("5.00")), (cash.pk, Decimal("70.00"))]
    kinds = set(
        Payment.objects.filter(invoice=invoice, refunds__isnull=False).values_list(
            "type", flat=True
        )
    )
    assert kinds == {"cash", "bank_transfer"}
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("30.00")  # the credit note and balance applications


def test_to_the_customer_balance_credits_the_balance_once_per_refund(mixed, customer):
    invoice, _, card, transfer = mixed

    refunds = refund_invoice(invoice, "45.00", destination="customer_balance")

    assert split_of(refunds) == [(transfer.pk, Decimal("40.00")), (card.pk, Decimal("5.00"))]
    assert {r.destination for r in refunds} == {"customer_balance"}
    customer.refresh_from_db()
    assert customer.balance == Decimal("45.00")
    assert BalanceTransaction.objects.filter(customer=customer).count() == 2


def test_one_audit_event_links_every_refund_of_the_invoice(mixed):
    invoice, *_ = mixed

    refunds = refund_invoice(invoice, "100.00", reason="Order canceled")

    [event] = AuditEvent.objects.filter(action="invoice.refunded")
    assert (event.object_id, event.invoice_id, event.reason) == (
        invoice.pk,
        invoice.pk,
        "Order canceled",
    )
    assert event.after["refund_ids"] == [r.pk for r in refunds]
    assert event.after["amount"] == "100.00"
    assert event.after["parts"] == [
        {"refund_id": r.pk, "payment_id": r.payment_id, "amount": str(r.amount)} for r in refunds
    ]


def test_the_plan_is_the_split_the_refund_makes(mixed):
    invoice, *_ = mixed

    plan = invoice_refund_plan(invoice=invoice, amount=Decimal("95.00"), order="card_first")
    refunds = refund_invoice(invoice, "95.00", order="card_first")

    assert [(part.payment.pk, part.amount) for part in plan] == split_of(refunds)
    assert [part.through_gateway for part in plan] == [True, False]


def test_a_gateway_that_cannot_be_reached_leaves_the_card_refund_pending_and_reserved(mixed):
    invoice, *_ = mixed

    with using_gateway(FakeGateway(refund_error=GatewayTransientError("timeout"))):
        refunds = refund_invoice(invoice, "150.00", order="card_first")

    assert [r.status for r in refunds] == ["pending", "succeeded", "succeeded"]
    with refused(LimitExceeded, "nothing_to_refund", "amount"):
        refund_invoice(invoice, "0.01")


def test_above_the_refundable_total_is_refused_and_nothing_is_written(mixed):
    invoice, *_ = mixed

    with refused(LimitExceeded, "amount_exceeds_refundable", "amount") as info:
        refund_invoice(invoice, "150.01")

    assert "150.00" in info.value.message


def test_an_invoice_with_no_money_payment_has_nothing_to_refund(customer):
    give_balance(customer, "30.00")
    invoice = issued_invoice(customer, total="100.00")

    with refused(LimitExceeded, "nothing_to_refund", "amount"):
        refund_invoice(invoice)


@pytest.mark.parametrize(
    ("kwargs", "error", "code", "param"),
    [
        ({"reason": "  "}, ValidationError, "reason_required", "reason"),
        ({"amount": "0"}, InvalidAmount, "amount_not_positive", "amount"),
        ({"amount": "1.001"}, InvalidAmount, "too_many_decimals", "amount"),
        ({"order": "oldest_first"}, ValidationError, "invalid_order", "order"),
        ({"destination": "elsewhere"}, ValidationError, "invalid_destination", "destination"),
    ],
)
def test_invalid_requests_are_refused_and_nothing_is_written(mixed, kwargs, error, code, param):
    invoice, *_ = mixed

    with refused(error, code, param):
        refund_invoice(invoice, **kwargs)


def test_split_is_pure_and_all_or_nothing():
    older = Payment(pk="pmt_a", amount=Decimal("10.00"), currency="EUR", gateway="")
    newer = Payment(pk="pmt_b", amount=Decimal("10.00"), currency="EUR", gateway="stripe")
    today = timezone.localdate()
    older.date, newer.date = today - timedelta(days=1), today
    older.created_at = newer.created_at = timezone.now()
    candidates = [
        RefundCandidate(older, Decimal("10.00")),
        RefundCandidate(newer, Decimal("4.00")),
    ]

    parts = refund_split(candidates, Decimal("12.00"))

    assert [(p.payment.pk, p.amount) for p in parts] == [
        ("pmt_b", Decimal("4.00")),
        ("pmt_a", Decimal("8.00")),
    ]
    with pytest.raises(LimitExceeded):
        refund_split(candidates, Decimal("14.01"))


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("order", ["newest_first", "card_first"])
def test_concurrent_invoice_refunds_never_over_refund(order):
    customer = CustomerFactory()
    invoice = issued_invoice(customer, total="100.00")
    charge_card(invoice, "40.00")
    record_payment(invoice, "35.00")
    record_payment(invoice, "25.00", type="bank_transfer")

    def refund_30():
        return invoice_refund(
            invoice=invoice, actor=SYSTEM, reason="Race", amount=Decimal("30.00"), order=order
        )

    done, refused_ = split(run_together([refund_30] * 5))

    assert len(done) == 3
    assert {error.code for error in refused_} == {"amount_exceeds_refundable"}
    assert sum(r.amount for refunds in done for r in refunds) == Decimal("90.00")
    assert Refund.objects.filter(payment__invoice=invoice).count() == sum(map(len, done))
    for payment in Payment.objects.filter(invoice=invoice):
        assert payment.amount_refunded <= payment.amount
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.total_paid == Decimal("10.00")
    assert AuditEvent.objects.filter(action="invoice.refunded").count() == 3
    assert_no_drift()
