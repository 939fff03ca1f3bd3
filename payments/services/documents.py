"""Finding and locking the documents a money operation touches, and the checks they share."""

from dataclasses import dataclass
from decimal import Decimal

from billing.errors import (
    Conflict,
    CurrencyMismatch,
    InvalidAmount,
    InvalidState,
    LimitExceeded,
    NotFound,
    ValidationError,
)
from billing.formats import format_money
from billing.locking import lock_rows
from billing.models import Customer, Entity
from billing.money import MAX_AMOUNT, ZERO, MoneySum
from invoices.models import CreditNote, CreditNoteStatus, Invoice, InvoiceKind, InvoiceStatus
from payments.models import Payment, PaymentType, Refund, RefundStatus


@dataclass
class LockedDocuments:
    """Fresh, locked rows for one operation (any of them may be absent)."""

    invoice: Invoice | None = None
    advance_invoice: Invoice | None = None
    credit_note: CreditNote | None = None
    customer: Customer | None = None
    payments: dict | None = None

    @property
    def primary(self):
        return self.invoice or self.advance_invoice or self.credit_note


def find_document(model, entity: Entity | str, document_id: str | None, param: str, **filters):
    """The entity's document with that id, or a NotFound naming the parameter."""
    if not document_id:
        return None
    entity_id = getattr(entity, "pk", entity)
    row = model.objects.filter(pk=str(document_id), entity_id=entity_id, **filters).first()
    if row is None:
        raise NotFound(
            f"No such {param.removesuffix('_id').replace('_', ' ')}: {document_id}", param=param
        )
    return row


def find_invoice(entity, invoice_id, param="invoice_id") -> Invoice | None:
    return find_document(Invoice, entity, invoice_id, param, kind=InvoiceKind.INVOICE)


def find_advance_invoice(entity, advance_id, param="advance_invoice_id") -> Invoice | None:
    return find_document(Invoice, entity, advance_id, param, kind=InvoiceKind.ADVANCE)


def find_credit_note(entity, credit_note_id, param="credit_note_id") -> CreditNote | None:
    return find_document(CreditNote, entity, credit_note_id, param)


def lock_documents(
    *,
    invoice_id=None,
    advance_invoice_id=None,
    credit_note_id=None,
    customer_id=None,
    payment_ids=(),
) -> LockedDocuments:
    """Lock in the global order (invoice, advance, credit note, customer, payments)."""
    invoices, advances, credit_notes, customers, payments = lock_rows(
        (Invoice, [invoice_id]),
        (Invoice, [advance_invoice_id]),
        (CreditNote, [credit_note_id]),
        (Customer, [customer_id]),
        (Payment, list(payment_ids)),
    )
    return LockedDocuments(
        invoice=invoices.get(invoice_id),
        advance_invoice=advances.get(advance_invoice_id),
        credit_note=credit_notes.get(credit_note_id),
        customer=customers.get(customer_id),
        payments=payments,
    )


def lock_payment(payment: Payment, *, with_customer: bool = False):
    """Lock a payment's documents (and its customer when the balance moves), then the payment.

    Returns the locked documents and the fresh, locked payment row.
    """
    docs = lock_documents(
        invoice_id=payment.invoice_id,
        advance_invoice_id=payment.advance_invoice_id,
        credit_note_id=payment.credit_note_id,
        customer_id=payment.customer_id if with_customer else None,
        payment_ids=[payment.pk],
    )
    return docs, docs.payments[payment.pk]


def lock_invoice(invoice: Invoice, *, with_customer: bool = False) -> LockedDocuments:
    """Lock an invoice or advance invoice (and its customer): `.primary` is the fresh row.

    A draft deleted since it was read is a NotFound, not a missing row further on.
    """
    docs = lock_documents(
        invoice_id=None if invoice.is_advance else invoice.pk,
        advance_invoice_id=invoice.pk if invoice.is_advance else None,
        customer_id=invoice.customer_id if with_customer else None,
    )
    if docs.primary is None:
        raise NotFound("This invoice no longer exists (its draft was deleted).")
    return docs


