"""Background work on Django's task framework (database-backed queue, `manage.py db_worker`).

Tasks take ids, re-read rows, and act through the same services as everyone else.
"""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from billing.actors import Actor
from payments.models import Payment, PaymentStatus

logger = logging.getLogger(__name__)
RECONCILE_AFTER = timedelta(minutes=2)


@task()
def send_payment_receipt(payment_id: str) -> bool:
    """E-mail the customer a receipt for a succeeded payment (after the payment committed)."""
    payment = (
        Payment.objects.select_related("customer", "invoice", "advance_invoice", "entity")
        .filter(pk=payment_id, status=PaymentStatus.SUCCEEDED, is_deleted=False)
        .first()
    )
    if payment is None or not payment.customer.email:
        return False
    document = payment.invoice or payment.advance_invoice or payment.credit_note
    context = {"payment": payment, "document": document, "entity": payment.entity}
    send_mail(
        subject=f"Receipt: {payment.amount} {payment.currency} received by {payment.entity.name}",
        message=render_to_string("payments/email/receipt.txt", context),
        from_email=None,
        recipient_list=[payment.customer.email],
    )
    return True


@task()
def reconcile_payment(payment_id: str) -> str:
    """Settle one gateway charge left pending by asking the gateway."""
    from payments.services import payment_reconcile

    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "missing"
    return payment_reconcile(payment=payment, actor=Actor.task("reconcile")).status


@task()
def reconcile_pending_payments() -> int:
    """Sweep: every gateway charge pending for longer than a grace period is reconciled."""
    from payments.services import payment_reconcile

    cutoff = timezone.now() - RECONCILE_AFTER
    stuck = Payment.objects.filter(
        status=PaymentStatus.PENDING, updated_at__lt=cutoff, is_deleted=False
    ).exclude(gateway="")
    count = 0
    for payment in stuck.iterator():
        payment_reconcile(payment=payment, actor=Actor.task("reconcile"))
        count += 1
    return count
