"""A charge waiting for 3-D Secure holds its amount; an invoice settled another way lets it go.

The defect this guards against: a waiting charge, then an external payment of the full
due, then the member confirms the charge: the invoice ended paid twice (366.00 on 183.00).
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from billing.errors import InvalidState
from billing.models import AuditEvent
from payments.gateways import GatewayTransientError
from payments.services import payment_charge
from payments.services.authentication import (
    payment_authentication_start,
    payment_sandbox_authenticate,
)
from tests.admin_support import invoice_url, staff, submit
from tests.asserts import assert_no_drift, refused
from tests.factories import SYSTEM, SavedCardFactory, issued_invoice, record_payment
from tests.payments.fake_gateway import FakeGateway, using_gateway
from tests.threads import run_together

RETURN_URL = "http://testserver/portal/payments/return"


# Real commits: the tasks a settlement queues run when it commits, as the worker would run them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="183.00")


@pytest.fixture
def secure_card(customer):
    return SavedCardFactory(
        customer=customer, gateway_reference="pm_card_authenticationRequired", last4="3184"
    )


def waiting_charge(invoice, card, amount="100.00", **kwargs):
    payment = payment_charge(
        entity=invoice.entity,
        actor=SYSTEM,
        payment_method_id=card.pk,
        invoice_id=invoice.pk,
        amount=Decimal(amount),
        **kwargs,
    )
    assert payment.status == "requires_action"
    return payment


def figures(invoice):
    invoice.refresh_from_db()
    return invoice.status, invoice.total_paid, invoice.total_due, invoice.total_reserved


def test_a_waiting_charge_holds_its_amount_against_the_due(invoice, secure_card):
    waiting_charge(invoice, secure_card)

    invoice.refresh_from_db()
    assert invoice.total_reserved == Decimal("100.00")
    assert invoice.total_payable == Decimal("83.00")
    assert figures(invoice) == ("issued", Decimal("0.00"), Decimal("183.00"), Decimal("100.00"))


def test_paid_another_way_the_waiting_charge_is_canceled_and_cannot_be_confirmed(
    invoice, secure_card
):
    gateway = FakeGateway()
    with using_gateway(gateway):
        charge = waiting_charge(invoice, secure_card)
        record_payment(invoice, "183.00", type="bank_transfer")

        charge.refresh_from_db()
        assert charge.status == "canceled"
        assert gateway.cancellations == [(charge.gateway_reference, "duplicate")]
        with refused(InvalidState, "payment_not_awaiting_action"):
            payment_sandbox_authenticate(payment=charge, actor=SYSTEM, approve=True)
        assert gateway.confirmations == []

    assert figures(invoice) == ("paid", Decimal("183.00"), Decimal("0.00"), Decimal("0.00"))
    assert AuditEvent.objects.filter(object_id=charge.pk, action="payment.charge_canceled").exists()
    assert_no_drift()


def test_confirming_a_charge_the_invoice_no_longer_needs_is_refused_before_the_gateway(
    invoice, secure_card
):
    """The cancellation could not reach the gateway yet: the charge still waits there, but
    confirming it would overpay, so it is refused without calling the gateway."""
    gateway = FakeGateway(cancel_error=GatewayTransientError("timeout"))
    with using_gateway(gateway):
        charge = waiting_charge(invoice, secure_card)
        record_payment(invoice, "183.00", type="bank_transfer")
        charge.refresh_from_db()
        assert charge.status == "requires_action"

        with refused(InvalidState, "charge_no_longer_needed"):
            payment_sandbox_authenticate(payment=charge, actor=SYSTEM, approve=True)
        with refused(InvalidState, "charge_no_longer_needed"):
            payment_authentication_start(payment=charge, actor=SYSTEM, return_url=RETURN_URL)
        assert gateway.confirmations == []

    assert figures(invoice) == ("paid", Decimal("183.00"), Decimal("0.00"), Decimal("100.00"))
    assert_no_drift()


def test_money_that_leaves_room_for_the_waiting_charge_keeps_it(invoice, secure_card):
    gateway = FakeGateway()
    with using_gateway(gateway):
        charge = waiting_charge(invoice, secure_card)
        record_payment(invoice, "83.00", type="cash")
        charge.refresh_from_db()
        assert charge.status == "requires_action"
        assert gateway.cancellations == []

        confirmed = payment_sandbox_authenticate(payment=charge, actor=SYSTEM, approve=True)

    assert confirmed.status == "succeeded"
    assert figures(invoice) == ("paid", Decimal("183.00"), Decimal("0.00"), Decimal("0.00"))
    assert_no_drift()


def test_of_two_waiting_charges_only_the_one_without_room_is_canceled(invoice, secure_card):
    older = waiting_charge(invoice, secure_card, "50.00")
    newer = waiting_charge(invoice, secure_card, "60.00")

    record_payment(invoice, "100.00", type="cash")  # 83.00 left: room for the older one only

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == ("requires_action", "canceled")
    assert figures(invoice) == (
        "partially_paid",
        Decimal("100.00"),
        Decimal("83.00"),
        Decimal("50.00"),
    )


def test_a_charge_being_confirmed_is_in_flight_and_money_may_not_overlap_it(invoice, secure_card):
    """While the gateway confirms, the charge is `pending`: a full external payment now would
    overpay whatever the gateway answers, so it is refused until the answer is in."""
    charge = waiting_charge(invoice, secure_card)
    gateway = FakeGateway()

    def record_during_confirmation(reference, *, approve):
        with refused(InvalidState, "charge_in_progress"):
            record_payment(invoice, "183.00", type="bank_transfer")
        return FakeGateway.confirm_authentication(gateway, reference, approve=approve)

    gateway.confirm_authentication = record_during_confirmation
    with using_gateway(gateway):
        confirmed = payment_sandbox_authenticate(payment=charge, actor=SYSTEM, approve=True)

    assert confirmed.status == "succeeded"
    assert figures(invoice) == (
        "partially_paid",
        Decimal("100.00"),
        Decimal("83.00"),
        Decimal("0.00"),
    )
    assert_no_drift()


def test_an_off_session_charge_needing_authentication_emails_a_link_to_confirm(
    invoice, secure_card, settings
):
    settings.SETTLE_PUBLIC_URL = "https://billing.example.com/"
    mail.outbox.clear()

    charge = waiting_charge(invoice, secure_card)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [invoice.customer.email]
    assert message.subject == "Please confirm your payment of €100.00 to " + (invoice.entity.name)
    assert f"https://billing.example.com/portal/invoices/{invoice.pk}" in message.body
    assert "Visa •••• 3184" in message.body
    assert charge.pk


def test_a_charge_the_member_started_in_the_portal_sends_no_such_email(invoice, secure_card):
    mail.outbox.clear()

    waiting_charge(invoice, secure_card, return_url=RETURN_URL)

    assert mail.outbox == []


ROUNDS = 6


@pytest.mark.postgres
def test_confirming_and_paying_another_way_at_once_never_overpays(customer, secure_card):
    """The member confirms the waiting charge while the office records the full due from the
    Create form it opened before: one of them wins, the invoice is never paid twice."""
    office = Client()
    office.force_login(staff(customer.entity))
    for _ in range(ROUNDS):
        invoice = issued_invoice(customer, total="183.00")
        charge = waiting_charge(invoice, secure_card)
        create_url = invoice_url(invoice, "payment_create")
        confirmed, answer = run_together(
            [
                lambda charge=charge: payment_sandbox_authenticate(
                    payment=charge, actor=SYSTEM, approve=True
                ),
                lambda url=create_url: submit(
                    office,
                    url,
                    {
                        "amount": "183.00",
                        "method": "external",
                        "external_type": "bank_transfer",
                        "seen_due": "183.00",
                    },
                ),
            ]
        )
        invoice.refresh_from_db()
        charge.refresh_from_db()
        assert invoice.total_paid <= invoice.total, (invoice.total_paid, charge.status, answer)
        assert invoice.total_reserved == Decimal("0.00")
        if charge.status == "succeeded":
            assert invoice.total_paid == Decimal("100.00")
            assert answer.status_code == 200  # shown again with the refusal, nothing recorded
        else:
            assert isinstance(confirmed, InvalidState) or confirmed.status == "canceled"
            assert charge.status == "canceled"
            assert invoice.total_paid == Decimal("183.00")
    assert_no_drift()
