"""Recording payments: external money, and applications of credit notes, advances and balance.

`payment_record` is the single door for `POST /payments` and the admin's External
form: it checks the request, locks the documents (global order) and hands them to
the operation of its type, which validates against the fresh totals (one capacity
check, `payments.services.capacity`), writes the payment, posts to the balance
ledger when the balance moves, and audits — all in one transaction. The operations
work on documents their caller holds locked, so a service that holds them already
calls one directly. The receipt e-mail is sent after commit.
"""

from dataclasses import dataclass, field
from datetime import date as date_type
from decimal import Decimal
from functools import partial

from django.utils import timezone

from billing.actors import Actor
from billing.audit import snapshot
from billing.errors import InvalidState, ValidationError
from billing.locking import money_transaction
from billing.models import BalanceTransaction, Customer, Entity
from billing.money import check_amount
from billing.services import balance_post
from billing.validation import check_year, clean_metadata, clean_text, parse_iso_date
from payments.models import Payment, PaymentStatus, PaymentType
from payments.queue import receipt_enqueue
from payments.services.audit import audit_payment
from payments.services.capacity import require_capacity
from payments.services.documents import (
    LockedDocuments,
    find_invoice,
    lock_documents,
    lock_owned_documents,
    require_due_unchanged,
    require_same_party,
)
from payments.signals import payment_money_changed

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


@dataclass(frozen=True)
class PaymentDetails:
    """What a recorded payment says besides its money, checked before any lock is taken."""

    date: date_type = field(default_factory=timezone.localdate)
    reference: str | None = None
    note: str | None = None
    metadata: dict = field(default_factory=dict)

    @classmethod
    def clean(cls, *, date=None, reference=None, note=None, metadata=None) -> "PaymentDetails":
        return cls(
            date=parse_payment_date(date),
            reference=clean_text(reference, "reference", 250),
            note=clean_text(note, "note", 5000),
            metadata=clean_metadata(metadata),
        )


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
) -> Payment:
    """Record money that arrived, or apply credit / an advance / the balance to a document.

    The door of `POST /payments` and of the back office's External form: it checks the
    request, locks the documents it names and hands them to the operation of its type.
    Errors: ValidationError (bad type, references, amount, metadata), NotFound
    (a document of another entity or none), CurrencyMismatch, InvalidState
    (draft or void invoice, void credit note), LimitExceeded (over the due,
    remaining or balance amount), Conflict (the due is no longer `expected_due`). Nothing
    is written on error.
    """
    check_type_and_references(
        type, invoice=invoice_id, credit_note=credit_note_id, advance=advance_invoice_id
    )
    details = PaymentDetails.clean(date=date, reference=reference, note=note, metadata=metadata)
    with money_transaction():
        docs = lock_owned_documents(
            entity=entity,
            invoice_id=invoice_id,
            advance_invoice_id=advance_invoice_id,
            credit_note_id=credit_note_id,
        )
        record = _operation_for(type)
        return record(
            docs=docs, actor=actor, amount=amount, details=details, expected_due=expected_due
        )


def _operation_for(type: str):
    """The recording operation of a payment type."""
    if type == PaymentType.CREDIT_NOTE:
        return credit_note_application_record
    if type == PaymentType.ADVANCE:
        return advance_application_record
    if type == PaymentType.CUSTOMER_BALANCE:
        return balance_payment_record
    return partial(external_payment_record, type=type)


def external_payment_record(
    *,
    docs: LockedDocuments,
    actor: Actor,
    type: str,
    amount,
    details: PaymentDetails,
    expected_due: Decimal | None = None,
) -> Payment:
    """Money that arrived outside the app (cash, transfer, terminal…) on a locked invoice or
    advance, or a locked credit note's credit paid out to the customer.

    It may exceed what is due (the money is here: the invoice shows as overpaid), but
    not overlap a card charge in flight. A receipt is sent after commit.
    """
    amount = _checked_amount(docs, amount, expected_due)
    require_capacity(payment_type=type, docs=docs, change=amount, recording=True)
    payment = _payment_write(docs, type=type, amount=amount, details=details, actor=actor)
    _audit_recorded(actor, payment)
    if payment.invoice_id is not None or payment.advance_invoice_id is not None:
        receipt_enqueue(payment.pk)  # credit paid out to the customer received nothing
    return payment


