"""The member's documents as PDFs: their invoices, credit notes and payment receipts only.

Read through `portal.selectors`, so another customer's document is a 404 like any other
unknown id.
"""

from django.shortcuts import get_object_or_404

from config.downloads import pdf_download
from payments.documents import document_pdf
from portal.selectors import member_credit_notes, member_invoice, member_receipt
from portal.views.common import member_required


@member_required
def invoice_pdf(request, invoice_id):
    return pdf_download(*document_pdf(member_invoice(request.user, invoice_id)))


@member_required
def credit_note_pdf(request, credit_note_id):
    credit_note = get_object_or_404(member_credit_notes(request.user), pk=credit_note_id)
    return pdf_download(*document_pdf(credit_note))


@member_required
def payment_receipt_pdf(request, payment_id):
    return pdf_download(*document_pdf(member_receipt(request.user, payment_id)))
