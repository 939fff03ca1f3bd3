"""Automatic retries of failed charges: 3 days, then 3 more; never two at once; run once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.tasks import task_backends
from django.utils import timezone

from billing.errors import InvalidState
from payments.gateways import GatewayDeclined, GatewayTransientError
from payments.models import ChargeRetry, Payment
from payments.services import payment_retry
from payments.services.retries import retry_run, retry_sweep_due
from tests.factories import SYSTEM, SavedCardFactory, charge_card, issued_invoice, record_payment
from tests.payments.fake_gateway import FakeGateway, using_gateway

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="100.00")


@pytest.fixture
def declining():
    with using_gateway(FakeGateway(charge_error=GatewayDeclined("Your card was declined."))) as gw:
        yield gw


def failed_charge(invoice, amount=None):
    payment = charge_card(invoice, amount=amount)
    assert payment.status == "failed"
    return payment


def later(retry, extra=timedelta(0)):
    return retry.due_at + extra


def test_a_declined_charge_is_retried_three_days_later(invoice, declining):
    before = timezone.now()
    payment = failed_charge(invoice)

    [retry] = ChargeRetry.objects.all()
    assert (retry.failed_payment_id, retry.attempt, retry.status) == (payment.pk, 1, "scheduled")
    assert before + 3 * DAY <= retry.due_at <= timezone.now() + 3 * DAY


def test_hard_declines_are_not_retried(invoice):
    card = SavedCardFactory(
        customer=invoice.customer, gateway_reference="pm_card_chargeDeclinedExpiredCard"
    )
    payment = charge_card(invoice, card=card)

    assert (payment.status, payment.failure_code) == ("failed", "expired_card")
    assert not ChargeRetry.objects.exists()


def test_retries_follow_the_schedule_then_stop(invoice, declining):
    failed_charge(invoice)
    first = ChargeRetry.objects.get()

    assert retry_run(retry_id=first.pk, now=later(first)) == "failed"

    first.refresh_from_db()
    second = ChargeRetry.objects.get(status="scheduled")
    assert (first.status, first.outcome, first.result_payment.retry_of_id) == (
        "done",
        "failed",
        first.failed_payment_id,
    )
    assert second.attempt == 2
    assert second.failed_payment_id == first.result_payment_id
    assert later(first) + 3 * DAY <= second.due_at

    assert retry_run(retry_id=second.pk, now=later(second)) == "failed"

    assert not ChargeRetry.objects.filter(status="scheduled").exists()  # "3,3": two retries
    assert len(declining.charges) == 3
    assert Payment.objects.filter(invoice=invoice, status="failed").count() == 3


def test_the_schedule_is_configurable(invoice, declining, settings):
    settings.SETTLE_RETRY_SCHEDULE_DAYS = [1.5]
    before = timezone.now()
    failed_charge(invoice)
    retry = ChargeRetry.objects.get()
    assert before + timedelta(hours=36) <= retry.due_at <= timezone.now() + timedelta(hours=36)

    retry_run(retry_id=retry.pk, now=later(retry))

    assert not ChargeRetry.objects.filter(status="scheduled").exists()


def test_a_retry_that_succeeds_pays_the_invoice(invoice, declining):
    failed = failed_charge(invoice)
    retry = ChargeRetry.objects.get()
    declining.charge_error = None  # the bank says yes this time

    assert retry_run(retry_id=retry.pk, now=later(retry)) == "succeeded"

    retry.refresh_from_db()
    assert (retry.status, retry.outcome, retry.result_payment.retry_of_id) == (
        "done",
        "succeeded",
        failed.pk,
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("paid", Decimal("0.00"))
    assert not ChargeRetry.objects.filter(status="scheduled").exists()


def test_a_retry_runs_only_when_due_and_only_once(invoice, declining):
    failed_charge(invoice)
    retry = ChargeRetry.objects.get()

    assert retry_run(retry_id=retry.pk, now=later(retry, -timedelta(minutes=1))) == "not_due"
    assert retry_run(retry_id=retry.pk, now=later(retry)) == "failed"
    assert retry_run(retry_id=retry.pk, now=later(retry)) == "not_due"  # queued twice

    assert len(declining.charges) == 2  # the original and one retry


def test_a_manual_retry_supersedes_and_reschedules(invoice, declining):
    failed = failed_charge(invoice)
    scheduled = ChargeRetry.objects.get()

    manual = payment_retry(payment=failed, actor=SYSTEM)  # an admin tries again now

    assert manual.status == "failed"
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.outcome) == ("canceled", "rescheduled")
    fresh = ChargeRetry.objects.get(status="scheduled")
    assert (fresh.attempt, fresh.failed_payment_id) == (1, manual.pk)
    assert fresh.due_at > scheduled.due_at
    # The old retry, had it been queued already, finds itself canceled.
    assert retry_run(retry_id=scheduled.pk, now=later(fresh)) == "not_due"


def test_an_automatic_retry_of_a_charge_retried_by_hand_is_skipped(invoice, declining):
    failed = failed_charge(invoice)
    retry = ChargeRetry.objects.get()
    declining.charge_error = None
    payment_retry(payment=failed, actor=SYSTEM)  # succeeds: nothing is rescheduled

    assert retry_run(retry_id=retry.pk, now=later(retry)) == "superseded"
    assert len(declining.charges) == 2


def test_never_two_retries_of_one_invoice_at_once(invoice, declining):
    first = failed_charge(invoice, amount="40.00")
    second = failed_charge(invoice, amount="40.00")
    declining.charge_error = GatewayTransientError("timeout")
    in_flight = payment_retry(payment=first, actor=SYSTEM)
    assert in_flight.status == "pending"

    with pytest.raises(InvalidState) as refused:
        payment_retry(payment=second, actor=SYSTEM)

    assert refused.value.code == "retry_in_progress"
    assert ChargeRetry.objects.filter(status="scheduled").count() == 1


def test_one_scheduled_retry_per_invoice_is_a_database_rule(invoice, declining):
    failed = failed_charge(invoice)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargeRetry.objects.create(
            entity=invoice.entity,
            invoice=invoice,
            failed_payment=failed,
            attempt=1,
            due_at=timezone.now(),
        )


def test_a_retry_with_nothing_left_to_pay_is_skipped(invoice, declining):
    failed_charge(invoice)
    retry = ChargeRetry.objects.get()
    record_payment(invoice, "100.00", type="bank_transfer")

    assert retry_run(retry_id=retry.pk, now=later(retry)) == "nothing_due"
    retry.refresh_from_db()
    assert (retry.status, retry.result_payment) == ("skipped", None)
    assert len(declining.charges) == 1


def test_the_sweep_runs_due_retries(invoice, declining):
    failed_charge(invoice)
    retry = ChargeRetry.objects.get()
    assert retry_sweep_due(now=later(retry, -DAY)) == []

    ChargeRetry.objects.filter(pk=retry.pk).update(due_at=timezone.now() - DAY)
    call_command("retry_failed_charges")

    retry.refresh_from_db()
    assert retry.status == "done"


def test_retries_and_reconciles_are_queued_with_run_after(invoice, declining, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    payment = failed_charge(invoice)
    queued = {result.task.name: result for result in task_backends["default"].results}

    retry = ChargeRetry.objects.get()
    assert queued["run_charge_retry"].args == [retry.pk]
    assert queued["run_charge_retry"].task.run_after == retry.due_at
    reconcile = queued["reconcile_payment"]
    assert reconcile.args == [payment.pk]
    assert reconcile.task.run_after > timezone.now() + timedelta(minutes=1)
