"""One error format for every API error: `{"error": {"type", "code", "message", "param"}}`."""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, DataError, OperationalError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from rest_framework import exceptions, status
from rest_framework.response import Response

from billing.errors import SettleError

logger = logging.getLogger(__name__)


def error_body(type_: str, code: str, message: str, param: str | None = None) -> dict:
    return {"error": {"type": type_, "code": code, "message": message, "param": param}}


def _first_detail(detail, prefix: str = "") -> tuple[str | None, str, str]:
    """Flatten DRF's nested validation detail into (param, code, message) of the first problem."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # an item of a list: `items[0].price`, as services name it
                path = f"{prefix}[{key}]"
            elif key == "non_field_errors":
                path = prefix
            else:
                path = f"{prefix}.{key}".strip(".")
            return _first_detail(value, path)
    if isinstance(detail, list) and detail:
        return _first_detail(detail[0], prefix)
    code = getattr(detail, "code", "invalid") or "invalid"
    return prefix or None, str(code), str(detail)


_DRF_TYPES = {
    exceptions.NotAuthenticated: ("authentication_error", "missing_api_key"),
    exceptions.AuthenticationFailed: ("authentication_error", "invalid_api_key"),
    exceptions.PermissionDenied: ("permission_error", "permission_denied"),
    exceptions.NotFound: ("not_found_error", "resource_missing"),
    exceptions.MethodNotAllowed: ("invalid_request_error", "method_not_allowed"),
    exceptions.NotAcceptable: ("invalid_request_error", "not_acceptable"),
    exceptions.UnsupportedMediaType: ("invalid_request_error", "unsupported_media_type"),
    exceptions.ParseError: ("invalid_request_error", "malformed_json"),
    exceptions.Throttled: ("rate_limit_error", "rate_limited"),
}


def api_exception_handler(exc, context):
    """Map every exception a view can raise to our format; unknown ones are logged, never leaked."""
    if isinstance(exc, SettleError):
        return Response({"error": exc.as_dict()}, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such resource.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        param, code, message = _first_detail(exc.detail)
        return Response(
            error_body("invalid_request_error", code, message, param),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.APIException):
        type_, code = next(
            (value for cls, value in _DRF_TYPES.items() if isinstance(exc, cls)),
            ("api_error", "api_error"),
        )
        headers = {}
        message = str(exc.detail)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            message, headers["Retry-After"] = _retry_after(exc.wait)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return Response(error_body(type_, code, message), status=exc.status_code, headers=headers)
    if isinstance(exc, OperationalError) and _is_lock_conflict(exc):
        return Response(
            error_body(
                "conflict_error",
                "concurrent_update",
                "The documents are being changed by another request; retry shortly.",
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DataError) and _sqlstate(exc) == NUMERIC_VALUE_OUT_OF_RANGE:
        # A valid amount that takes a stored total past what the columns hold: the
        # client's numbers, not our database, so a 400 instead of a retryable 503.
        return Response(
            error_body(
                "invalid_request_error",
                "amount_too_large",
                "The amounts would take a total to 10^13 or more, beyond what can be "
                "stored; nothing was changed.",
            ),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DatabaseError):
        logger.exception("database error in API view")
        return Response(
            error_body(
                "api_error",
                "database_unavailable",
                "The database could not complete the request; nothing was changed.",
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "1"},
        )
    return None


def _retry_after(wait: float) -> tuple[str, str]:
    """The 429 message and its `Retry-After`, from one whole number of seconds.

    Rounded up (and at least 1) so that a client waiting exactly that long is
    let through, and computed once so the header and the text never disagree.
    """
    seconds = max(1, math.ceil(wait))
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many requests for this API key; retry in {seconds} {unit}.", str(seconds)


NUMERIC_VALUE_OUT_OF_RANGE = "22003"


def _sqlstate(exc: DatabaseError) -> str | None:
    return getattr(getattr(exc, "__cause__", None), "sqlstate", None)


def _is_lock_conflict(exc: OperationalError) -> bool:
    sqlstate = _sqlstate(exc)
    # 55P03 lock_not_available, 40P01 deadlock_detected, 40001 serialization_failure
    return sqlstate in {"55P03", "40P01", "40001"} or "database is locked" in str(exc)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def api_not_found(request, exception=None):
    """404 for unknown URLs: our JSON error under /api/, Django's page elsewhere."""
    if _wants_json(request):
        body = error_body(
            "invalid_request_error",
            "unknown_url",
            f"No such endpoint: {request.method} {request.path}",
        )
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """A bug is still answered in our format, without a stack trace."""
    if _wants_json(request):
        body = error_body(
            "api_error",
            "internal_error",
            "Something went wrong on our side; nothing was changed. "
            "It is safe to retry with the same Idempotency-Key.",
        )
        return JsonResponse(body, status=500)
    return django_server_error(request)
