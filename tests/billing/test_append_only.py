"""The audit trail and the balance ledger are written once and never changed nor deleted."""

from decimal import Decimal

import pytest

from billing.models import AppendOnlyError, AuditEvent, BalanceTransaction
from billing.services import balance_adjust


@pytest.fixture
def ledger_row(customer, actor):
    return balance_adjust(customer=customer, amount=Decimal("10.00"), reason="Gift", actor=actor)


def test_balance_transaction_cannot_be_edited(ledger_row):
    ledger_row.amount = Decimal("1000.00")

    with pytest.raises(AppendOnlyError):
        ledger_row.save()

    ledger_row.refresh_from_db()
    assert ledger_row.amount == Decimal("10.00")


def test_balance_transaction_cannot_be_deleted(ledger_row):
    with pytest.raises(AppendOnlyError):
        ledger_row.delete()
    with pytest.raises(AppendOnlyError):
        BalanceTransaction.objects.filter(pk=ledger_row.pk).delete()

    assert BalanceTransaction.objects.filter(pk=ledger_row.pk).exists()


def test_balance_transaction_bulk_update_is_refused(ledger_row):
    with pytest.raises(AppendOnlyError):
        BalanceTransaction.objects.update(amount=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        BalanceTransaction.objects.bulk_update([ledger_row], ["amount"])

    ledger_row.refresh_from_db()
    assert ledger_row.amount == Decimal("10.00")


def test_audit_event_cannot_be_edited_or_deleted(ledger_row):
    event = AuditEvent.objects.get(action="balance.adjusted")
    event.reason = "rewritten"

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()

    event.refresh_from_db()
    assert event.reason == "Gift"


def test_bulk_upsert_cannot_rewrite_an_audit_event_or_a_ledger_row(ledger_row):
    event = AuditEvent.objects.get(action="balance.adjusted")
    forged_event = AuditEvent(
        pk=event.pk,
        entity_id=event.entity_id,
        action="rewritten",
        source="system",
        object_type="x",
        object_id="y",
    )
    forged_row = BalanceTransaction(
        pk=ledger_row.pk,
        entity_id=ledger_row.entity_id,
        customer_id=ledger_row.customer_id,
        kind="adjustment",
        amount=Decimal("1000.00"),
        currency=ledger_row.currency,
        balance_after=Decimal("1000.00"),
    )

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create(
            [forged_event], update_conflicts=True, update_fields=["action"], unique_fields=["id"]
        )
    with pytest.raises(AppendOnlyError):
        BalanceTransaction.objects.bulk_create(
            [forged_row], update_conflicts=True, update_fields=["amount"], unique_fields=["id"]
        )

    event.refresh_from_db()
    ledger_row.refresh_from_db()
    assert (event.action, ledger_row.amount) == ("balance.adjusted", Decimal("10.00"))
