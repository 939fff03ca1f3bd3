"""Downloads, the same from the API, the back office and the portal: CSV streams, PDFs."""

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone


def csv_download(lines, filename_prefix: str) -> StreamingHttpResponse:
    """Stream CSV `lines` as an attachment named `<prefix>-<UTC time>.csv`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{filename_prefix}-{stamp}.csv"'
    return response


def pdf_download(filename: str, content: bytes) -> HttpResponse:
    """A PDF document as an attachment; never cached by a shared cache (it is a customer's)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
