"""Streamed CSV downloads, the same from the API and the back office."""

from django.http import StreamingHttpResponse
from django.utils import timezone


def csv_download(lines, filename_prefix: str) -> StreamingHttpResponse:
    """Stream CSV `lines` as an attachment named `<prefix>-<UTC time>.csv`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{filename_prefix}-{stamp}.csv"'
    return response
