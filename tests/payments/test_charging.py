"""Charging saved cards through the sandbox gateway: reserve, call, settle — exactly once."""

from decimal import Decimal

import pytest

from billing.errors import InvalidAmount, InvalidState, LimitExceeded, NotFound, ValidationError
from billing.models import AuditEvent
from payments.gateways import GatewayTransientError
from payments.models import Payment
from payments.services import (
    payment_charge,
    payment_reconcile,
    payment_retry,
    payment_settle_charge,
)
from tests.asserts import assert_no_drift, refused, unchanged
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    SavedCardFactory,
    charge_card,
    draft_invoice,
    issued_advance,
    issued_invoice,
    record_payment,
)
from tests.payments.fake_gateway import FakeGateway, using_gateway


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="100.00")


@pytest.fixture
def visa(customer):
    return SavedCardFactory(customer=customer)


def card(customer, token):
    return SavedCardFactory(customer=customer, gateway_reference=token, last4="0002")


def charge(invoice, method, amount=None, **kwargs):
    return payment_charge(
        entity=invoice.entity,
        actor=SYSTEM,
        payment_method_id=method.pk,
        invoice_id=invoice.pk,
        amount=None if amount is None else Decimal(amount),
        **kwargs,
    )


def invoice_state(invoice):
    invoice.refresh_from_db()
    return (invoice.status, invoice.total_paid, invoice.total_due)


UNPAID = ("issued", Decimal("0.00"), Decimal("100.00"))


# --- outcomes ---------------------------------------------------------------------------------


def test_successful_charge_pays_the_invoice(invoice, visa):
    payment = charge(invoice, visa)

    assert payment.status == "succeeded"
    assert payment.amount == Decimal("100.00")
    assert (payment.type, payment.gateway) == ("card", "sandbox")
    assert payment.gateway_reference.startswith("sbx_ch_s_10000_")
    assert payment.saved_payment_method_id == visa.pk
    assert invoice_state(invoice) == ("paid", Decimal("100.00"), Decimal("0.00"))
    assert [e.action for e in AuditEvent.objects.filter(object_id=payment.pk).order_by("id")] == [
        "payment.charge_started",
        "payment.charge_succeeded",
    ]
    assert_no_drift()


def test_partial_charge_leaves_the_rest_due(invoice, visa):
    charge(invoice, visa, "30.00")

    assert invoice_state(invoice) == ("partially_paid", Decimal("30.00"), Decimal("70.00"))


def test_charge_request_carries_exact_minor_units_and_an_idempotency_key(invoice, visa):
    fake = FakeGateway()

    with using_gateway(fake):
        payment = charge(invoice, visa, "12.34")

    (request,) = fake.charges
    assert request.amount_minor == 1234
    assert request.currency == "EUR"
    assert request.idempotency_key == f"settle_{payment.pk}"
    assert request.payment_method_reference == "pm_card_visa"
    assert request.metadata == {"settle_payment_id": payment.pk, "settle_invoice_id": invoice.pk}


def test_charge_in_yen_uses_whole_units(db):
    customer = CustomerFactory(entity=EntityFactory(default_currency="JPY"))
    invoice = issued_invoice(customer, total="5000")
    fake = FakeGateway()

    with using_gateway(fake):
        payment = charge(invoice, SavedCardFactory(customer=customer))

    assert fake.charges[0].amount_minor == 5000
    assert payment.amount == Decimal("5000")


def test_declined_charge_is_a_failed_payment_with_its_message(invoice, customer):
    payment = charge(invoice, card(customer, "pm_card_chargeDeclined"))

    assert payment.status == "failed"
    assert payment.failure_code == "card_declined"
    assert payment.failure_message == "Your card was declined."
    assert invoice_state(invoice) == UNPAID
    assert Payment.objects.get(pk=payment.pk).status == "failed"
    assert AuditEvent.objects.filter(action="payment.charge_failed").count() == 1
    assert_no_drift()


def test_charge_declined_for_insufficient_funds(invoice, customer):
    payment = charge(invoice, card(customer, "pm_card_chargeDeclinedInsufficientFunds"))

    assert payment.status == "failed"
    assert payment.failure_code == "insufficient_funds"
    assert payment.failure_message == "Your card has insufficient funds."
    assert invoice_state(invoice) == UNPAID


def test_card_needing_authentication_waits_for_the_customer(invoice, customer):
    payment = charge(invoice, card(customer, "pm_card_authenticationRequired"))

    assert payment.status == "requires_action"
    assert payment.next_action_url.startswith("/portal/sandbox/authenticate/sbx_ch_a_10000_")
    assert invoice_state(invoice) == UNPAID


def test_authenticated_charge_settles_the_invoice(invoice, customer):
    payment = charge(invoice, card(customer, "pm_card_authenticationRequired"))

    payment_settle_charge(
        payment_id=payment.pk, status="succeeded", actor=SYSTEM, reference="sbx_ch_s_10000_x"
    )

    assert invoice_state(invoice) == ("paid", Decimal("100.00"), Decimal("0.00"))
    payment.refresh_from_db()
    assert payment.gateway_reference == "sbx_ch_s_10000_x"
    assert payment.next_action_url == ""


