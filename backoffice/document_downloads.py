"""The back office's "Download PDF" buttons: invoices, advance invoices, credit notes, receipts.

Each finds its document as the page it sits on does (the user's entities only; another
entity's is a 404) and answers `payments.documents.document_pdf`.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404

from backoffice.flow_base import get_invoice, get_payment
from billing.errors import InvalidState
from config.downloads import pdf_download
from payments.documents import document_pdf


def _download(document):
    try:
        return pdf_download(*document_pdf(document))
    except InvalidState as error:  # a payment that has no receipt (failed, deleted…)
        raise Http404(error.message) from error


def _viewable(model_admin, request, object_id):
    row = model_admin.get_object(request, unquote(object_id))
    if row is None:
        raise Http404("Not found.")
    if not model_admin.has_view_permission(request, row):
        raise PermissionDenied
    return row


def invoice_pdf_view(model_admin, request, object_id):
    return _download(get_invoice(model_admin, request, object_id))


def invoice_payment_receipt_view(model_admin, request, object_id, payment_id):
    return _download(get_payment(get_invoice(model_admin, request, object_id), payment_id))


def credit_note_pdf_view(model_admin, request, object_id):
    return _download(_viewable(model_admin, request, object_id))


def payment_receipt_view(model_admin, request, object_id):
    return _download(_viewable(model_admin, request, object_id))
