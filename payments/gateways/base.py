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


class WebhookRejected(Exception):
    """An inbound webhook whose signature (or payload) does not check out: answer 400."""


class WebhookNotAnEvent(WebhookRejected):
    """A validly signed body that is not an event (not JSON, not an object, no `data`…)."""


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
    status: str  # "succeeded" | "pending" | "failed" | "canceled"
    reference: str
    amount_minor: int
    failure_message: str = ""
    charge_reference: str = ""  # the charge (PaymentIntent) it refunds, when the gateway says
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CardDetails:
    """A card kept at the gateway, as we may store it: a reference and display details only."""

    reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    customer_reference: str = ""


@dataclass(frozen=True)
class CardSetup:
    """Where to send a member so the gateway (not us) collects a new card."""

    reference: str
    url: str


@dataclass(frozen=True)
class CustomerRequest:
    name: str
    email: str
    idempotency_key: str
    metadata: dict = field(default_factory=dict)


class Gateway(Protocol):
    name: str
    label: str

    def charge(self, request: ChargeRequest) -> ChargeResult: ...

    def retrieve_charge(self, reference: str) -> ChargeResult: ...

    def refund(self, request: RefundRequest) -> RefundResult: ...

    def retrieve_refund(self, reference: str) -> RefundResult: ...


class CardVault(Protocol):
    """What the member portal needs besides charging: customers and their saved cards."""

    def ensure_customer(self, request: CustomerRequest) -> str: ...

    def start_card_setup(
        self,
        *,
        customer_reference: str,
        success_url: str,
        cancel_url: str,
        metadata: dict,
        idempotency_key: str,
    ) -> CardSetup: ...

    def finish_card_setup(self, reference: str) -> CardDetails: ...

    def retrieve_payment_method(self, reference: str) -> CardDetails: ...

    def list_payment_methods(self, customer_reference: str) -> list[CardDetails]: ...

    def detach_payment_method(self, reference: str, *, idempotency_key: str) -> None: ...

    def confirm_charge(
        self,
        reference: str,
        *,
        payment_method_reference: str,
        return_url: str,
        idempotency_key: str,
    ) -> ChargeResult: ...

    def cancel_charge(
        self, reference: str, *, idempotency_key: str, reason: str = "abandoned"
    ) -> ChargeResult: ...

    def list_refunds(self, charge_reference: str) -> list[RefundResult]: ...
