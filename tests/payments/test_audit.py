"""Every money action leaves an audit event: who, from where, what, before/after, and why."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from billing.actors import Actor
from billing.models import AuditEvent
from billing.services import balance_adjust
from invoices.services import invoice_write_off
from payments.services import (
    invoice_issue,
    invoice_void,
    overpayment_move_to_balance,
    payment_charge,
    payment_delete,
    payment_record,
    payment_update,
    refund_create,
)
from tests.factories import SavedCardFactory, draft_invoice, issued_credit_note


@pytest.fixture
def admin(db):
    user = get_user_model().objects.create_user("clerk", "clerk@example.com", "pw")
    return Actor.admin(user)


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def only(action):
    (event,) = events(action)
    return event


def assert_by(event, actor):
    assert event.source == "admin"
    assert event.actor_user_id == actor.user_id
    assert event.actor_label == "clerk"


def test_each_money_action_is_audited_with_its_actor_and_reason(customer, admin):
    balance_adjust(customer=customer, amount=Decimal("10.00"), reason="Goodwill", actor=admin)
    invoice = invoice_issue(invoice=draft_invoice(customer, total="100.00"), actor=admin)
    payment = payment_record(
        entity=customer.entity,
        actor=admin,
        amount=Decimal("120.00"),
        type="cash",
        invoice_id=invoice.pk,
    )
    payment_update(payment=payment, actor=admin, reference="Till 3")
    overpayment_move_to_balance(invoice=invoice, actor=admin)
    refund_create(payment=payment, actor=admin, reason="Returned desk", amount=Decimal("5.00"))
    issued_credit_note(invoice, "5.00", to="invoice", reason="Broken chair", actor=admin)
    extra = payment_record(
        entity=customer.entity,
        actor=admin,
        amount=Decimal("1.00"),
        type="cash",
        invoice_id=invoice.pk,
    )
    payment_delete(payment=extra, actor=admin, reason="Typed twice")

    adjusted = only("balance.adjusted")
    assert_by(adjusted, admin)
    assert (adjusted.before, adjusted.after, adjusted.reason) == (
        {"balance": "0.00"},
        {"balance": "10.00"},
        "Goodwill",
    )

    issued = only("invoice.issued")
    assert_by(issued, admin)
    assert issued.before == {"status": "draft"}
    assert issued.after["number"] == invoice.number

    recorded = events("payment.recorded")
    assert [e.after["type"] for e in recorded] == [
        "customer_balance",
        "cash",
        "credit_note",
        "cash",
    ]
    for event in recorded:
        assert_by(event, admin)
        assert event.invoice_id == invoice.pk
        assert event.customer_id == customer.pk

    updated = only("payment.updated")
    assert_by(updated, admin)
    assert (updated.before["reference"], updated.after["reference"]) == (None, "Till 3")

    refunds = events("refund.created")
    assert [(e.after["amount"], e.after["destination"]) for e in refunds] == [
        ("30.00", "customer_balance"),
        ("5.00", "original"),
    ]
    assert refunds[1].reason == "Returned desk"
    for event in refunds:
        assert_by(event, admin)

    credited = only("credit_note.issued")
    assert_by(credited, admin)
    assert credited.reason == "Broken chair"

    deleted = only("payment.deleted")
    assert_by(deleted, admin)
    assert deleted.reason == "Typed twice"
    assert (deleted.before["is_deleted"], deleted.after["is_deleted"]) == (False, True)


def test_void_and_write_off_are_audited_with_their_reason(customer, admin):
    to_void = invoice_issue(invoice=draft_invoice(customer), actor=admin)
    to_write_off = invoice_issue(invoice=draft_invoice(customer), actor=admin)

    invoice_void(invoice=to_void, actor=admin, reason="Duplicate")
    invoice_write_off(invoice=to_write_off, actor=admin, reason="Unreachable")

    voided = only("invoice.voided")
    written_off = only("invoice.written_off")
    for event, reason in ((voided, "Duplicate"), (written_off, "Unreachable")):
        assert_by(event, admin)
        assert event.reason == reason
        assert event.before["status"] == "issued"
    assert voided.after["status"] == "void"
    assert written_off.after["status"] == "uncollectible"


def test_charges_are_audited_from_start_to_outcome(customer, admin):
    invoice = invoice_issue(invoice=draft_invoice(customer, total="100.00"), actor=admin)
    card = SavedCardFactory(customer=customer)

    payment = payment_charge(
        entity=customer.entity, actor=admin, payment_method_id=card.pk, invoice_id=invoice.pk
    )

    started, succeeded = (
        only("payment.charge_started"),
        only("payment.charge_succeeded"),
    )
    for event in (started, succeeded):
        assert_by(event, admin)
        assert event.object_id == payment.pk
        assert event.invoice_id == invoice.pk
    assert started.after["status"] == "pending"
    assert (succeeded.before["status"], succeeded.after["status"]) == ("pending", "succeeded")
    assert succeeded.after["gateway_reference"] == payment.gateway_reference


def test_webhook_and_task_sources_are_recorded(customer):
    invoice = invoice_issue(
        invoice=draft_invoice(customer, total="100.00"), actor=Actor.task("tests")
    )
    payment_record(
        entity=customer.entity,
        actor=Actor(source="webhook", label="stripe evt_1"),
        amount=Decimal("10.00"),
        type="bank_transfer",
        invoice_id=invoice.pk,
    )

    assert (only("invoice.issued").source, only("invoice.issued").actor_label) == (
        "task",
        "tests",
    )
    recorded = only("payment.recorded")
    assert (recorded.source, recorded.actor_label, recorded.actor_user_id) == (
        "webhook",
        "stripe evt_1",
        None,
    )