def credit_note_application_record(
    *,
    docs: LockedDocuments,
    actor: Actor,
    amount,
    details: PaymentDetails,
    expected_due: Decimal | None = None,
    may_overpay: bool = False,
) -> Payment:
    """Apply a locked credit note's remaining credit to its locked invoice, within the due
    (unless `may_overpay`: the credit stands in for money refunded from the invoice)."""
    amount = _checked_amount(docs, amount, expected_due)
    require_capacity(
        payment_type=PaymentType.CREDIT_NOTE,
        docs=docs,
        change=amount,
        recording=True,
        may_overpay=may_overpay,
    )
    payment = _payment_write(
        docs, type=PaymentType.CREDIT_NOTE, amount=amount, details=details, actor=actor
    )
    _audit_recorded(actor, payment)
    return payment


def advance_application_record(
    *,
    docs: LockedDocuments,
    actor: Actor,
    amount,
    details: PaymentDetails,
    expected_due: Decimal | None = None,
) -> Payment:
    """Apply a locked advance's unapplied payments to a locked final invoice, within the due."""
    amount = _checked_amount(docs, amount, expected_due)
    require_capacity(payment_type=PaymentType.ADVANCE, docs=docs, change=amount, recording=True)
    payment = _payment_write(
        docs, type=PaymentType.ADVANCE, amount=amount, details=details, actor=actor
    )
    _audit_recorded(actor, payment)
    return payment


def balance_payment_record(
    *,
    docs: LockedDocuments,
    actor: Actor,
    amount,
    details: PaymentDetails,
    expected_due: Decimal | None = None,
    ledger_reason: str = "",
) -> Payment:
    """Use the customer's money balance on a locked invoice (within the due and the
    balance), or credit a locked credit note's remaining credit to the balance.

    The customer is locked here unless the caller holds it (`docs.customer`); the ledger
    moves with the payment.
    """
    amount = _checked_amount(docs, amount, expected_due, with_customer=True)
    require_capacity(
        payment_type=PaymentType.CUSTOMER_BALANCE, docs=docs, change=amount, recording=True
    )
    payment = _payment_write(
        docs, type=PaymentType.CUSTOMER_BALANCE, amount=amount, details=details, actor=actor
    )
    balance_move(
        payment=payment, customer=docs.customer, change=amount, actor=actor, reason=ledger_reason
    )
    _audit_recorded(actor, payment)
    return payment


def _checked_amount(
    docs: LockedDocuments, amount, expected_due: Decimal | None, *, with_customer: bool = False
) -> Decimal:
    """The checks every recording opens with, on the fresh documents: one party, one
    currency, a valid amount, and the due the caller saw."""
    primary = docs.primary
    require_same_party(
        primary,
        docs.credit_note,
        docs.advance_invoice,
        param="credit_note_id" if docs.credit_note else "advance_invoice_id",
    )
    amount = check_amount(amount, primary.currency)
    if with_customer and docs.customer is None:
        # The customer comes after the documents in the lock order.
        docs.customer = lock_documents(customer_id=primary.customer_id).customer
    require_due_unchanged(primary, expected_due)
    return amount


def _payment_write(
    docs: LockedDocuments, *, type: str, amount: Decimal, details: PaymentDetails, actor: Actor
) -> Payment:
    primary = docs.primary
    payment = Payment(
        entity_id=primary.entity_id,
        customer_id=primary.customer_id,
        invoice=docs.invoice,
        credit_note=docs.credit_note,
        advance_invoice=docs.advance_invoice,
        type=type,
        status=PaymentStatus.SUCCEEDED,
        amount=amount,
        currency=primary.currency,
        date=details.date,
        reference=details.reference,
        note=details.note,
        metadata=details.metadata,
        created_by_id=actor.user_id,
    )
    payment.save()
    payment_money_changed.send(sender=Payment, payment=payment, documents=docs)
    return payment


def _audit_recorded(actor: Actor, payment: Payment) -> None:
    audit_payment(
        actor=actor,
        payment=payment,
        action="payment.recorded",
        after=snapshot(payment, PAYMENT_AUDIT_FIELDS),
    )


def balance_move(
    *,
    payment: Payment,
    customer: Customer,
    change: Decimal,
    actor: Actor,
    kind: str | None = None,
    reason: str = "",
) -> None:
    """Post what a `customer_balance` payment's change of `change` means to the locked
    customer's ledger: a credit note's credit goes into the balance, a use comes out of it."""
    into_balance = payment.invoice_id is None
    if kind is None:
        kind = (
            BalanceTransaction.Kind.CREDIT_NOTE
            if into_balance
            else BalanceTransaction.Kind.INVOICE_APPLICATION
        )
    balance_post(
        customer=customer,
        amount=change if into_balance else -change,
        kind=kind,
        actor=actor,
        invoice_id=payment.invoice_id or "",
        credit_note_id=payment.credit_note_id or "",
        payment_id=payment.pk,
        reason=reason,
    )


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
