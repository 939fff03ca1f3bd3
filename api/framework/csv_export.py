"""The base of every CSV export endpoint: a period, the list language, a stream, JSON errors.

A subclass names its `export` (a `billing.csv_export.CsvExport`, whose rows of the key's
entity it streams) and, where its resource has them, the list's `list_spec` (`query`,
`search`, `order_by`) and per-field `filterset`. Success is a streamed CSV; every
error keeps the API's JSON error format.
"""

from datetime import date

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer

from api.framework.base import ENTITY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS
from api.framework.filtering import apply_filterset
from api.framework.listing import list_all
from api.framework.renderers import DecimalJSONRenderer
from billing.errors import ValidationError
from billing.validation import parse_date_param
from config.downloads import csv_download

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from",
        {"type": "string", "format": "date"},
        description="Only rows whose date is on or after this day (YYYY-MM-DD, 1900–2999).",
    ),
    OpenApiParameter(
        "to",
        {"type": "string", "format": "date"},
        description="Only rows whose date is on or before this day (YYYY-MM-DD, 1900–2999).",
    ),
]
LIST_LANGUAGE_PARAMETERS = [p for p in LIST_PARAMETERS if p.name in ("query", "search", "order_by")]
# An export's answers: CSV on success, the JSON error format otherwise.
CSV_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(str, description="CSV, header first"),
    **ERROR_RESPONSES,
}


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def parse_period(params) -> tuple[date | None, date | None]:
    """`from` and `to` (YYYY-MM-DD, both days included, years 1900–2999); `from` after
    `to` is a 400 `invalid_period`."""
    start = parse_date_param(params.get("from"), "from")
    end = parse_date_param(params.get("to"), "to")
    if start and end and start > end:
        raise ValidationError("from must not be after to.", code="invalid_period", param="from")
    return start, end


def export_schema(*, operation_id: str, summary: str, description: str, parameters=()):
    """The OpenAPI operation of an export: CSV on success, the JSON error format otherwise."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[ENTITY_HEADER, *PERIOD_PARAMETERS, *parameters],
        responses=CSV_RESPONSES,
    )


class CsvExportView(SettleAPIView):
    renderer_classes = [CSVRenderer]
    export = None  # a billing.csv_export.CsvExport
    list_spec = None  # the resource's ListSpec, when it has a list language
    filterset = None  # the resource's per-field filters, if any
    default_order = "-created_at"  # without a list spec

    def rows(self):
        """The entity's rows this export may contain (before filters)."""
        return self.export.of_entities([self.entity.pk])

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors keep the API's JSON error format even though success is CSV."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and getattr(response, "data", None) is not None:
            response.accepted_renderer = DecimalJSONRenderer()
            response.accepted_media_type = DecimalJSONRenderer.media_type
        return response

    def export_response(self, request):
        """Validate every parameter, then stream; nothing is read before the input is valid."""
        start, end = parse_period(request.query_params)
        queryset = self.rows()
        if self.filterset is not None:
            queryset = apply_filterset(self.filterset, queryset, request.query_params)
        if self.list_spec is not None:
            queryset = list_all(queryset, request.query_params, self.list_spec)
        else:
            queryset = queryset.order_by(self.default_order, "-pk")
        return csv_download(self.export.lines(queryset, start=start, end=end), self.export.name)
