"""The invoice operations that depend on money: issuing with the customer's balance applied,
and voiding only an invoice no money sits on.

The document's own steps (numbering, status, write-off) are in `invoices.services.issuing`;
these build on them, so the dependency runs payments → invoices.
"""

from django.db.models import F, Q

from billing.actors import Actor
from billing.errors import InvalidState
from billing.locking import money_transaction
from invoices.models import Invoice
from invoices.services.issuing import invoice_finalize, invoice_mark_void
from payments.models import RESERVING_STATUSES, Payment, PaymentStatus
from payments.queue import document_pdf_enqueue
from payments.services.documents import lock_invoice
from payments.services.recording import PaymentDetails, balance_payment_record


def invoice_issue(
    *, invoice: Invoice, actor: Actor, apply_balance: bool = True, due_date=None
) -> Invoice:
    """Number and issue a draft; then use the customer's positive balance on it unless opted out.

    `due_date` overrides the one the draft has or its payment terms give.

    The balance application is an ordinary `customer_balance` payment made by the
    balance service on the rows held here, shown on the invoice as "Applied balance",
    in the same transaction as the issue. Its PDF is queued to be rendered and kept
    once the issue commits (`payments.documents`).
    """
    with money_transaction():
        docs = lock_invoice(invoice, with_customer=True)
        locked = docs.primary
        invoice_finalize(invoice=locked, actor=actor, due_date=due_date)
        customer = docs.customer
        usable = min(customer.balance, locked.total_due)
        if (
            apply_balance
            and not locked.is_advance
            and customer.currency == locked.currency
            and usable > 0
        ):
            balance_payment_record(
                docs=docs,
                actor=actor,
                amount=usable,
                details=PaymentDetails(note="Applied balance"),
                ledger_reason=f"Applied to {locked.number}",
            )
        document_pdf_enqueue(locked.pk)
    return locked


def invoice_void(*, invoice: Invoice, actor: Actor, reason: str) -> Invoice:
    """Void an invoice on which nothing is settled or in flight."""
    with money_transaction():
        docs = lock_invoice(invoice)
        locked = docs.primary
        field = "advance_invoice_id" if locked.is_advance else "invoice_id"
        # A fully refunded payment settles nothing; one in flight may still settle.
        active = (
            Payment.objects.filter(**{field: locked.pk}, is_deleted=False)
            .filter(
                Q(status=PaymentStatus.SUCCEEDED, amount__gt=F("amount_refunded"))
                | Q(status__in=RESERVING_STATUSES)
            )
            .exists()
        )
        if active:
            raise InvalidState(
                "This invoice has payments; refund or delete them before voiding it.",
                code="invoice_has_payments",
            )
        return invoice_mark_void(invoice=locked, reason=reason, actor=actor)
