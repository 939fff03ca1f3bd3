"""Reads the doors share about where money may go: the invoices a credit can pay, the credit
an invoice can use. The services check the same rules again under their locks."""

from django.db.models import F

from invoices.models import CreditNote, CreditNoteStatus, Invoice, InvoiceKind, InvoiceStatus


def open_invoices(document):
    """Final invoices of the document's customer, entity and currency with something payable."""
    return (
        Invoice.objects.filter(
            kind=InvoiceKind.INVOICE,
            entity_id=document.entity_id,
            customer_id=document.customer_id,
            currency=document.currency,
            status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID],
            total_due__gt=F("total_reserved"),
        )
        .exclude(pk=document.pk)
        .order_by("date", "number")
    )


def open_credit_documents(invoice: Invoice):
    """The customer's issued credit notes with credit left, and advances with unapplied
    payments, in the invoice's entity and currency."""
    same = {
        "entity_id": invoice.entity_id,
        "customer_id": invoice.customer_id,
        "currency": invoice.currency,
    }
    notes = CreditNote.objects.filter(
        **same, status=CreditNoteStatus.ISSUED, total_remaining__gt=0
    ).order_by("date", "number")
    advances = Invoice.objects.filter(
        **same, kind=InvoiceKind.ADVANCE, total_paid__gt=F("total_applied")
    ).order_by("date", "number")
    return notes, advances
