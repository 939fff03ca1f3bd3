"""Changing and deleting recorded payments: PATCH and DELETE /payments, the back office's
Edit and Delete.

Documents never change; a new amount is checked against the documents' caps as if
recorded anew (`payments.services.capacity`), and the documents and the balance
follow in the same transaction.
"""

from decimal import Decimal

from django.utils import timezone

from billing.actors import Actor
from billing.audit import snapshot
from billing.errors import InvalidState, ValidationError
from billing.locking import money_transaction
from billing.models import BalanceTransaction
from billing.money import MoneySum, check_amount
from billing.validation import clean_metadata, clean_text
from payments.models import EXTERNAL_TYPES, Payment, PaymentStatus, PaymentType, RefundStatus
from payments.services.audit import audit_payment
from payments.services.capacity import require_capacity
from payments.services.documents import lock_payment, require_payable
from payments.services.recording import PAYMENT_AUDIT_FIELDS, balance_move, parse_payment_date
from payments.signals import payment_money_changed

MUTABLE_FIELDS = {"amount", "type", "date", "reference", "note", "metadata"}


def _reserved_refunds(payment: Payment) -> Decimal:
    return payment.refunds.filter(
        status__in=(RefundStatus.PENDING, RefundStatus.SUCCEEDED)
    ).aggregate(s=MoneySum("amount"))["s"] or Decimal("0")


def _change_reason(payment: Payment, reason, *, required_for: str) -> str:
    """The reason given, checked; required when the entity says so (`require_change_reason`)."""
    reason = clean_text(reason, "reason", 2000) or ""
    if not reason and payment.entity.require_change_reason:
        raise ValidationError(
            f"Say why you {required_for}: this entity keeps a reason for every such change.",
            code="reason_required",
            param="reason",
        )
    return reason


def payment_update(*, payment: Payment, actor: Actor, reason: str = "", **changes) -> Payment:
    """PATCH a payment: amount, type, date, reference, note, metadata. Documents never change.

    A gateway payment's amount and type are fixed; an amount never goes below
    what is refunded, and the new amount is checked against the documents'
    caps (credit note remaining, balance, advance) as if recorded anew. `reason` is kept in
    the audit trail; a change of amount needs one when the entity requires it.
    """
    unknown = set(changes) - MUTABLE_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationError(
            f"{field} cannot be changed on a payment.", code="immutable_field", param=field
        )
    uses_balance = payment.type == PaymentType.CUSTOMER_BALANCE
    with money_transaction():
        docs, locked = lock_payment(payment, with_customer=uses_balance)
        if locked.is_deleted:
            raise InvalidState("This payment was deleted.", code="payment_deleted")
        before = snapshot(locked, PAYMENT_AUDIT_FIELDS)
        new = {}
        if "amount" in changes:
            amount = check_amount(changes["amount"], locked.currency)
            if amount != locked.amount:
                if locked.is_gateway:
                    raise InvalidState(
                        "A charged payment's amount cannot change; refund it.",
                        code="gateway_payment_immutable",
                        param="amount",
                    )
                if locked.status != PaymentStatus.SUCCEEDED:
                    raise InvalidState(
                        "Only a succeeded payment's amount can change.", param="amount"
                    )
                # A void invoice keeps its (fully refunded) payments; no money moves onto it.
                if docs.invoice is not None:
                    require_payable(docs.invoice)
                elif docs.advance_invoice is not None:
                    require_payable(docs.advance_invoice, "advance_invoice_id")
                if amount < _reserved_refunds(locked):
                    raise InvalidState(
                        f"The amount cannot go below what is refunded ({_reserved_refunds(locked)}).",
                        code="amount_below_refunded",
                        param="amount",
                    )
                require_capacity(payment_type=locked.type, docs=docs, change=amount - locked.amount)
                reason = _change_reason(locked, reason, required_for="change its amount")
                new["amount"] = amount
        if "type" in changes and changes["type"] != locked.type:
            if (
                locked.is_gateway
                or locked.type not in EXTERNAL_TYPES
                or changes["type"] not in EXTERNAL_TYPES
            ):
                raise ValidationError(
                    "Only an external payment's type can change, to another external type.",
                    code="invalid_type_change",
                    param="type",
                )
            new["type"] = changes["type"]
        if "date" in changes:
            new["date"] = parse_payment_date(changes["date"])
        if "reference" in changes:
            new["reference"] = clean_text(changes["reference"], "reference", 250)
        if "note" in changes:
            new["note"] = clean_text(changes["note"], "note", 5000)
        if "metadata" in changes:
            new["metadata"] = clean_metadata(changes["metadata"])
        new = {field: value for field, value in new.items() if getattr(locked, field) != value}
        if not new:
            return locked
        delta = new.get("amount", locked.amount) - locked.amount
        for field, value in new.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*new, "updated_at"])
        if "amount" in new:
            payment_money_changed.send(sender=Payment, payment=locked, documents=docs)
        if uses_balance and delta:
            balance_move(
                payment=locked,
                customer=docs.customer,
                change=delta,
                actor=actor,
                reason="Payment amount changed",
            )
        audit_payment(
            actor=actor,
            payment=locked,
            action="payment.updated",
            before=before,
            after=snapshot(locked, PAYMENT_AUDIT_FIELDS),
            reason=clean_text(reason, "reason", 2000) or "",
        )
    return locked


def payment_delete(*, payment: Payment, actor: Actor, reason: str = "") -> Payment:
    """Mark a recorded payment deleted (kept for the audit trail) and recompute its documents.

    Gateway payments are refunded, not deleted; a payment with refunds cannot
    be deleted; money paid into an advance that is already applied cannot be.
    """
    uses_balance = payment.type == PaymentType.CUSTOMER_BALANCE
    with money_transaction():
        docs, locked = lock_payment(payment, with_customer=uses_balance)
        if locked.is_deleted:
            raise InvalidState("This payment is already deleted.", code="payment_deleted")
        if locked.is_gateway:
            raise InvalidState(
                "A charged payment cannot be deleted; refund it instead.",
                code="gateway_payment_immutable",
            )
        if locked.refunds.exclude(status__in=(RefundStatus.FAILED, RefundStatus.CANCELED)).exists():
            raise InvalidState(
                "A payment with refunds cannot be deleted.", code="payment_has_refunds"
            )
        require_capacity(payment_type=locked.type, docs=docs, change=-locked.amount)
        reason = _change_reason(locked, reason, required_for="delete a payment")
        before = snapshot(locked, PAYMENT_AUDIT_FIELDS)
        locked.is_deleted = True
        locked.deleted_at = timezone.now()
        locked.delete_reason = reason
        locked.save(update_fields=["is_deleted", "deleted_at", "delete_reason", "updated_at"])
        payment_money_changed.send(sender=Payment, payment=locked, documents=docs)
        if uses_balance and locked.status == PaymentStatus.SUCCEEDED:
            balance_move(
                payment=locked,
                customer=docs.customer,
                change=-locked.amount,
                actor=actor,
                kind=BalanceTransaction.Kind.APPLICATION_REVERSAL,
                reason="Payment deleted",
            )
        audit_payment(
            actor=actor,
            payment=locked,
            action="payment.deleted",
            before=before,
            after=snapshot(locked, PAYMENT_AUDIT_FIELDS),
            reason=locked.delete_reason,
        )
    return locked
