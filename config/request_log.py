"""One log line per request, and a request id on every log record.

`RequestLogMiddleware` (first in `MIDDLEWARE`) takes the caller's `X-Request-ID`
when it is a safe token (a proxy or load balancer may set one) or makes a new
one, answers it in the `X-Request-ID` header, keeps it in a context variable
for the duration of the request, and logs one line when the response is
ready: method, path, status and latency. `RequestIdFilter` copies the id onto
every record, so a service's log lines carry the id of the request that
caused them.

The path is logged without its query string (a gateway's return URL carries
a client secret there) and with secret path arguments (a password-reset
token) masked.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

logger = logging.getLogger("settle.request")

HEADER = "X-Request-ID"
# Letters, digits and - _ . : only, up to 128 characters: nothing that could forge a log line.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# URL arguments that are secrets and must never reach a log.
SECRET_URL_ARGUMENTS = frozenset({"token", "uidb64"})
NO_REQUEST = "-"

request_id_var: ContextVar[str] = ContextVar("settle_request_id", default=NO_REQUEST)


def current_request_id() -> str:
    return request_id_var.get()


def request_id_from(incoming: str | None) -> str:
    """The caller's id if it is a safe token, else a fresh one."""
    if incoming and SAFE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def loggable_path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_ARGUMENTS and value:
                path = path.replace(str(value), "…")
    return path


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[HEADER] = request_id
            path = loggable_path(request)
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id_var.reset(token)
