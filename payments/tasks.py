"""Background work on Django's task framework (database-backed queue, `manage.py db_worker`).

Tasks take ids, re-read rows, and act through the same services as everyone else.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from billing.actors import Actor
from billing.money import ZERO
from payments.documents.pdf import document_pdf_store, pdf_document_find
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from payments.queue import enqueue_after
from payments.retention import webhook_events_prune
from payments.services.authentication import (
    payment_authentication_expire,
    payment_cancel_unneeded,
)
from payments.services.charging import payment_reconcile
from payments.services.gateway_operation import RECONCILE_AFTER
from payments.services.refunding import refund_reconcile
from payments.services.retries import retry_run, retry_sweep_due

logger = logging.getLogger(__name__)
RECONCILE_ATTEMPTS = 8  # a pending charge is asked about after 2, 4, 8 … 256 minutes


def _payment_to_tell(payment_id: str, status: str) -> Payment | None:
    """The payment, if it is still in `status` and its customer has an e-mail address."""
    payment = (
        Payment.objects.select_related("customer", "invoice", "advance_invoice", "entity")
        .filter(pk=payment_id, status=status, is_deleted=False)
        .first()
    )
    return payment if payment is not None and payment.customer.email else None


def _email_customer(payment: Payment, *, subject: str, template: str, **context) -> None:
    context.update(payment=payment, entity=payment.entity)
    send_mail(
        subject=subject,
        message=render_to_string(template, context),
        from_email=None,
        recipient_list=[payment.customer.email],
    )


@task()
def send_payment_receipt(payment_id: str) -> bool:
    """E-mail the customer a receipt for a succeeded payment (after the payment committed)."""
    payment = _payment_to_tell(payment_id, PaymentStatus.SUCCEEDED)
    if payment is None:
        return False
    receipt = reverse("portal:payment-receipt", args=[payment.pk])
    due = payment.invoice.total_due if payment.invoice else None
    _email_customer(
        payment,
        subject=f"Receipt: {payment.amount} {payment.currency} received by {payment.entity.name}",
        template="payments/email/receipt.txt",
        document=payment.invoice or payment.advance_invoice or payment.credit_note,
        # Never a negative amount due: money beyond it is said as such.
        still_due=None if due is None else max(due, ZERO.quantize(due)),
        beyond_due=None if due is None or due >= 0 else -due,
        receipt_url=f"{settings.SETTLE_PUBLIC_URL.rstrip('/')}{receipt}",
    )
    return True


@task()
def store_document_pdf(document_id: str) -> bool:
    """Render and keep an issued invoice's or credit note's PDF, queued by its issue.

    Idempotent: a PDF already kept (by an earlier run or a first download) stays as it is.
    """
    document = pdf_document_find(document_id)
    if document is None:
        return False
    document_pdf_store(document)
    return True


@task()
def send_authentication_request(payment_id: str) -> bool:
    """E-mail the card holder a link to confirm, in the portal, a charge their bank holds for
    3-D Secure (an off-session charge by the back office, the API or a retry)."""
    payment = _payment_to_tell(payment_id, PaymentStatus.REQUIRES_ACTION)
    if payment is None:
        return False
    document = payment.invoice or payment.advance_invoice
    path = reverse("portal:invoice", args=[document.pk])
    _email_customer(
        payment,
        subject=f"Please confirm your payment of {payment.amount} {payment.currency} "
        f"to {payment.entity.name}",
        template="payments/email/authentication_required.txt",
        document=document,
        url=f"{settings.SETTLE_PUBLIC_URL.rstrip('/')}{path}",
        expires_at=payment.created_at + authentication_ttl(),
    )
    return True


@task()
def cancel_unneeded_charge(payment_id: str) -> str:
    """Cancel at the gateway a waiting charge whose invoice was paid another way."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "missing"
    return payment_cancel_unneeded(payment=payment, actor=Actor.task("reconcile")).status


@task()
def reconcile_payment(payment_id: str, attempt: int = 0) -> str:
    """Settle one gateway charge left pending by asking the gateway; ask again later if needed.

    A charge still waiting for the card holder past `SETTLE_AUTHENTICATION_TTL_HOURS`
    is canceled, so its reserved amount is free to be paid another way.
    """
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "missing"
    actor = Actor.task("reconcile")
    payment = payment_reconcile(payment=payment, actor=actor)
    now = timezone.now()
    if payment.status == PaymentStatus.PENDING and attempt < RECONCILE_ATTEMPTS:
        enqueue_after(
            reconcile_payment, now + RECONCILE_AFTER * 2 ** (attempt + 1), payment_id, attempt + 1
        )
    elif payment.status == PaymentStatus.REQUIRES_ACTION:
        expires_at = payment.created_at + authentication_ttl()
        if now >= expires_at:
            payment = payment_authentication_expire(payment=payment, actor=actor)
        else:
            enqueue_after(reconcile_payment, expires_at, payment_id, attempt)
    return payment.status


def authentication_ttl() -> timedelta:
    return timedelta(hours=float(settings.SETTLE_AUTHENTICATION_TTL_HOURS))


@task()
def reconcile_refund(refund_id: str) -> str:
    """Settle one gateway refund left pending by asking the gateway."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None:
        return "missing"
    return refund_reconcile(refund=refund, actor=Actor.task("reconcile")).status


@task()
def reconcile_pending_payments() -> int:
    """Sweep: every gateway charge or refund pending past a grace period is reconciled.

    Run it from cron or a scheduler (`manage.py reconcile_payments`); it is
    idempotent, so overlapping runs are harmless.
    """
    actor = Actor.task("reconcile")
    cutoff = timezone.now() - RECONCILE_AFTER
    count = 0
    stuck_payments = Payment.objects.filter(
        status=PaymentStatus.PENDING, updated_at__lt=cutoff, is_deleted=False
    ).exclude(gateway="")
    for payment in stuck_payments.iterator():
        payment_reconcile(payment=payment, actor=actor)
        count += 1
    abandoned = Payment.objects.filter(
        status=PaymentStatus.REQUIRES_ACTION,
        created_at__lt=timezone.now() - authentication_ttl(),
        is_deleted=False,
    ).exclude(gateway="")
    for payment in abandoned.iterator():
        payment_authentication_expire(payment=payment, actor=actor)
        count += 1
    stuck_refunds = (
        Refund.objects.filter(status=RefundStatus.PENDING, updated_at__lt=cutoff)
        .exclude(payment__gateway="")
        .select_related("payment")
    )
    for refund in stuck_refunds.iterator():
        refund_reconcile(refund=refund, actor=actor)
        count += 1
    return count


@task()
def run_charge_retry(retry_id: int) -> str:
    """One scheduled automatic retry of a failed charge (queued with `run_after=due_at`)."""
    return retry_run(retry_id=retry_id)


@task()
def run_due_charge_retries() -> int:
    """Sweep: every automatic charge retry that is due and was not run (the queue lost it)."""
    return len(retry_sweep_due())


@task()
def prune_webhook_events() -> int:
    return webhook_events_prune()
