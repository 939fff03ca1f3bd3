"""`invoice.overdue`: written once per invoice, by a periodic job, when an issued invoice
is past its due date with an amount due. The announcement row (unique per invoice)
makes it once, even with two workers running the job."""

from django.db import transaction
from django.utils import timezone

from billing.events import event_record
from invoices.models import Invoice, InvoiceStatus
from webhooks.models import InvoiceOverdueAnnouncement

BATCH = 500


def overdue_invoices_announce(*, today=None) -> int:
    today = today or timezone.localdate()
    announced = InvoiceOverdueAnnouncement.objects.values("invoice_id")
    candidates = (
        Invoice.objects.filter(
            status__in=(InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID),
            due_date__lt=today,
            total_due__gt=0,
        )
        .exclude(pk__in=announced)
        .order_by("due_date", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    count = 0
    for invoice_id in list(candidates):
        with transaction.atomic():
            _, created = InvoiceOverdueAnnouncement.objects.get_or_create(invoice_id=invoice_id)
            if created:
                invoice = Invoice.objects.get(pk=invoice_id)
                event_record(entity_id=invoice.entity_id, type="invoice.overdue", obj=invoice)
                count += 1
    return count
