"""Faults under a live multi-process server: a database connection dropped mid-request, a
worker killed while charging, and a gateway that is slow, times out or fails while other
invoices keep being paid.

The server charges through the local fake Stripe (`tests/stripe_fake`) with the real SDK.
"""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from billing.models import AuditEvent, Submission
from invoices.models import Invoice
from payments.models import Payment, PaymentStatus, Refund
from tests.asserts import unchanged
from tests.factories import CustomerFactory, SavedCardFactory, charge_card, issued_invoice
from tests.reliability.conftest import SERVER_STRIPE_TIMEOUT, assert_no_drift
from tests.reliability.live import (
    Call,
    backends_waiting_for_a_lock,
    fire_together,
    process_owning_connection,
    request,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

INTENTS = "/v1/payment_intents"
REFUNDS = "/v1/refunds"
DATABASE_UNAVAILABLE = {
    "type": "api_error",
    "code": "database_unavailable",
    "param": None,
}


def backend_waiting_for_a_lock() -> int | None:
    """The pid of a backend blocked by this test's lock, if any."""
    waiting = backends_waiting_for_a_lock()
    return waiting[0] if waiting else None


def terminate_backend(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True


def gateway_posts(fake, path: str) -> list[dict]:
    return [r for r in fake.requests if r["path"] == path and r["method"] == "POST"]


def charge_requests(fake) -> list[dict]:
    return gateway_posts(fake, INTENTS)


def run_queued_reconcile(row: Payment | Refund) -> str:
    """Run the reconcile tasks queued for a charge or refund, as the worker will.

    One is queued in the transaction that reserves it (a transient gateway error queues
    one more): every run after the first must find nothing left to do. Returns the status.
    """
    task = "reconcile_payment" if isinstance(row, Payment) else "reconcile_refund"
    queued = DBTaskResult.objects.filter(
        task_path=f"payments.tasks.{task}", args_kwargs__args=[row.pk]
    ).order_by("enqueued_at")
    assert queued, f"no reconcile task was queued for {row.pk}"
    outcomes = {
        import_string(task.task_path).call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])
        for task in queued
    }
    assert len(outcomes) == 1, outcomes
    return outcomes.pop()


def assert_every_worker_answers(server, tenant, *, since: int) -> set[int]:
    """Make each of the server's single-threaded workers answer a request; their pids.

    Requests sent one after another may all land on the same worker, so three payments
    are sent to an invoice the test holds locked: a worker blocked on the lock takes no
    other request, so the three of them are held by three different workers, and all
    answer once the lock is released.
    """
    workers = server.worker_pids()
    invoice = issued_invoice(CustomerFactory(entity=tenant.entity), total="30.00")
    calls = [
        Call(
            "post",
            "payments",
            {"invoice_id": invoice.pk, "amount": Decimal("1.00"), "type": "cash"},
            tenant.key,
        )
        for _ in workers
    ]
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        with transaction.atomic():
            Invoice.objects.select_for_update().get(pk=invoice.pk)
            pending = [pool.submit(request, server, call) for call in calls]
            wait_until(
                lambda: len(backends_waiting_for_a_lock()) == len(calls),
                message="the workers never all waited",
            )
        answers = [future.result(timeout=30) for future in pending]
    assert [answer.status for answer in answers] == [201] * len(calls), answers
    logged = server.wait_for_access_log(since=since, count=len(calls), path="/api/v1/payments")
    return {pid for pid, _path, status in logged if status == 201}


@pytest.fixture
def stripe_invoice(tenant):
    """An issued invoice of 120.00 whose customer has a Stripe test card saved."""
    customer = CustomerFactory(entity=tenant.entity)
    card = SavedCardFactory(customer=customer, gateway="stripe", gateway_reference="pm_card_visa")
    invoice = issued_invoice(customer, total="120.00")
    return invoice, card


def charge_call(tenant, invoice, card, **kwargs) -> Call:
    return Call(
        "post",
        f"invoices/{invoice.pk}/charge",
        {"payment_method_id": card.pk},
        tenant.key,
        **kwargs,
    )


# --- (a) the database connection dropped in the middle of a request -------------------------


