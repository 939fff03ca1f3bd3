"""OpenAPI pieces shared by every endpoint: the error format, list parameters, the envelope."""

import functools

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    type = serializers.CharField(
        help_text="invalid_request_error, authentication_error, "
        "not_found_error, invalid_state_error, conflict_error, "
        "rate_limit_error, api_error…"
    )
    code = serializers.CharField(help_text="Machine-readable, e.g. amount_exceeds_due.")
    message = serializers.CharField(help_text="For people.")
    param = serializers.CharField(allow_null=True, help_text="The offending parameter, if any.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# Errors are JSON on every endpoint, the CSV export included: the media type is explicit.
ERROR_RESPONSES = {
    (400, "application/json"): OpenApiResponse(
        ErrorSerializer, description="Invalid request; nothing changed."
    ),
    (401, "application/json"): OpenApiResponse(
        ErrorSerializer, description="Missing or invalid API key."
    ),
    (404, "application/json"): OpenApiResponse(
        ErrorSerializer, description="No such object for this entity."
    ),
    (409, "application/json"): OpenApiResponse(
        ErrorSerializer,
        description="The state does not allow it, or a "
        "concurrent request holds the same Idempotency-Key.",
    ),
    (429, "application/json"): OpenApiResponse(
        ErrorSerializer, description="Rate limited; see Retry-After."
    ),
}

LIST_PARAMETERS = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
        description="Number of results (1–100). Default: 10",
    ),
    OpenApiParameter(
        "next_cursor",
        str,
        description="Cursor to fetch the next page: "
        "pagination.next_cursor of the previous response.",
    ),
    OpenApiParameter(
        "prev_cursor",
        str,
        description="Cursor to fetch the previous page: "
        "pagination.prev_cursor of the previous response.",
    ),
    OpenApiParameter(
        "include_total_count",
        bool,
        description="Include pagination.total (default true); false returns -1 and is faster.",
    ),
    OpenApiParameter(
        "order_by", str, description="A field, prefixed with - for descending; the id breaks ties."
    ),
    OpenApiParameter(
        "query",
        str,
        description="JSON filter, MongoDB-style operators: equals, "
        "gte, lte, gt, lt, in, notIn, contains, startsWith, endsWith, between. "
        'Example: {"date": {"between": ["2025-01-01", "2025-12-31"]}}',
    ),
    OpenApiParameter(
        "search",
        str,
        description="Case-insensitive partial match across text fields and metadata values.",
    ),
]


class PaginationSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="-1 when include_total_count=false")
    next_cursor = serializers.CharField(allow_null=True)
    prev_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField(
        help_text="True exactly when next_cursor is set: a page follows this one"
    )


@functools.cache
def list_envelope(item_serializer):
    return inline_serializer(
        name=f"{item_serializer.__name__.removesuffix('Serializer')}List",
        fields={"data": item_serializer(many=True), "pagination": PaginationSerializer()},
    )
