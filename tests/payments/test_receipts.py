"""Receipt e-mails: one per payment received, sent only after the payment committed."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from billing.errors import LimitExceeded
from payments.services import payment_charge, payment_record
from tests.asserts import refused
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    SavedCardFactory,
    issued_credit_note,
    issued_invoice,
)


def record(invoice, amount, type="cash", **kwargs):
    return payment_record(
        entity=invoice.entity,
        actor=SYSTEM,
        amount=Decimal(amount),
        type=type,
        invoice_id=invoice.pk,
        **kwargs,
    )


def test_recorded_payment_sends_one_receipt_after_commit(
    customer, django_capture_on_commit_callbacks
):
    invoice = issued_invoice(customer, total="100.00")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        payment = record(invoice, "40.00", reference="BANK-1")
    assert mail.outbox == []
    assert len(callbacks) == 2  # the money log line, then the receipt

    for callback in callbacks:
        callback()

    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert message.subject == f"Receipt: €40.00 received by {customer.entity.name}"
    assert invoice.number in message.body
    assert "Still due: €60.00" in message.body
    assert "Reference: BANK-1" in message.body
    assert f"Your receipt: http://127.0.0.1:8000/portal/receipts/payments/{payment.pk}" in (
        message.body
    )


def test_receipt_is_sent_when_the_transaction_commits(customer, django_capture_on_commit_callbacks):
    invoice = issued_invoice(customer, total="100.00")

    with django_capture_on_commit_callbacks(execute=True):
        record(invoice, "100.00")

    assert len(mail.outbox) == 1
    assert "Still due: €0.00" in mail.outbox[0].body


def test_a_receipt_never_shows_a_negative_amount_due(customer, django_capture_on_commit_callbacks):
    invoice = issued_invoice(customer, total="100.00")

    with django_capture_on_commit_callbacks(execute=True):
        record(invoice, "130.00")

    body = mail.outbox[0].body
    assert "Still due: €0.00 (paid €30.00 more than due)" in body
    assert "-30.00" not in body


def test_no_receipt_for_a_customer_without_email(db, django_capture_on_commit_callbacks):
    customer = CustomerFactory(email="")
    invoice = issued_invoice(customer, total="100.00")

    with django_capture_on_commit_callbacks(execute=True):
        record(invoice, "40.00")

    assert mail.outbox == []


def test_no_receipt_for_a_refused_payment(customer, django_capture_on_commit_callbacks):
    invoice = issued_invoice(customer, total="100.00")

    with (
        django_capture_on_commit_callbacks(execute=True),
        refused(LimitExceeded, "insufficient_balance"),
    ):
        record(invoice, "40.00", type="customer_balance")

    assert mail.outbox == []


def test_no_receipt_for_a_credit_note_application(customer, django_capture_on_commit_callbacks):
    invoice = issued_invoice(customer, total="100.00")

    with django_capture_on_commit_callbacks(execute=True):
        issued_credit_note(invoice, "10.00", to="invoice")

    assert mail.outbox == []


def test_no_receipt_for_credit_paid_out_to_the_customer(
    customer, django_capture_on_commit_callbacks
):
    invoice = issued_invoice(customer, total="100.00")
    record(invoice, "100.00")

    with django_capture_on_commit_callbacks(execute=True):
        issued_credit_note(
            invoice, "10.00", to="outside", allocation={"payment_type": "bank_transfer"}
        )

    assert mail.outbox == []


def test_successful_charge_sends_a_receipt(customer, django_capture_on_commit_callbacks):
    invoice = issued_invoice(customer, total="100.00")
    card = SavedCardFactory(customer=customer)

    with django_capture_on_commit_callbacks(execute=True):
        payment_charge(
            entity=customer.entity, actor=SYSTEM, payment_method_id=card.pk, invoice_id=invoice.pk
        )

    (message,) = mail.outbox
    assert message.subject == f"Receipt: €100.00 received by {customer.entity.name}"
    assert "Visa •••• 4242" in message.body


def test_declined_charge_sends_no_receipt(customer, django_capture_on_commit_callbacks):
    invoice = issued_invoice(customer, total="100.00")
    card = SavedCardFactory(customer=customer, gateway_reference="pm_card_chargeDeclined")

    with django_capture_on_commit_callbacks(execute=True):
        payment_charge(
            entity=customer.entity, actor=SYSTEM, payment_method_id=card.pk, invoice_id=invoice.pk
        )

    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_receipt_task_is_queued_in_the_payment_transaction_with_the_database_queue(settings):
    """An outbox: the task row commits (or rolls back) with the payment, no commit of its own."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    invoice = issued_invoice(CustomerFactory(email="member@example.com"), total="100.00")
    actor = SYSTEM
    # Issuing queued the invoice's PDF; the receipts are counted apart.
    receipts = DBTaskResult.objects.filter(task_path="payments.tasks.send_payment_receipt")

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        payment_record(
            entity=invoice.entity, actor=actor, amount="10.00", type="cash", invoice_id=invoice.pk
        )
        assert receipts.count() == 1  # written with the payment…
        raise Abandon
    assert receipts.count() == 0  # …and gone with it

    payment = payment_record(
        entity=invoice.entity, actor=actor, amount="10.00", type="cash", invoice_id=invoice.pk
    )

    queued = receipts.get()
    assert queued.task_path == "payments.tasks.send_payment_receipt"
    assert queued.args_kwargs["args"] == [payment.pk]
