"""Issuing, voiding and writing off invoices: the steps that depend on payment rows.

Numbering and status rules live in `invoices.services`; here we add what needs
the payments: applying the customer's balance at issue, and refusing to void
an invoice with money on it.
"""

from django.db.models import F, Q

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import InvalidState
from billing.locking import money_transaction
from billing.models import BalanceTransaction
from billing.services import balance_post
from invoices.models import Invoice
from invoices.services import invoice_finalize, invoice_mark_uncollectible, invoice_mark_void
from payments.models import RESERVING_STATUSES, Payment, PaymentStatus, PaymentType
from payments.services.documents import lock_invoice
from payments.services.recording import PAYMENT_AUDIT_FIELDS


def invoice_issue(*, invoice: Invoice, actor: Actor, apply_balance: bool = True) -> Invoice:
    """Number and issue a draft; then use the customer's positive balance on it unless opted out.

    The balance application is an ordinary `customer_balance` payment, shown on
    the invoice as "Applied balance", in the same transaction as the issue.
    """
    with money_transaction():
        docs = lock_invoice(invoice, with_customer=True)
        locked = docs.primary
        invoice_finalize(invoice=locked, actor=actor)
        customer = docs.customer
        usable = min(customer.balance, locked.total_due)
        if (
            apply_balance
            and not locked.is_advance
            and customer.currency == locked.currency
            and usable > 0
        ):
            payment = Payment(
                entity_id=locked.entity_id,
                customer_id=customer.pk,
                invoice=locked,
                type=PaymentType.CUSTOMER_BALANCE,
                status=PaymentStatus.SUCCEEDED,
                amount=usable,
                currency=locked.currency,
                note="Applied balance",
                created_by_id=actor.user_id,
            )
            payment.save()
            balance_post(
                customer=customer,
                amount=-usable,
                kind=BalanceTransaction.Kind.INVOICE_APPLICATION,
                actor=actor,
                invoice_id=locked.pk,
                payment_id=payment.pk,
                reason=f"Applied to {locked.number}",
            )
            audit_record(
                actor=actor,
                entity_id=payment.entity_id,
                action="payment.recorded",
                obj=payment,
                invoice_id=locked.pk,
                customer_id=customer.pk,
                after=snapshot(payment, PAYMENT_AUDIT_FIELDS),
            )
            locked.refresh_from_db()
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


def invoice_write_off(*, invoice: Invoice, actor: Actor, reason: str) -> Invoice:
    """Mark what is still due as uncollectible (the invoice can still be paid later)."""
    with money_transaction():
        docs = lock_invoice(invoice)
        return invoice_mark_uncollectible(invoice=docs.primary, reason=reason, actor=actor)
