"""`GET /api/v1/payments/export`: the filtered payment list as CSV, streamed (`payments.exports`)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer

from api.framework.base import ENTITY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS
from api.framework.filtering import apply_filterset
from api.framework.listing import list_all
from api.framework.renderers import DecimalJSONRenderer
from api.resources.payments import PAYMENT_LIST_SPEC, PaymentFilter
from config.downloads import csv_download
from payments.exports import payment_csv_lines
from payments.models import Payment


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


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
        "every matching row, streamed as CSV. The last column, `kind`, tells money received "
        "(`money_received`) from `credit_applied`, `balance_used` and `advance_applied`.",
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
        rows = list_all(queryset, request.query_params, PAYMENT_LIST_SPEC)
        return csv_download(payment_csv_lines(rows), "payments")
