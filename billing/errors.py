"""The application's error vocabulary.

Services raise these; the API maps them to `{"error": {type, code, message,
param}}` with the status below, and forms show `message` next to `param`.
Nothing here is ever a 500.
"""


class SettleError(Exception):
    status = 400
    type = "invalid_request_error"
    default_code = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.param = param

    def as_dict(self) -> dict:
        return {"type": self.type, "code": self.code, "message": self.message, "param": self.param}


class ValidationError(SettleError):
    """Input that can never succeed as given (bad amount, wrong currency, missing field)."""

    default_code = "validation_error"


class InvalidAmount(ValidationError):
    default_code = "invalid_amount"


class CurrencyMismatch(ValidationError):
    default_code = "currency_mismatch"


class InvalidState(SettleError):
    """The document or payment is not in a state that allows the operation."""

    status = 409
    type = "invalid_state_error"
    default_code = "invalid_state"


class LimitExceeded(SettleError):
    """The amount is valid but more than what is available (due, remaining, refundable)."""

    status = 409
    type = "invalid_state_error"
    default_code = "amount_exceeds_available"


class NotFound(SettleError):
    status = 404
    type = "not_found_error"
    default_code = "resource_missing"


class PermissionDenied(SettleError):
    status = 403
    type = "permission_error"
    default_code = "permission_denied"


class Conflict(SettleError):
    """Someone else is changing the same documents right now; retrying is safe."""

    status = 409
    type = "conflict_error"
    default_code = "concurrent_update"


class GatewayError(SettleError):
    """The payment gateway could not be reached or failed; the charge may be retried."""

    status = 502
    type = "api_error"
    default_code = "gateway_unavailable"