@pytest.mark.parametrize("idempotency_key", [None, "drop-7f1c"])
def test_connection_dropped_while_waiting_for_a_lock_fails_cleanly_and_writes_nothing(
    stripe_server, tenant, idempotency_key
):
    invoice = issued_invoice(CustomerFactory(entity=tenant.entity), total="100.00")
    call = Call(
        "post",
        "payments",
        {"invoice_id": invoice.pk, "amount": Decimal("40.00"), "type": "bank_transfer"},
        tenant.key,
        idempotency_key=idempotency_key,
    )

    log_start = len(stripe_server.log_text())

    with unchanged(), ThreadPoolExecutor(max_workers=1) as pool, transaction.atomic():
        Invoice.objects.select_for_update().get(pk=invoice.pk)
        pending = pool.submit(request, stripe_server, call)
        victim = wait_until(backend_waiting_for_a_lock, message="the request never waited")
        terminate_backend(victim)
        answer = pending.result(timeout=30)

    assert answer.status == 503, answer.body
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["retry-after"] == "1"
    assert list(answer.body) == ["error"]
    error = answer.body["error"]
    assert set(error) == {"type", "code", "message", "param"}
    assert {key: error[key] for key in DATABASE_UNAVAILABLE} == DATABASE_UNAVAILABLE
    assert "nothing was changed" in error["message"]
    assert not Submission.objects.exists()  # released: the retry may go through
    retry = request(stripe_server, call)
    assert retry.status == 201, retry.body
    # The worker whose connection was dropped does not hand it to its next requests.
    logged = stripe_server.wait_for_access_log(since=log_start, count=2)  # the 503, the retry
    [victim_worker] = {pid for pid, _path, status in logged if status == 503}
    log_retried = len(stripe_server.log_text())
    assert victim_worker in assert_every_worker_answers(stripe_server, tenant, since=log_retried)
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.status) == (Decimal("40.00"), "partially_paid")
    assert invoice.payments.count() == 1
    assert_no_drift()


@pytest.mark.parametrize("operation", ["charge", "refund"])
def test_connection_dropped_after_the_gateway_answered_leaves_it_pending_for_reconcile(
    stripe_server, tenant, fake_stripe, stripe_invoice, operation
):
    invoice, card = stripe_invoice
    if operation == "charge":
        path, call = INTENTS, charge_call(tenant, invoice, card, idempotency_key="drop-charge")
    else:
        paid = charge_card(invoice, card=card)  # in this process, through the fake
        path = REFUNDS
        call = Call(
            "post",
            f"payments/{paid.pk}/refunds",
            {"amount": Decimal("50.00"), "reason": "Desk unavailable"},
            tenant.key,
            idempotency_key="drop-refund",
        )
    fake_stripe.delay_next("POST", path, seconds=1.5)  # answered, but slowly

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(request, stripe_server, call)
        wait_until(lambda: gateway_posts(fake_stripe, path), message="Stripe was never called")
        with transaction.atomic():
            # The reservation committed before the call; the settle now waits for us.
            Invoice.objects.select_for_update().get(pk=invoice.pk)
            victim = wait_until(backend_waiting_for_a_lock, message="the settle never waited")
            terminate_backend(victim)
            answer = pending.result(timeout=30)

    # Stripe acted, so the answer must not say that nothing happened: it is pending.
    assert answer.status == 201, answer.body
    assert answer.body["status"] == "pending"
    row = (Payment if operation == "charge" else Refund).objects.get(pk=answer.body["id"])
    assert (row.status, row.gateway_reference) == ("pending", None)
    # The same key replays that answer; nothing reaches Stripe a second time.
    again = request(stripe_server, call)
    assert (again.status, again.body) == (201, answer.body)
    assert again.headers["idempotent-replayed"] == "true"
    assert len(gateway_posts(fake_stripe, path)) == 1

    assert run_queued_reconcile(row) == "succeeded"

    row.refresh_from_db()
    kind = "payment_intent" if operation == "charge" else "refund"
    [at_stripe] = fake_stripe.objects(kind)  # one charge (or refund) at Stripe, never two
    assert (row.status, row.gateway_reference) == ("succeeded", at_stripe["id"])
    invoice.refresh_from_db()
    expected = Decimal("120.00") if operation == "charge" else Decimal("70.00")
    assert invoice.total_paid == expected
    assert_no_drift()


# --- (b) a worker killed while charging -------------------------------------------------------