def test_charge_left_pending_by_a_gateway_timeout(invoice, visa):
    with using_gateway(FakeGateway(charge_error=GatewayTransientError("read timeout"))):
        payment = charge(invoice, visa, "60.00")

    assert payment.status == "pending"
    assert payment.gateway_reference is None
    assert invoice_state(invoice) == UNPAID


# --- limits -----------------------------------------------------------------------------------


def test_charge_above_the_amount_due_is_refused(invoice, visa):
    with refused(LimitExceeded, "amount_exceeds_due", "amount"):
        charge(invoice, visa, "100.01")


def test_charge_on_a_paid_invoice_is_refused(invoice, visa):
    record_payment(invoice, "100.00")

    with refused(InvalidState, "nothing_due", "amount"):
        charge(invoice, visa)
    with refused(LimitExceeded, "amount_exceeds_due"):
        charge(invoice, visa, "0.01")


def test_charge_cannot_exceed_the_due_less_charges_awaiting_authentication(invoice, customer):
    charge(invoice, card(customer, "pm_card_authenticationRequired"), "60.00")
    visa = SavedCardFactory(customer=customer)

    with refused(LimitExceeded, "amount_exceeds_due"):
        charge(invoice, visa, "40.01")

    rest = charge(invoice, visa)
    assert (rest.status, rest.amount) == ("succeeded", Decimal("40.00"))


def test_pending_charge_reserves_its_amount(invoice, visa):
    with using_gateway(FakeGateway(charge_error=GatewayTransientError("timeout"))):
        charge(invoice, visa, "60.00")

    with refused(LimitExceeded, "amount_exceeds_due"):
        charge(invoice, visa, "40.01")
    invoice.refresh_from_db()
    assert (invoice.total_reserved, invoice.total_payable) == (Decimal("60.00"), Decimal("40.00"))


def test_money_recorded_beside_a_charge_in_flight_may_not_overlap_it(invoice, visa):
    """The gateway may charge the card at any moment: money that arrived another way may
    take what is left, not the charge's part (or the invoice would end overpaid)."""
    with using_gateway(FakeGateway(charge_error=GatewayTransientError("timeout"))):
        charge(invoice, visa, "60.00")

    with refused(InvalidState, "charge_in_progress"):
        record_payment(invoice, "100.00")
    record_payment(invoice, "40.00")

    assert invoice_state(invoice) == ("partially_paid", Decimal("40.00"), Decimal("60.00"))


def test_failed_charge_reserves_nothing(invoice, customer, visa):
    charge(invoice, card(customer, "pm_card_chargeDeclined"))

    payment = charge(invoice, visa)

    assert payment.amount == Decimal("100.00")


@pytest.mark.parametrize(
    ("amount", "code"),
    [("0", "amount_not_positive"), ("-5", "amount_not_positive"), ("1.234", "too_many_decimals")],
)
def test_charge_with_an_invalid_amount_is_refused(invoice, visa, amount, code):
    with refused(InvalidAmount, code):
        charge(invoice, visa, amount)


def test_charge_on_a_draft_invoice_is_refused(customer, visa):
    draft = draft_invoice(customer)

    with refused(InvalidState, "invoice_not_payable"):
        charge(draft, visa)


def test_charge_with_another_customers_card_is_refused(invoice):
    stranger = SavedCardFactory(
        customer=CustomerFactory(entity=invoice.entity), gateway_reference="pm_card_mastercard"
    )

    with refused(NotFound, "resource_missing", "payment_method_id"):
        charge(invoice, stranger)


def test_charge_with_a_detached_card_is_refused(invoice, visa):
    from django.utils import timezone

    visa.detached_at = timezone.now()
    visa.save()

    with refused(NotFound, "resource_missing", "payment_method_id"):
        charge(invoice, visa)


def test_charge_of_another_entitys_invoice_is_not_found(invoice, visa):
    with refused(NotFound, "resource_missing", "invoice_id"):
        payment_charge(
            entity=EntityFactory(), actor=SYSTEM, payment_method_id=visa.pk, invoice_id=invoice.pk
        )


def test_charge_needs_exactly_one_document(invoice, visa, customer):
    advance = issued_advance(customer)

    with refused(ValidationError, "document_required"):
        payment_charge(entity=invoice.entity, actor=SYSTEM, payment_method_id=visa.pk)
    with refused(ValidationError, "document_required"):
        payment_charge(
            entity=invoice.entity,
            actor=SYSTEM,
            payment_method_id=visa.pk,
            invoice_id=invoice.pk,
            advance_invoice_id=advance.pk,
        )


# --- settling exactly once --------------------------------------------------------------------


