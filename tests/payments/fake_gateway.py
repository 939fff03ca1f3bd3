"""A sandbox gateway whose calls can be made to time out or decline, for the failure paths."""

from contextlib import contextmanager

from payments.gateways import override_gateway
from payments.gateways.sandbox import SandboxGateway


class FakeGateway(SandboxGateway):
    """Behaves like the sandbox unless told to raise on `charge`, `retrieve_charge`, `refund`
    or `cancel_charge`; records the calls that move or stop money."""

    def __init__(
        self, *, charge_error=None, retrieve_error=None, refund_error=None, cancel_error=None
    ):
        self.charge_error = charge_error
        self.retrieve_error = retrieve_error
        self.refund_error = refund_error
        self.cancel_error = cancel_error
        self.charges = []
        self.refunds = []
        self.confirmations = []
        self.cancellations = []

    def charge(self, request):
        self.charges.append(request)
        if self.charge_error is not None:
            raise self.charge_error
        return super().charge(request)

    def retrieve_charge(self, reference):
        if self.retrieve_error is not None:
            raise self.retrieve_error
        return super().retrieve_charge(reference)

    def confirm_authentication(self, reference, *, approve):
        self.confirmations.append(reference)
        return super().confirm_authentication(reference, approve=approve)

    def cancel_charge(self, reference, *, idempotency_key, reason="abandoned"):
        self.cancellations.append((reference, reason))
        if self.cancel_error is not None:
            raise self.cancel_error
        return super().cancel_charge(reference, idempotency_key=idempotency_key, reason=reason)

    def refund(self, request):
        self.refunds.append(request)
        if self.refund_error is not None:
            raise self.refund_error
        return super().refund(request)


@contextmanager
def using_gateway(gateway, name: str = "sandbox"):
    """Route payments of gateway `name` to `gateway` for the block."""
    override_gateway(name, gateway)
    try:
        yield gateway
    finally:
        override_gateway(name, None)