def test_worker_killed_while_charging_is_settled_once_by_the_reconcile_task(
    stripe_server, tenant, fake_stripe, stripe_invoice
):
    invoice, card = stripe_invoice
    fake_stripe.delay_next("POST", INTENTS, seconds=SERVER_STRIPE_TIMEOUT + 2)
    workers_before = stripe_server.worker_pids()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(request, stripe_server, charge_call(tenant, invoice, card))
        [sent] = wait_until(
            lambda: charge_requests(fake_stripe), message="the charge never reached Stripe"
        )
        worker = process_owning_connection(workers_before, sent["peer"][1])
        assert worker is not None, "no worker holds the connection to Stripe"
        os.kill(worker, signal.SIGKILL)
        with pytest.raises(ConnectionError):
            pending.result(timeout=30)

    # The worker died between Stripe's work and our settle: reserved, not settled.
    [payment] = Payment.objects.filter(invoice=invoice)
    assert (payment.status, payment.gateway_reference) == (PaymentStatus.PENDING, None)
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.status) == (Decimal("0.00"), "issued")
    assert fake_stripe.count("payment_intent") == 1
    # A second charge cannot slip in while the first is unresolved.
    refused = request(stripe_server, charge_call(tenant, invoice, card))
    assert (refused.status, refused.code) == (409, "nothing_due")

    assert run_queued_reconcile(payment) == "succeeded"

    payment.refresh_from_db()
    [intent] = fake_stripe.objects("payment_intent")
    assert (payment.status, payment.gateway_reference) == ("succeeded", intent["id"])
    assert charge_requests(fake_stripe)[-1].get("replayed") is True  # same key, no new charge
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due, invoice.status) == (
        Decimal("120.00"),
        Decimal("0.00"),
        "paid",
    )
    assert AuditEvent.objects.filter(object_id=payment.pk, action="payment.charge_succeeded")
    # gunicorn replaced the killed worker, and the server still answers.
    wait_until(lambda: len(stripe_server.worker_pids()) == len(workers_before), timeout=30)
    assert worker not in stripe_server.worker_pids()
    assert_no_drift()


# --- (c) a stuck gateway does not hold up anyone else -------------------------------------------


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ("slow", "succeeded"),  # answered within the client's timeout, slowly
        ("timeout", "pending"),  # the work is done, the answer comes too late
        ("error_500", "pending"),  # a slow 500: nothing was charged
    ],
)
def test_payments_on_other_invoices_proceed_while_a_charge_is_stuck_at_the_gateway(
    stripe_server, tenant, fake_stripe, stripe_invoice, fault, outcome
):
    invoice, card = stripe_invoice
    others = [issued_invoice(invoice.customer, total="30.00") for _ in range(20)]
    stuck_for = {"slow": SERVER_STRIPE_TIMEOUT - 2, "timeout": SERVER_STRIPE_TIMEOUT + 2}
    if fault == "error_500":
        fake_stripe.fail_next("POST", INTENTS, status=500, delay=SERVER_STRIPE_TIMEOUT - 2)
    else:
        fake_stripe.delay_next("POST", INTENTS, seconds=stuck_for[fault])
    payments = [
        Call(
            "post",
            "payments",
            {"invoice_id": other.pk, "amount": Decimal("30.00"), "type": "bank_transfer"},
            tenant.key,
        )
        for other in others
    ]
    # Even the charged invoice answers at once (no lock is held): it refuses money that would
    # overlap the charge in flight, which would overpay whatever the gateway answers.
    payments.append(
        Call(
            "post",
            "payments",
            {"invoice_id": invoice.pk, "amount": Decimal("20.00"), "type": "cash"},
            tenant.key,
        )
    )

    with ThreadPoolExecutor(max_workers=1) as pool:
        charging = pool.submit(request, stripe_server, charge_call(tenant, invoice, card))
        wait_until(lambda: charge_requests(fake_stripe), message="the charge never reached Stripe")
        started = time.monotonic()
        answers = fire_together(stripe_server, payments)
        took = time.monotonic() - started
        still_in_flight = not charging.done()
        charged = charging.result(timeout=30)

    assert [answer.status for answer in answers] == [201] * 20 + [409], [a.body for a in answers]
    assert answers[-1].code == "charge_in_progress"
    assert still_in_flight, f"the 21 payments took {took:.1f}s, as long as the stuck charge"
    assert charged.status == 201, charged.body
    assert charged.body["status"] == outcome
    for other in Invoice.objects.filter(pk__in=[o.pk for o in others]):
        assert (other.total_paid, other.status) == (Decimal("30.00"), "paid")
    [payment] = Payment.objects.filter(invoice=invoice, type="card")
    if outcome == "pending":
        assert run_queued_reconcile(payment) == "succeeded"
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert fake_stripe.count("payment_intent") == 1
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due) == (Decimal("120.00"), Decimal("0.00"))
    assert_no_drift()
