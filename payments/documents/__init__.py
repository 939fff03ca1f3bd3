"""PDF documents: invoices, advance invoices, credit notes and payment receipts."""

from payments.documents.pdf import document_filename, document_pdf, document_pdf_render

__all__ = ["document_filename", "document_pdf", "document_pdf_render"]