def test_settling_a_charge_twice_counts_it_once(invoice, visa):
    with using_gateway(FakeGateway(charge_error=GatewayTransientError("timeout"))):
        payment = charge(invoice, visa)

    payment_settle_charge(payment_id=payment.pk, status="succeeded", actor=SYSTEM, reference="r1")
    with unchanged():
        payment_settle_charge(
            payment_id=payment.pk, status="succeeded", actor=SYSTEM, reference="r1"
        )

    assert invoice_state(invoice) == ("paid", Decimal("100.00"), Decimal("0.00"))
    assert AuditEvent.objects.filter(action="payment.charge_succeeded").count() == 1


@pytest.mark.parametrize("late", ["requires_action", "failed", "pending", "canceled"])
def test_late_outcomes_after_success_are_ignored(invoice, visa, late):
    payment = charge(invoice, visa)

    with unchanged():
        result = payment_settle_charge(payment_id=payment.pk, status=late, actor=SYSTEM)

    assert result.status == "succeeded"


def test_success_after_a_failure_is_ignored(invoice, customer):
    payment = charge(invoice, card(customer, "pm_card_chargeDeclined"))

    with unchanged():
        payment_settle_charge(payment_id=payment.pk, status="succeeded", actor=SYSTEM)

    assert invoice_state(invoice) == UNPAID


def test_reconcile_settles_a_pending_charge_without_charging_twice(invoice, visa):
    with using_gateway(FakeGateway(charge_error=GatewayTransientError("timeout"))):
        payment = charge(invoice, visa)
    fake = FakeGateway()

    with using_gateway(fake):
        settled = payment_reconcile(payment=payment, actor=SYSTEM)

    assert settled.status == "succeeded"
    assert fake.charges[0].idempotency_key == f"settle_{payment.pk}"
    assert invoice_state(invoice) == ("paid", Decimal("100.00"), Decimal("0.00"))
    assert Payment.objects.count() == 1
    assert_no_drift()


def test_reconcile_while_the_gateway_is_still_down_leaves_the_charge_pending(invoice, visa):
    down = FakeGateway(charge_error=GatewayTransientError("timeout"))
    with using_gateway(down):
        payment = charge(invoice, visa)

        with unchanged():
            result = payment_reconcile(payment=payment, actor=SYSTEM)

    assert result.status == "pending"


def test_reconcile_of_a_settled_charge_does_nothing(invoice, visa):
    payment = charge(invoice, visa)
    fake = FakeGateway()

    with using_gateway(fake), unchanged():
        payment_reconcile(payment=payment, actor=SYSTEM)

    assert fake.charges == []


# --- retry ------------------------------------------------------------------------------------


def test_retry_of_a_failed_charge_with_another_card(invoice, customer, visa):
    failed = charge(invoice, card(customer, "pm_card_chargeDeclined"))

    retried = payment_retry(payment=failed, actor=SYSTEM, payment_method_id=visa.pk)

    assert retried.pk != failed.pk
    assert retried.status == "succeeded"
    assert retried.retry_of_id == failed.pk
    assert retried.amount == Decimal("100.00")
    failed.refresh_from_db()
    assert failed.status == "failed"
    assert invoice_state(invoice) == ("paid", Decimal("100.00"), Decimal("0.00"))


def test_retry_charges_no_more_than_is_still_due(invoice, customer, visa):
    failed = charge(invoice, card(customer, "pm_card_chargeDeclined"))
    record_payment(invoice, "70.00")

    retried = payment_retry(payment=failed, actor=SYSTEM, payment_method_id=visa.pk)

    assert retried.amount == Decimal("30.00")


def test_retry_with_the_same_declined_card_fails_again(invoice, customer):
    failed = charge(invoice, card(customer, "pm_card_chargeDeclined"))

    again = payment_retry(payment=failed, actor=SYSTEM)

    assert again.status == "failed"
    assert invoice_state(invoice) == UNPAID


def test_retry_of_a_succeeded_charge_is_refused(invoice, visa):
    payment = charge(invoice, visa, "10.00")

    with refused(InvalidState, "payment_not_retryable"):
        payment_retry(payment=payment, actor=SYSTEM)


def test_retry_of_an_external_payment_is_refused(invoice):
    payment = record_payment(invoice, "10.00")

    with refused(InvalidState, "payment_not_retryable"):
        payment_retry(payment=payment, actor=SYSTEM)


def test_retry_when_nothing_is_due_any_more_is_refused(invoice, customer):
    failed = charge(invoice, card(customer, "pm_card_chargeDeclined"))
    record_payment(invoice, "100.00")

    with refused(InvalidState, "nothing_due"):
        payment_retry(payment=failed, actor=SYSTEM)


def test_charging_an_advance_invoice(customer):
    advance = issued_advance(customer, total="250.00")

    payment = charge_card(advance)

    assert (payment.status, payment.advance_invoice_id, payment.invoice_id) == (
        "succeeded",
        advance.pk,
        None,
    )
    advance.refresh_from_db()
    assert (advance.status, advance.total_paid) == ("paid", Decimal("250.00"))
