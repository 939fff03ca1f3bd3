"""Reminders of overdue invoices under a frozen clock: on the entity's schedule, once per
step, stopped by payment, void or write-off, paused per invoice or per customer."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection

from billing.models import SentEmail
from invoices.models import InvoiceReminder
from invoices.services import invoice_write_off
from invoices.services.reminders import invoice_reminders_pause
from payments.gateways import GatewayDeclined
from payments.models import ChargeRetry
from payments.reminders import invoice_remind, reminders_send_due
from payments.services import invoice_void
from tests.factories import SYSTEM, CustomerFactory, charge_card, invoice_with_items, record_payment
from tests.payments.fake_gateway import FakeGateway, using_gateway

ISSUED = date(2026, 3, 1)
DUE = ISSUED + timedelta(days=14)  # the entity's default terms


def on(day_offset: int) -> date:
    return DUE + timedelta(days=day_offset)


@pytest.fixture
def invoice(db):
    customer = CustomerFactory(email="ap@example.com")
    with time_machine.travel(ISSUED, tick=False):
        return invoice_with_items(
            customer, [{"name": "Office, March", "price": Decimal("500.00")}], date=ISSUED
        )


def run(day_offset: int) -> int:
    with time_machine.travel(on(day_offset), tick=False):
        return reminders_send_due()


def steps(invoice) -> list[int]:
    return list(InvoiceReminder.objects.filter(invoice=invoice).values_list("step", flat=True))


def test_issue_gives_the_due_date_of_the_entity_terms(invoice):
    assert invoice.due_date == DUE


def test_reminders_go_on_the_schedule_and_never_twice(invoice):
    assert [run(0), run(2)] == [0, 0]  # due today, then not yet three days overdue
    assert run(3) == 1
    assert run(3) == 0 and run(9) == 0  # the same step is never sent again
    assert run(10) == 1
    assert run(20) == 1
    assert run(40) == 0  # the schedule has three steps
    assert steps(invoice) == [1, 2, 3]
    assert [m.subject for m in mail.outbox] == [
        f"Reminder: invoice {invoice.number} is overdue"
    ] * 3
    assert "was due on 15 Mar 2026, 3 days ago" in mail.outbox[0].body
    assert "Amount due: €500.00" in mail.outbox[0].body
    assert SentEmail.objects.filter(kind="reminder", invoice_id=invoice.pk).count() == 3


def test_a_scheduler_that_was_down_sends_one_reminder_not_every_missed_one(invoice):
    assert run(25) == 1
    assert steps(invoice) == [3]
    assert run(26) == 0


def test_payment_in_full_stops_the_reminders(invoice):
    assert run(3) == 1
    record_payment(invoice, "500.00")

    assert run(10) == 0 and run(20) == 0
    assert steps(invoice) == [1]


def test_a_part_payment_does_not_stop_them_and_the_reminder_says_what_is_left(invoice):
    record_payment(invoice, "200.00")

    assert run(3) == 1
    assert "Amount due: €300.00" in mail.outbox[-1].body
    assert "Paid so far: €200.00" in mail.outbox[-1].body


def test_a_voided_or_written_off_invoice_gets_none(invoice):
    other = invoice_with_items(invoice.customer, [{"name": "Locker", "price": Decimal("10")}])
    invoice_void(invoice=invoice, actor=SYSTEM, reason="Issued by mistake")
    invoice_write_off(invoice=other, actor=SYSTEM, reason="Customer insolvent")

    assert run(30) == 0
    assert not InvoiceReminder.objects.exists()


def test_paused_reminders_of_an_invoice_wait_until_resumed(invoice):
    invoice_reminders_pause(invoice=invoice, paused=True, actor=SYSTEM)
    assert run(3) == 0

    invoice_reminders_pause(invoice=invoice, paused=False, actor=SYSTEM)
    assert run(4) == 1


def test_a_customer_with_paused_reminders_gets_none(invoice):
    invoice.customer.reminders_paused = True
    invoice.customer.save()

    assert run(30) == 0


def test_an_entity_without_a_schedule_sends_none(invoice):
    invoice.entity.reminder_days = []
    invoice.entity.save()

    assert run(30) == 0


def test_the_reminder_says_when_a_card_retry_is_scheduled(invoice):
    declining = FakeGateway(charge_error=GatewayDeclined("Your card was declined."))
    with using_gateway(declining), time_machine.travel(on(1), tick=False):
        assert charge_card(invoice).status == "failed"
    (retry,) = ChargeRetry.objects.filter(invoice=invoice, status="scheduled")

    assert run(3) == 1
    assert f"We will try your saved card again on {retry.due_at:%-d %b %Y}" in mail.outbox[-1].body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_reminder():
    customer = CustomerFactory(email="ap@example.com")
    invoice = invoice_with_items(
        customer, [{"name": "Office", "price": Decimal("90.00")}], date=ISSUED
    )
    barrier = threading.Barrier(2)
    results = []

    def remind():
        try:
            barrier.wait()
            results.append(invoice_remind(invoice_id=invoice.pk, today=on(3)))
        finally:
            connection.close()

    threads = [threading.Thread(target=remind) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(result is not None for result in results) == [False, True]
    assert steps(invoice) == [1]
    assert SentEmail.objects.filter(kind="reminder").count() == 1
