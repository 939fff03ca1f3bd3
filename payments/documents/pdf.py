"""The PDF of an invoice, advance invoice, credit note or payment receipt.

`document_pdf` is the one door: an issued document's PDF is rendered once and kept in
`StoredPdf`, so what the customer received never changes (not with the entity's address,
not with a later payment, not with a newer template); a draft is rendered each time and
never kept. The first render after issue is queued by the issue services
(`payments.tasks.store_document_pdf`); whoever asks before the worker ran it renders it.
"""

import hashlib
import re

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from billing.errors import InvalidState
from invoices.models import CreditNote, Invoice, InvoiceStatus, StoredPdf
from payments.documents.content import credit_note_context, invoice_context, receipt_context
from payments.models import Payment, PaymentStatus

TEMPLATES = {Invoice: "pdf/invoice.html", CreditNote: "pdf/credit_note.html"}
RECEIPT_TEMPLATE = "pdf/receipt.html"


def _inline_only_fetcher() -> URLFetcher:
    """Only inlined `data:` resources: a document never makes the server fetch a URL or file."""
    return URLFetcher(allowed_protocols=("data",))


def _safe_filename(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "document"


def document_filename(document) -> str:
    """`INV-2026-00001.pdf`; `draft-inv_….pdf` before a number; `receipt-pmt_….pdf`."""
    if isinstance(document, Payment):
        return f"receipt-{_safe_filename(document.pk)}.pdf"
    if isinstance(document, Invoice) and document.status == InvoiceStatus.DRAFT:
        return f"draft-{_safe_filename(document.pk)}.pdf"
    return f"{_safe_filename(document.number)}.pdf"


def _check_renderable(document) -> None:
    if isinstance(document, Payment) and (
        document.status != PaymentStatus.SUCCEEDED or document.is_deleted
    ):
        raise InvalidState(
            "Only a succeeded payment has a receipt.", code="receipt_unavailable", param="id"
        )


def _is_stored(document) -> bool:
    """Issued documents and receipts are kept; a draft invoice changes until it is issued."""
    return not (isinstance(document, Invoice) and document.status == InvoiceStatus.DRAFT)


def document_language(document) -> str:
    """The language a document is written in: its customer's (else the entity's)."""
    return document.customer.document_language


def document_html(document) -> str:
    """The document's HTML, labels, money and dates in its customer's language."""
    with translation.override(document_language(document)):
        return _document_html(document)


def _document_html(document) -> str:
    if isinstance(document, Payment):
        return render_to_string(RECEIPT_TEMPLATE, receipt_context(document))
    if isinstance(document, Invoice):
        return render_to_string(TEMPLATES[Invoice], invoice_context(document))
    return render_to_string(TEMPLATES[CreditNote], credit_note_context(document))


def document_pdf_render(document) -> bytes:
    """Render a fresh PDF (nothing stored). Seconds for long documents: not in a transaction."""
    _check_renderable(document)
    return HTML(string=document_html(document), url_fetcher=_inline_only_fetcher()).write_pdf()


def document_pdf(document) -> tuple[str, bytes]:
    """(filename, PDF bytes) of an invoice, advance invoice, credit note or a payment's receipt.

    Issued documents and receipts: the stored PDF, rendered and stored first if missing
    (two concurrent first downloads both render; the first insert wins and both return
    its bytes). Drafts: rendered each time with a DRAFT watermark.
    Raises InvalidState for a payment that has no receipt (not succeeded, deleted).
    """
    _check_renderable(document)
    if not _is_stored(document):
        return document_filename(document), document_pdf_render(document)
    stored = StoredPdf.objects.filter(pk=document.pk).only("filename", "content").first()
    if stored is None:
        stored = document_pdf_store(document)
    return stored.filename, bytes(stored.content)


def document_pdf_store(document) -> StoredPdf:
    """Render and keep an issued document's PDF unless one is kept already; the kept one."""
    existing = StoredPdf.objects.filter(pk=document.pk).first()
    if existing is not None:
        return existing
    content = document_pdf_render(document)
    StoredPdf.objects.bulk_create(
        [
            StoredPdf(
                document_id=document.pk,
                entity_id=document.entity_id,
                filename=document_filename(document),
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        ],
        ignore_conflicts=True,
    )
    return StoredPdf.objects.get(pk=document.pk)


def pdf_document_find(document_id: str):
    """The issued invoice, advance invoice or credit note with that id, or None."""
    if document_id.startswith("cn_"):
        credit_notes = CreditNote.objects.select_related("entity", "customer", "invoice")
        return credit_notes.filter(pk=document_id).first()
    invoices = Invoice.objects.select_related("entity", "customer")
    return invoices.exclude(status=InvoiceStatus.DRAFT).filter(pk=document_id).first()
