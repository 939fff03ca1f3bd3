"""Every required event type reaches a local receiver after the action that causes it, with
the API's representation of the object, written in the same transaction as the change."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from banking.services.importing import statement_import_parsed
from banking.services.reconciling import bank_line_confirm
from invoices.services.issuing import invoice_write_off
from payments.services import (
    credit_note_issue,
    invoice_void,
    payment_delete,
    payment_record,
    payment_update,
    refund_create,
)
from tests.banking.statements import line, statement
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    SavedCardFactory,
    charge_card,
    give_balance,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)
from webhooks.delivery import deliveries_sweep
from webhooks.event_types import EVENT_TYPES
from webhooks.models import Event
from webhooks.overdue import overdue_invoices_announce

pytestmark = pytest.mark.django_db


def delivered(receiver) -> list[str]:
    deliveries_sweep()
    return receiver.types


def test_payment_lifecycle_events(customer, endpoint, receiver):
    invoice = issued_invoice(customer, "100.00")
    payment = record_payment(invoice, "40.00")
    payment_update(payment=payment, actor=SYSTEM, amount=Decimal("100.00"))
    payment.refresh_from_db()
    payment_delete(payment=payment, actor=SYSTEM, reason="Entered twice")

    types = delivered(receiver)

    assert types[0] == "invoice.issued"
    assert {"payment.created", "invoice.partially_paid", "payment.updated", "invoice.paid"} <= set(
        types
    )
    assert types[-1] == "payment.deleted" or "payment.deleted" in types
    created = next(
        item.event for item in receiver.received if item.event["type"] == "payment.created"
    )
    assert created["data"]["object"]["id"] == payment.pk
    assert created["data"]["object"]["amount"] == 40
    assert created["entity_id"] == customer.entity_id
    assert created["id"].startswith("evt_")


def test_charges_that_fail_or_need_authentication(customer, endpoint, receiver):
    declined = issued_invoice(customer, "10.00")
    charge_card(
        declined,
        card=SavedCardFactory(customer=customer, gateway_reference="pm_card_chargeDeclined"),
    )
    held = issued_invoice(customer, "10.00")
    charge_card(
        held,
        card=SavedCardFactory(
            customer=customer, gateway_reference="pm_card_authenticationRequired"
        ),
    )

    types = delivered(receiver)

    assert "payment.failed" in types
    assert "payment.requires_action" in types


def test_refunds_are_created_and_updated(customer, endpoint, receiver):
    invoice = issued_invoice(customer, "50.00")
    payment = charge_card(invoice)
    refund_create(payment=payment, actor=SYSTEM, reason="Returned", amount=Decimal("20.00"))

    types = delivered(receiver)

    assert "refund.created" in types
    assert "refund.updated" in types
    refund = next(i.event for i in receiver.received if i.event["type"] == "refund.created")
    assert refund["data"]["object"]["id"].startswith("re_")


def test_void_and_write_off(customer, endpoint, receiver):
    voided = issued_invoice(customer, "10.00")
    invoice_void(invoice=voided, actor=SYSTEM, reason="Wrong customer")
    lost = issued_invoice(customer, "10.00")
    invoice_write_off(invoice=lost, actor=SYSTEM, reason="Bankrupt")

    types = delivered(receiver)

    assert "invoice.voided" in types
    assert "invoice.uncollectible" in types


def test_credit_notes_balances_and_advances(customer, endpoint, receiver):
    invoice = issued_invoice(customer, "100.00")
    open_note = issued_credit_note(invoice, "10.00")
    record_payment(invoice, "10.00", type="credit_note", credit_note_id=open_note.pk)
    give_balance(customer, "5.00")
    advance = issued_advance(customer, "30.00")
    record_payment(advance, "30.00")
    final = issued_invoice(customer, "60.00", apply_balance=False)
    payment_record(
        entity=final.entity,
        actor=SYSTEM,
        amount=Decimal("30.00"),
        type="advance",
        invoice_id=final.pk,
        advance_invoice_id=advance.pk,
    )

    types = delivered(receiver)

    assert {"credit_note.issued", "credit_note.applied", "customer.balance_changed"} <= set(types)
    assert "advance_invoice.applied" in types
    balance = next(
        i.event for i in receiver.received if i.event["type"] == "customer.balance_changed"
    )
    assert balance["data"]["object"]["id"] == customer.pk


def test_a_matched_bank_line(entity, endpoint, receiver):
    entity.bank_auto_confirm = False
    entity.save()
    customer = CustomerFactory(entity=entity)
    invoice = issued_invoice(customer, "100.00")
    parsed = statement(line(3, "100.00", "Payer", "", "invoice", "R1"))
    row = statement_import_parsed(entity=entity, actor=SYSTEM, parsed=parsed, digest="a")
    bank_line = row.statement.lines.get()

    bank_line_confirm(
        entity=entity,
        actor=SYSTEM,
        line_id=bank_line.pk,
        allocations=[{"invoice_id": invoice.pk, "amount": "100.00"}],
    )

    types = delivered(receiver)

    assert "bank_statement.line_matched" in types


def test_overdue_is_written_once(customer, endpoint, receiver):
    invoice = issued_invoice(customer, "10.00", date=date.today() - timedelta(days=40))
    invoice.refresh_from_db()
    assert invoice.due_date < date.today()

    assert overdue_invoices_announce() == 1
    assert overdue_invoices_announce() == 0

    assert delivered(receiver).count("invoice.overdue") == 1


def test_every_required_type_is_known():
    assert len(EVENT_TYPES) == 18


def test_a_service_that_rolls_back_writes_no_event(customer, endpoint):
    invoice = issued_invoice(customer, "100.00")
    before = Event.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        record_payment(invoice, "40.00")
        assert Event.objects.count() > before
        raise RuntimeError("the request failed after the payment")

    assert Event.objects.count() == before


def test_a_credit_note_allocated_at_issue_is_applied(customer, endpoint, receiver):
    invoice = issued_invoice(customer, "100.00")
    credit_note_issue(
        entity=invoice.entity,
        invoice_id=invoice.pk,
        actor=SYSTEM,
        reason="Discount",
        amount=Decimal("30.00"),
        allocations=[
            {"type": "invoice", "amount": "20.00"},
            {"type": "customer_balance", "amount": "10.00"},
        ],
    )

    types = delivered(receiver)

    # One event per application, each with the credit note as it stood then.
    applied = [i.event for i in receiver.received if i.event["type"] == "credit_note.applied"]
    assert sorted(event["data"]["object"]["total_applied"] for event in applied) == [20, 30]
    assert {"credit_note.issued", "invoice.partially_paid", "customer.balance_changed"} <= set(
        types
    )


def test_updated_events_carry_the_previous_attributes_as_the_api_showed_them(customer):
    invoice = issued_invoice(customer, "100.00")
    payment = record_payment(invoice, "40.00", reference="A-1")
    payment_update(payment=payment, actor=SYSTEM, amount=Decimal("55.50"), reference="A-2")
    charged = charge_card(issued_invoice(customer, "30.00"), "30.00")

    def updated(pk):
        events = Event.objects.filter(type="payment.updated", object_id=pk)
        return [json.loads(event.body)["data"] for event in events]

    [amended] = updated(payment.pk)
    assert amended["previous_attributes"] == {"amount": 40, "reference": "A-1"}
    assert (amended["object"]["amount"], amended["object"]["reference"]) == (55.5, "A-2")
    [succeeded] = updated(charged.pk)
    assert succeeded["previous_attributes"]["status"] == "pending"
    assert succeeded["object"]["status"] == "succeeded"
    created = Event.objects.get(type="payment.created", object_id=payment.pk)
    assert "previous_attributes" not in json.loads(created.body)["data"]
