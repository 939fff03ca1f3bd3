"""`GET …/{id}/pdf` of invoices, advance invoices and credit notes: the document as a PDF.

Found exactly as the resource's own GET finds it (the key's entity; another entity's id is
a 404), then `payments.documents.document_pdf`: an issued document's kept PDF, a draft's
fresh one.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer

from api.framework.base import ENTITY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES
from api.framework.renderers import DecimalJSONRenderer
from api.resources.credit_notes import credit_notes_of
from api.resources.invoices import AdvanceKindMixin, InvoiceKindMixin
from config.downloads import pdf_download
from payments.documents import document_pdf


class PDFRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


PDF_DESCRIPTION = (
    "The document as a PDF attachment named after its number (`INV-2026-00001.pdf`). An "
    "issued document's PDF is rendered once and kept: every later download returns the same "
    "bytes, whatever changes afterwards. A draft is rendered each time, marked DRAFT, "
    "without a number."
)
PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
    **ERROR_RESPONSES,
}


class DocumentPdfView(SettleAPIView):
    """Answers a PDF, or the API's JSON error format."""

    renderer_classes = [PDFRenderer, DecimalJSONRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and getattr(response, "data", None) is not None:
            response.accepted_renderer = DecimalJSONRenderer()
            response.accepted_media_type = DecimalJSONRenderer.media_type
        return response

    def document(self, pk):
        raise NotImplementedError

    def get(self, request, pk):
        filename, content = document_pdf(self.document(pk))
        return pdf_download(filename, content)


class InvoicePdfView(InvoiceKindMixin, DocumentPdfView):
    scope_resource = "invoices"

    def document(self, pk):
        return self.find(self.documents().select_related("customer", "entity"), pk, self.noun)

    @extend_schema(
        operation_id="get_invoice_pdf",
        summary="Download an invoice as PDF",
        description=PDF_DESCRIPTION,
        parameters=[ENTITY_HEADER],
        responses=PDF_RESPONSES,
    )
    def get(self, request, pk):
        return super().get(request, pk)


class AdvanceInvoicePdfView(AdvanceKindMixin, InvoicePdfView):
    @extend_schema(
        operation_id="get_advance_invoice_pdf",
        summary="Download an advance invoice as PDF",
        description=PDF_DESCRIPTION,
        parameters=[ENTITY_HEADER],
        responses=PDF_RESPONSES,
    )
    def get(self, request, pk):
        return super().get(request, pk)


class CreditNotePdfView(DocumentPdfView):
    scope_resource = "credit_notes"

    def document(self, pk):
        credit_notes = credit_notes_of(self.entity.pk).select_related(
            "customer", "entity", "invoice"
        )
        return self.find(credit_notes, pk, "credit note")

    @extend_schema(
        operation_id="get_credit_note_pdf",
        summary="Download a credit note as PDF",
        description=PDF_DESCRIPTION,
        parameters=[ENTITY_HEADER],
        responses=PDF_RESPONSES,
    )
    def get(self, request, pk):
        return super().get(request, pk)
