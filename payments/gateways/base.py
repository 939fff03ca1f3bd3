"""The gateway contract: plain data in, plain data out. Gateways never touch the ORM."""

from dataclasses import dataclass, field
from typing import Protocol


class GatewayDeclined(Exception):
    """Final: the card or bank said no. Shown to the person; retrying the same call won't help."""

    def __init__(self, message: str, code: str = "card_declined", reference: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reference = reference


class GatewayTransientError(Exception):
    """The gateway could not answer (timeout, 5xx, network). The outcome is unknown: retry later
    with the same idempotency key, or reconcile."""


@dataclass(frozen=True)
class ChargeRequest:
    amount_minor: int
    currency: str
    payment_method_reference: str
    customer_reference: str
    idempotency_key: str
    description: str = ""
    metadata: dict = field(default_factory=dict)
    return_url: str = ""


@dataclass(frozen=True)
class ChargeResult:
    status: str  # "succeeded" | "requires_action" | "pending" | "failed"
    reference: str
    amount_minor: int
    failure_code: str = ""
    failure_message: str = ""
    next_action_url: str = ""


@dataclass(frozen=True)
class RefundRequest:
    charge_reference: str
    amount_minor: int
    currency: str
    idempotency_key: str
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    status: str  # "succeeded" | "pending" | "failed"
    reference: str
    amount_minor: int
    failure_message: str = ""


class Gateway(Protocol):
    name: str
    label: str

    def charge(self, request: ChargeRequest) -> ChargeResult: ...

    def retrieve_charge(self, reference: str) -> ChargeResult: ...

    def refund(self, request: RefundRequest) -> RefundResult: ...

    def retrieve_refund(self, reference: str) -> RefundResult: ...
