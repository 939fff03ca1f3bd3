"""Background work on Django's task framework (database-backed queue, `manage.py db_worker`).

Tasks take ids, re-read rows, and act through the same services as everyone else.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from billing.actors import Actor
from invoices.models import Invoice
from payments.documents.pdf import document_pdf_store, pdf_document_find
from payments.emails import (
    authentication_request_send,
    invoice_send,
    receipt_send,
    refund_notice_send,
)
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from payments.queue import enqueue_after
from payments.reminders import reminders_send_due
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
    """The payment, if it is still in `status`."""
    return (
        Payment.objects.select_related(
            "customer__entity", "invoice", "advance_invoice", "credit_note", "entity"
        )
        .filter(pk=payment_id, status=status, is_deleted=False)
        .first()
    )


@task()
def send_payment_receipt(payment_id: str) -> bool:
    """E-mail the customer a receipt for a succeeded payment (after the payment committed)."""
    payment = _payment_to_tell(payment_id, PaymentStatus.SUCCEEDED)
    return payment is not None and receipt_send(payment=payment) is not None


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
    expires_at = payment.created_at + authentication_ttl()
    return authentication_request_send(payment=payment, expires_at=expires_at) is not None


@task()
def send_refund_notice(refund_id: str) -> bool:
    """E-mail the customer that a refund succeeded (after it committed)."""
    refund = (
        Refund.objects.select_related("payment__customer__entity", "payment__invoice")
        .filter(pk=refund_id, status=RefundStatus.SUCCEEDED)
        .first()
    )
    return refund is not None and refund_notice_send(refund=refund) is not None


@task()
def send_invoice(invoice_id: str) -> bool:
    """E-mail an invoice just issued with "send on issue" (after the issue committed)."""
    invoice = Invoice.objects.select_related("customer__entity", "entity").filter(pk=invoice_id)
    invoice = invoice.first()
    return invoice is not None and invoice_send(invoice=invoice, actor_label="On issue") is not None


@task()
def send_due_reminders() -> int:
    """Send the reminders of overdue invoices that the entities' schedules say are due."""
    return reminders_send_due()


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
