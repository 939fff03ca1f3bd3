"""Gateway registry: `get_gateway(name)` returns the adapter for a payment's `gateway` field."""

from django.conf import settings

from payments.gateways.base import (  # noqa: F401 - the public contract
    ChargeRequest,
    ChargeResult,
    Gateway,
    GatewayDeclined,
    GatewayTransientError,
    RefundRequest,
    RefundResult,
)
from payments.gateways.sandbox import SandboxGateway

_OVERRIDES: dict[str, object] = {}


def get_gateway(name: str | None = None) -> Gateway:
    name = name or settings.SETTLE_DEFAULT_GATEWAY
    if name in _OVERRIDES:
        return _OVERRIDES[name]
    if name == "sandbox":
        return SandboxGateway()
    if name == "stripe":
        from payments.gateways.stripe import StripeGateway  # the only importer of the SDK

        return StripeGateway.from_settings()
    raise LookupError(f"Unknown payment gateway {name!r}")


def override_gateway(name: str, gateway) -> None:
    """Tests swap in a gateway (a fake that fails or times out). `None` restores the default."""
    if gateway is None:
        _OVERRIDES.pop(name, None)
    else:
        _OVERRIDES[name] = gateway
