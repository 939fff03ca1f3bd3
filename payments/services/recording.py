"""Recording payments: external money, and applications of credit notes, advances and balance.

`payment_record` is the single door for `POST /payments` and the admin's
External form. It locks the documents (global order), validates against the
fresh totals, writes the payment (the post_save receiver recomputes the
documents), posts to the balance ledger when the balance moves, and audits —
all in one transaction. The receipt e-mail is sent after commit.
"""

from datetime import date as date_type
from decimal import Decimal

from django.utils import timezone

from billing.actors import Actor
from billing.audit import snapshot
from billing.errors import CurrencyMismatch, InvalidState, ValidationError
from billing.locking import money_transaction
from billing.models import BalanceTransaction, Entity
from billing.money import MoneySum, check_amount
from billing.services import balance_post
from billing.validation import check_year, clean_metadata, clean_text, parse_iso_date
from payments.models import (
    EXTERNAL_TYPES,
    Payment,
    PaymentStatus,
    PaymentType,
    RefundStatus,
)
from payments.queue import receipt_enqueue
from payments.services.audit import audit_payment
from payments.services.documents import (
    advance_unreserved,
    find_invoice,
    lock_documents,
    lock_owned_documents,
    lock_payment,
    require_due_unchanged,
    require_open_credit_note,
    require_payable,
    require_representable,
    require_same_party,
    require_within,
)
from payments.services.holds import require_room_beside_charges_in_flight
from payments.services.totals import save_with_held_locks

PAYMENT_AUDIT_FIELDS = [
    "amount",
    "amount_refunded",
    "type",
    "status",
    "date",
    "reference",
    "note",
    "metadata",
    "is_deleted",
]
MUTABLE_FIELDS = {"amount", "type", "date", "reference", "note", "metadata"}


