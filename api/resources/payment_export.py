"""`GET /api/v1/payments/export`: the filtered payment list as CSV, streamed.

Rows are read with a server-side cursor in chunks and written as they come,
so memory stays flat whatever the number of rows.
"""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer

from api.framework.base import ENTITY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS
from api.framework.fields import format_timestamp
from api.framework.filtering import apply_filterset
from api.framework.listing import list_all
from api.framework.renderers import DecimalJSONRenderer
from api.resources.payments import PAYMENT_LIST_SPEC, PaymentFilter
from payments.models import Payment

COLUMNS = [
    "id",
    "date",
    "type",
    "status",
    "amount",
    "amount_refunded",
    "currency",
    "invoice_id",
    "invoice_number",
    "credit_note_id",
    "advance_invoice_id",
    "customer_id",
    "customer_name",
    "reference",
    "note",
    "created_at",
]
EXPORTED_FIELDS = (
    "id",
    "date",
    "type",
    "status",
    "amount",
    "amount_refunded",
    "currency",
    "invoice_id",
    "credit_note_id",
    "advance_invoice_id",
    "customer_id",
    "reference",
    "note",
    "created_at",
)
CHUNK = 2000


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class _Echo:
    def write(self, value):
        return value


def _safe(value) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(queryset):
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for payment in queryset.iterator(chunk_size=CHUNK):
        yield writer.writerow(
            [
                payment.pk,
                payment.date.isoformat(),
                payment.type,
                payment.status,
                payment.amount,
                payment.amount_refunded,
                payment.currency,
                payment.invoice_id or "",
                getattr(payment.invoice, "number", "") if payment.invoice_id else "",
                payment.credit_note_id or "",
                payment.advance_invoice_id or "",
                payment.customer_id,
                _safe(payment.customer.name),
                _safe(payment.reference),
                _safe(payment.note),
                format_timestamp(payment.created_at),
            ]
        )


def payments_csv_response(queryset, filename_prefix: str = "payments") -> StreamingHttpResponse:
    queryset = queryset.select_related("invoice", "customer").only(
        *EXPORTED_FIELDS, "invoice__number", "customer__name"
    )
    response = StreamingHttpResponse(csv_rows(queryset), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{filename_prefix}-{stamp}.csv"'
    return response


class PaymentExportView(SettleAPIView):
    renderer_classes = [CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors keep the API's JSON error format even though success is CSV."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and getattr(response, "data", None) is not None:
            response.accepted_renderer = DecimalJSONRenderer()
            response.accepted_media_type = DecimalJSONRenderer.media_type
        return response

    @extend_schema(
        operation_id="export_payments",
        summary="Export payments as CSV",
        description="The same `query`, `search`, `order_by` and per-field filters as the list, "
        "every matching row, streamed as CSV.",
        parameters=[
            ENTITY_HEADER,
            *[p for p in LIST_PARAMETERS if p.name in ("query", "search", "order_by")],
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(str, description="CSV, one row a payment"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request):
        queryset = apply_filterset(
            PaymentFilter,
            Payment.objects.filter(entity_id=self.entity.pk, is_deleted=False),
            request.query_params,
        )
        return payments_csv_response(list_all(queryset, request.query_params, PAYMENT_LIST_SPEC))
