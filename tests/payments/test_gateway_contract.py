"""Every gateway implements the whole contract of `payments/gateways/base.py`."""

import pytest

from payments.gateways.base import CardVault, Gateway, GatewayDeclined
from payments.gateways.sandbox import SandboxGateway
from payments.gateways.stripe import StripeGateway


def _contract(protocol) -> set[str]:
    return {name for name in vars(protocol) if not name.startswith("_")}


@pytest.mark.parametrize("gateway_class", [SandboxGateway, StripeGateway])
def test_gateway_implements_every_method_of_the_contract(gateway_class):
    missing = {
        name
        for name in _contract(Gateway) | _contract(CardVault)
        if not callable(getattr(gateway_class, name, None))
    }

    assert missing == set()


def test_sandbox_setup_returned_to_without_a_card_is_incomplete():
    with pytest.raises(GatewayDeclined) as declined:
        SandboxGateway().finish_card_setup("sbx_setup_0123456789abcdef0123")

    assert declined.value.code == "setup_incomplete"