def parse_payment_date(value, param: str = "date") -> date_type:
    """YYYY-MM-DD, or an ISO 8601 date-time (such as the timestamp the API renders) whose
    date part is taken; an impossible date or time is refused, never cut to a date."""
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, date_type):
        return check_year(value, param)
    try:
        parsed = parse_iso_date(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise ValidationError(
            f"{param} must be a date in YYYY-MM-DD format (or an ISO 8601 date-time).",
            code="invalid_date",
            param=param,
        ) from None
    return check_year(parsed, param)


def check_type_and_references(type_: str, *, invoice, credit_note, advance) -> None:
    """The reference's rules for which documents each payment type needs."""
    if type_ not in PaymentType.values:
        raise ValidationError(
            f"Unknown payment type {type_!r}; use one of {', '.join(PaymentType.values)}.",
            code="invalid_type",
            param="type",
        )
    if not (invoice or credit_note or advance):
        raise ValidationError(
            "At least one document reference is required "
            "(invoice_id, credit_note_id or advance_invoice_id).",
            code="document_required",
            param="invoice_id",
        )
    if type_ == PaymentType.CREDIT_NOTE:
        if not (invoice and credit_note) or advance:
            raise ValidationError(
                "A credit_note payment needs both invoice_id and credit_note_id.",
                code="credit_note_payment_requires_invoice",
                param="invoice_id",
            )
    elif type_ == PaymentType.ADVANCE:
        if not (invoice and advance) or credit_note:
            raise ValidationError(
                "An advance payment needs both invoice_id and advance_invoice_id.",
                code="advance_payment_requires_invoice",
                param="invoice_id",
            )
    elif type_ == PaymentType.CUSTOMER_BALANCE:
        if advance or bool(invoice) == bool(credit_note):
            raise ValidationError(
                "A customer_balance payment references an invoice (to use the balance) "
                "or a credit note (to credit the balance), not both.",
                code="invalid_document_combination",
                param="invoice_id",
            )
    elif sum(bool(doc) for doc in (invoice, credit_note, advance)) != 1:
        raise ValidationError(
            f"A {type_} payment references one document; only credit_note and advance "
            "payments link an invoice to another document.",
            code="invalid_document_combination",
            param="credit_note_id",
        )


def _notify_receipt_after_commit(payment: Payment) -> None:
    if payment.status != PaymentStatus.SUCCEEDED or payment.type not in EXTERNAL_TYPES:
        return
    if payment.invoice_id is None and payment.advance_invoice_id is None:
        return  # credit paid out to the customer: nothing was received
    receipt_enqueue(payment.pk)


def payment_record(
    *,
    entity: Entity,
    actor: Actor,
    amount,
    type: str,
    invoice_id: str | None = None,
    credit_note_id: str | None = None,
    advance_invoice_id: str | None = None,
    date=None,
    reference: str | None = None,
    note: str | None = None,
    metadata: dict | None = None,
    expected_due: Decimal | None = None,
    _allow_overpaying_application: bool = False,
) -> Payment:
    """Record money that arrived, or apply credit / an advance / the balance to a document.

    Errors: ValidationError (bad type, references, amount, metadata), NotFound
    (a document of another entity or none), CurrencyMismatch, InvalidState
    (draft or void invoice, void credit note), LimitExceeded (over the due,
    remaining or balance amount), Conflict (the due is no longer `expected_due`). Nothing
    is written on error.
    """
    type_ = type
    check_type_and_references(
        type_, invoice=invoice_id, credit_note=credit_note_id, advance=advance_invoice_id
    )
    payment_date = parse_payment_date(date)
    reference = clean_text(reference, "reference", 250)
    note = clean_text(note, "note", 5000)
    metadata = clean_metadata(metadata)
    uses_balance = type_ == PaymentType.CUSTOMER_BALANCE

    with money_transaction():
        docs = lock_owned_documents(
            entity=entity,
            invoice_id=invoice_id,
            advance_invoice_id=advance_invoice_id,
            credit_note_id=credit_note_id,
        )
        invoice, advance, credit_note = docs.invoice, docs.advance_invoice, docs.credit_note
        primary = invoice or advance or credit_note
        require_same_party(
            primary,
            credit_note,
            advance,
            param="credit_note_id" if credit_note else "advance_invoice_id",
        )
        currency = primary.currency
        amount = check_amount(amount, currency)
        if uses_balance:  # the customer comes after the documents in the lock order
            docs.customer = lock_documents(customer_id=primary.customer_id).customer
        require_due_unchanged(invoice or advance or credit_note, expected_due)
        if invoice is not None:
            require_payable(invoice)
            require_representable(invoice.total_paid + amount)
        if advance is not None:
            require_payable(advance, "advance_invoice_id")
            require_representable(advance.total_paid + amount)
        if type_ in EXTERNAL_TYPES and (invoice or advance) is not None:
            require_room_beside_charges_in_flight(invoice or advance, amount)
        if credit_note is not None:
            require_open_credit_note(credit_note)
            require_within(
                amount,
                credit_note.total_remaining,
                "the credit note's remaining amount",
                currency,
                code="amount_exceeds_credit_note",
            )
        if (
            type_ in (PaymentType.CREDIT_NOTE, PaymentType.ADVANCE, PaymentType.CUSTOMER_BALANCE)
            and invoice is not None
            and not _allow_overpaying_application
        ):
            require_within(
                amount,
                invoice.total_payable,
                "the invoice's amount due",
                currency,
                code="amount_exceeds_due",
            )
        if type_ == PaymentType.ADVANCE:
            require_within(
                amount,
                advance_unreserved(advance),
                "the advance's unapplied payments",
                currency,
                code="amount_exceeds_advance",
            )
        # Crediting the balance from a credit note must not mix currencies either.
        if uses_balance and docs.customer.currency != currency:
            raise CurrencyMismatch(
                f"The customer's balance is in {docs.customer.currency}, the "
                f"{'invoice' if invoice is not None else 'credit note'} in {currency}.",
                param="invoice_id" if invoice is not None else "credit_note_id",
            )
        if uses_balance and invoice is not None:
            require_within(
                amount,
                docs.customer.balance,
                "the customer's money balance",
                currency,
                code="insufficient_balance",
            )

        payment = Payment(
            entity_id=primary.entity_id,
            customer_id=primary.customer_id,
            invoice=invoice,
            credit_note=credit_note,
            advance_invoice=advance,
            type=type_,
            status=PaymentStatus.SUCCEEDED,
            amount=amount,
            currency=currency,
            date=payment_date,
            reference=reference,
            note=note,
            metadata=metadata,
            created_by_id=actor.user_id,
        )
        save_with_held_locks(payment, (invoice, advance, credit_note))
        if uses_balance:
            into_balance = invoice is None  # a credit note credited to the balance
            balance_post(
                customer=docs.customer,
                amount=amount if into_balance else -amount,
                kind=BalanceTransaction.Kind.CREDIT_NOTE
                if into_balance
                else BalanceTransaction.Kind.INVOICE_APPLICATION,
                actor=actor,
                invoice_id=getattr(invoice, "pk", ""),
                credit_note_id=getattr(credit_note, "pk", ""),
                payment_id=payment.pk,
            )
        audit_payment(
            actor=actor,
            payment=payment,
            action="payment.recorded",
            after=snapshot(payment, PAYMENT_AUDIT_FIELDS),
        )
        _notify_receipt_after_commit(payment)
    return payment


def balance_apply(*, entity: Entity, invoice_id: str, actor: Actor, amount=None) -> Payment:
    """Use the customer's money balance on an invoice (default: as much as both allow)."""
    invoice = find_invoice(entity, invoice_id)
    if amount is None:
        amount = min(invoice.customer.balance, invoice.total_payable)
        if amount <= 0:
            raise InvalidState(
                "There is no balance to apply or nothing is due.",
                code="nothing_to_apply",
                param="amount",
            )
    return payment_record(
        entity=entity,
        actor=actor,
        amount=amount,
        type=PaymentType.CUSTOMER_BALANCE,
        invoice_id=invoice.pk,
    )


def _reserved_refunds(payment: Payment) -> Decimal:
    return payment.refunds.filter(
        status__in=(RefundStatus.PENDING, RefundStatus.SUCCEEDED)
    ).aggregate(s=MoneySum("amount"))["s"] or Decimal("0")


def payment_update(*, payment: Payment, actor: Actor, **changes) -> Payment:
    """PATCH a payment: amount, type, date, reference, note, metadata. Documents never change.

    A gateway payment's amount and type are fixed; an amount never goes below
    what is refunded, and the new amount is checked against the documents'
    caps (credit note remaining, balance, advance) as if recorded anew.
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
                _check_amount_increase(locked, docs, amount - locked.amount)
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
        if uses_balance and delta:
            into_balance = locked.invoice_id is None
            balance_post(
                customer=docs.customer,
                amount=delta if into_balance else -delta,
                kind=BalanceTransaction.Kind.CREDIT_NOTE
                if into_balance
                else BalanceTransaction.Kind.INVOICE_APPLICATION,
                actor=actor,
                invoice_id=locked.invoice_id or "",
                credit_note_id=locked.credit_note_id or "",
                payment_id=locked.pk,
                reason="Payment amount changed",
            )
        audit_payment(
            actor=actor,
            payment=locked,
            action="payment.updated",
            before=before,
            after=snapshot(locked, PAYMENT_AUDIT_FIELDS),
        )
    return locked


def _check_amount_increase(payment: Payment, docs, increase: Decimal) -> None:
    """A larger amount must still fit the caps the payment was recorded under."""
    if increase <= 0:
        if payment.advance_invoice_id and payment.type != PaymentType.ADVANCE:
            advance = docs.advance_invoice
            require_within(
                -increase,
                advance_unreserved(advance),
                "the advance's unapplied payments",
                payment.currency,
                code="advance_already_applied",
            )
        if payment.type == PaymentType.CUSTOMER_BALANCE and payment.invoice_id is None:
            require_within(
                -increase,
                docs.customer.balance,
                "the customer's money balance",
                payment.currency,
                code="insufficient_balance",
            )
        return
    currency = payment.currency
    for document in (docs.invoice, docs.advance_invoice):
        if document is not None:
            require_representable(document.total_paid + increase)
            if payment.type in EXTERNAL_TYPES:
                require_room_beside_charges_in_flight(document, increase)
    if docs.credit_note is not None:
        require_within(
            increase,
            docs.credit_note.total_remaining,
            "the credit note's remaining amount",
            currency,
            code="amount_exceeds_credit_note",
        )
    if (
        payment.type in (PaymentType.CREDIT_NOTE, PaymentType.ADVANCE, PaymentType.CUSTOMER_BALANCE)
        and docs.invoice is not None
    ):
        require_within(
            increase,
            docs.invoice.total_payable,
            "the invoice's amount due",
            currency,
            code="amount_exceeds_due",
        )
    if payment.type == PaymentType.ADVANCE:
        require_within(
            increase,
            advance_unreserved(docs.advance_invoice),
            "the advance's unapplied payments",
            currency,
            code="amount_exceeds_advance",
        )
    if payment.type == PaymentType.CUSTOMER_BALANCE and docs.invoice is not None:
        require_within(
            increase,
            docs.customer.balance,
            "the customer's money balance",
            currency,
            code="insufficient_balance",
        )


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
        _check_amount_increase(locked, docs, -locked.amount)
        before = snapshot(locked, PAYMENT_AUDIT_FIELDS)
        locked.is_deleted = True
        locked.deleted_at = timezone.now()
        locked.delete_reason = (reason or "").strip()
        locked.save(update_fields=["is_deleted", "deleted_at", "delete_reason", "updated_at"])
        if uses_balance and locked.status == PaymentStatus.SUCCEEDED:
            into_balance = locked.invoice_id is None
            balance_post(
                customer=docs.customer,
                amount=-locked.amount if into_balance else locked.amount,
                kind=BalanceTransaction.Kind.APPLICATION_REVERSAL,
                actor=actor,
                invoice_id=locked.invoice_id or "",
                credit_note_id=locked.credit_note_id or "",
                payment_id=locked.pk,
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