def lock_owned_documents(
    *, entity, invoice_id=None, advance_invoice_id=None, credit_note_id=None
) -> LockedDocuments:
    """Lock the documents named by a request (global order) and check they are the entity's.

    One locking read per document instead of a read then a lock: the common path of
    recording a payment. Another entity's document, or one of the wrong kind, is a NotFound.
    """
    docs = lock_documents(
        invoice_id=invoice_id, advance_invoice_id=advance_invoice_id, credit_note_id=credit_note_id
    )
    entity_id = getattr(entity, "pk", entity)
    checks = (
        (docs.invoice, invoice_id, "invoice_id", InvoiceKind.INVOICE),
        (docs.advance_invoice, advance_invoice_id, "advance_invoice_id", InvoiceKind.ADVANCE),
        (docs.credit_note, credit_note_id, "credit_note_id", None),
    )
    for row, wanted, param, kind in checks:
        if not wanted:
            continue
        if row is None or row.entity_id != entity_id or (kind and row.kind != kind):
            what = param.removesuffix("_id").replace("_", " ")
            raise NotFound(f"No such {what}: {str(wanted)[:64]}", param=param)
    return docs


def advance_unreserved(advance: Invoice) -> Decimal:
    """An advance's paid money not yet applied, less refunds of that money still in flight."""
    in_flight = (
        Refund.objects.filter(
            payment__advance_invoice_id=advance.pk,
            payment__is_deleted=False,
            status=RefundStatus.PENDING,
        )
        .exclude(payment__type=PaymentType.ADVANCE)
        .aggregate(s=MoneySum("amount"))["s"]
        or ZERO
    )
    return advance.available_to_apply - in_flight


def require_payable(invoice: Invoice, param: str = "invoice_id") -> None:
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        raise InvalidState(
            f"Invoice {invoice.number or invoice.pk} is {invoice.status}; "
            "payments can only be recorded on issued invoices.",
            code="invoice_not_payable",
            param=param,
        )


def require_due_unchanged(document: Invoice, expected_due: Decimal | None) -> None:
    """The caller decided on the amount seeing `expected_due` (a form opened earlier): if the
    due moved since, under the lock, nothing is written and the new figure is told."""
    if expected_due is None or document.total_due == expected_due:
        return
    currency = document.currency
    raise Conflict(
        f"The amount due changed from {format_money(expected_due, currency)} to "
        f"{format_money(document.total_due, currency)} since this page was opened. "
        "Check the amount and submit again.",
        code="stale_form",
        param="amount",
    )


def require_open_credit_note(credit_note: CreditNote) -> None:
    if credit_note.status != CreditNoteStatus.ISSUED:
        raise InvalidState(
            f"Credit note {credit_note.number} is {credit_note.status}.",
            code="credit_note_not_open",
            param="credit_note_id",
        )


def require_same_party(primary, *others, param: str) -> None:
    """Every document of one operation belongs to one customer and one currency."""
    for other in others:
        if other is None:
            continue
        if other.customer_id != primary.customer_id:
            raise ValidationError(
                "Both documents must belong to the same customer.",
                code="customer_mismatch",
                param=param,
            )
        if other.currency != primary.currency:
            raise CurrencyMismatch(
                f"Currencies differ ({primary.currency} and {other.currency}).", param=param
            )


def require_within(
    amount: Decimal,
    available: Decimal,
    what: str,
    currency: str,
    param: str = "amount",
    code: str = "amount_exceeds_available",
) -> None:
    if amount > available:
        raise LimitExceeded(
            f"The amount {amount} {currency} exceeds {what} ({max(available, ZERO)} {currency}).",
            code=code,
            param=param,
        )


def require_representable(total: Decimal, param: str = "amount") -> None:
    """A document total must stay below 10^13, the limit of every money column."""
    if total >= MAX_AMOUNT:
        raise InvalidAmount(
            "The document's total paid would exceed 10^13.", code="amount_too_large", param=param
        )
