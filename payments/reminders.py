"""Reminders of overdue invoices, on each entity's schedule (`Entity.reminder_days`).

The scheduler runs `reminders_send_due` every hour; it is safe to run at any time and any
number of times. An invoice gets the reminder of the latest step its days overdue have
reached, once: the step is written (unique per invoice and step) under the invoice's lock
before the e-mail goes, so two runs at once cannot both send it, and a scheduler that was
down for a week sends one reminder, not three. Reminders stop once nothing is due, the
invoice is voided or written off, or its reminders or its customer's are paused.
"""

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from invoices.models import Invoice, InvoiceReminder, InvoiceStatus
from payments.emails import reminder_send
from payments.models import ChargeRetry, ChargeRetryStatus

REMINDED_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)


def reminder_step_due(invoice: Invoice, today: date, last_step: int) -> int | None:
    """The schedule's step (1-based) that is due for the invoice today, if any."""
    if (
        invoice.status not in REMINDED_STATUSES
        or invoice.due_date is None
        or invoice.total_due <= 0
        or invoice.reminders_paused
        or invoice.customer.reminders_paused
        or invoice.customer.archived_at is not None
    ):
        return None
    overdue = (today - invoice.due_date).days
    reached = [step for step, days in enumerate(invoice.entity.reminder_days, 1) if overdue >= days]
    if not reached or reached[-1] <= last_step:
        return None
    return reached[-1]


def reminder_candidates(today: date):
    """Invoices that may owe a reminder today, with the last step each was sent."""
    return (
        Invoice.objects.filter(
            status__in=REMINDED_STATUSES,
            due_date__lt=today,
            total_due__gt=0,
            reminders_paused=False,
            customer__reminders_paused=False,
            customer__archived_at__isnull=True,
        )
        .exclude(customer__email="")
        .exclude(entity__reminder_days=[])
        .select_related("entity", "customer")
        .annotate(last_step=Max("reminders__step"))
        .order_by("due_date", "id")
    )


def invoice_remind(*, invoice_id: str, today: date) -> InvoiceReminder | None:
    """Send the invoice's due reminder, if one still is once its row is locked."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("entity", "customer__entity")
            .get(pk=invoice_id)
        )
        last_step = invoice.reminders.aggregate(last=Max("step"))["last"] or 0
        step = reminder_step_due(invoice, today, last_step)
        if step is None:
            return None
        reminder = InvoiceReminder.objects.create(
            invoice=invoice, step=step, days_overdue=(today - invoice.due_date).days
        )
    retry = (
        ChargeRetry.objects.filter(invoice_id=invoice.pk, status=ChargeRetryStatus.SCHEDULED)
        .values_list("due_at", flat=True)
        .first()
    )
    email = reminder_send(invoice=invoice, days_overdue=reminder.days_overdue, retry_at=retry)
    if email is not None:
        InvoiceReminder.objects.filter(pk=reminder.pk).update(email_id=email.pk)
    return reminder


def reminders_send_due(*, today: date | None = None) -> int:
    """Send every reminder due today; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for invoice in reminder_candidates(today).iterator(chunk_size=500):
        if reminder_step_due(invoice, today, invoice.last_step or 0) is None:
            continue
        if invoice_remind(invoice_id=invoice.pk, today=today) is not None:
            sent += 1
    return sent
