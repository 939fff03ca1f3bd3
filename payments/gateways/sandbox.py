"""The sandbox gateway: Stripe test-mode behaviour, offline, storing nothing sensitive.

Cards are identified by Stripe's published test tokens (`pm_card_visa`, …) or
test numbers. Outcomes are a pure function of the card and the idempotency
key, so a repeated call returns the same result and a lookup by reference can
rebuild it: exactly the guarantees the real gateway gives us.
"""

import hashlib

from payments.gateways.base import (
    CardDetails,
    CardSetup,
    ChargeRequest,
    ChargeResult,
    CustomerRequest,
    GatewayDeclined,
    RefundRequest,
    RefundResult,
)

# Stripe's published test card numbers -> (token, brand, behaviour).
TEST_CARDS: dict[str, tuple[str, str, str]] = {
    "4242424242424242": ("pm_card_visa", "visa", "succeeds"),
    "5555555555554444": ("pm_card_mastercard", "mastercard", "succeeds"),
    "378282246310005": ("pm_card_amex", "amex", "succeeds"),
    "4000000000000002": ("pm_card_chargeDeclined", "visa", "card_declined"),
    "4000000000009995": ("pm_card_chargeDeclinedInsufficientFunds", "visa", "insufficient_funds"),
    "4000000000000069": ("pm_card_chargeDeclinedExpiredCard", "visa", "expired_card"),
    "4000002760003184": ("pm_card_authenticationRequired", "visa", "authentication_required"),
}
BEHAVIOUR_BY_TOKEN = {token: behaviour for token, _brand, behaviour in TEST_CARDS.values()}
CARD_BY_TOKEN = {token: (number, brand) for number, (token, brand, _b) in TEST_CARDS.items()}
DECLINE_MESSAGES = {
    "card_declined": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
}

# Sandbox references encode what a lookup needs: sbx_ch_<status>_<amount>_<digest>.
_STATUS_CODES = {"succeeded": "s", "requires_action": "a", "failed": "f"}
_CODE_STATUS = {code: status for status, code in _STATUS_CODES.items()}


def card_for_number(number: str) -> tuple[str, str, str] | None:
    return TEST_CARDS.get("".join(ch for ch in number if ch.isdigit()))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def authentication_url(reference: str) -> str:
    return f"/portal/sandbox/authenticate/{reference}"


class SandboxGateway:
    name = "sandbox"
    label = "Sandbox"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        behaviour = BEHAVIOUR_BY_TOKEN.get(request.payment_method_reference, "card_declined")
        status = {"succeeds": "succeeded", "authentication_required": "requires_action"}.get(
            behaviour, "failed"
        )
        reference = (
            f"sbx_ch_{_STATUS_CODES[status]}_{request.amount_minor}_"
            f"{_digest(request.idempotency_key)}"
        )
        if status == "failed":
            raise GatewayDeclined(DECLINE_MESSAGES[behaviour], code=behaviour, reference=reference)
        return ChargeResult(
            status=status,
            reference=reference,
            amount_minor=request.amount_minor,
            next_action_url=authentication_url(reference) if status == "requires_action" else "",
        )

    def retrieve_charge(self, reference: str) -> ChargeResult:
        _, _, code, amount, _ = reference.split("_", 4)
        status = _CODE_STATUS[code]
        return ChargeResult(
            status=status,
            reference=reference,
            amount_minor=int(amount),
            failure_code="card_declined" if status == "failed" else "",
            next_action_url=authentication_url(reference) if status == "requires_action" else "",
        )

    def confirm_authentication(self, reference: str, *, approve: bool) -> ChargeResult:
        """The sandbox stand-in for 3-D Secure: the card holder approves or refuses."""
        _, _, _code, amount, digest = reference.split("_", 4)
        if not approve:
            raise GatewayDeclined(
                "The card holder did not authenticate the payment.", code="authentication_failed"
            )
        return ChargeResult(
            status="succeeded", reference=f"sbx_ch_s_{amount}_{digest}", amount_minor=int(amount)
        )

    def refund(self, request: RefundRequest) -> RefundResult:
        return RefundResult(
            status="succeeded",
            reference=f"sbx_re_{request.amount_minor}_{_digest(request.idempotency_key)}",
            amount_minor=request.amount_minor,
        )

    def retrieve_refund(self, reference: str) -> RefundResult:
        _, _, amount, _ = reference.split("_", 3)
        return RefundResult(status="succeeded", reference=reference, amount_minor=int(amount))

    def list_refunds(self, charge_reference: str) -> list[RefundResult]:
        return []

    # --- the member portal's card vault: nothing sensitive is kept, test cards only -----------

    def ensure_customer(self, request: CustomerRequest) -> str:
        return ""  # the sandbox needs no customer object

    def start_card_setup(
        self,
        *,
        customer_reference: str,
        success_url: str,
        cancel_url: str,
        metadata: dict,
        idempotency_key: str,
    ) -> CardSetup:
        reference = f"sbx_setup_{_digest(idempotency_key)}"
        return CardSetup(reference=reference, url=f"/portal/sandbox/card/{reference}")

    def finish_card_setup(self, reference: str) -> CardDetails:
        """Stripe's answer for a setup whose page was not completed.

        The sandbox card page saves the card itself when the member submits it
        (`card_from_test_number`); nothing else completes a sandbox setup, so a
        return to the card-added URL means no card was entered.
        """
        raise GatewayDeclined(
            "no card was entered on the sandbox card page.", code="setup_incomplete"
        )

    def card_from_test_number(self, number: str, exp_month: int, exp_year: int) -> CardDetails:
        """What the sandbox card page saves: the test card's token, never its number."""
        card = card_for_number(number)
        if card is None:
            raise GatewayDeclined(
                "The sandbox accepts only Stripe's published test card numbers.",
                code="invalid_number",
            )
        token, brand, _behaviour = card
        digits = "".join(ch for ch in number if ch.isdigit())
        return CardDetails(
            reference=token, brand=brand, last4=digits[-4:], exp_month=exp_month, exp_year=exp_year
        )

    def retrieve_payment_method(self, reference: str) -> CardDetails:
        number, brand = CARD_BY_TOKEN.get(reference, ("0000", "card"))
        return CardDetails(
            reference=reference, brand=brand, last4=number[-4:], exp_month=12, exp_year=2034
        )

    def list_payment_methods(self, customer_reference: str) -> list[CardDetails]:
        return []

    def detach_payment_method(self, reference: str, *, idempotency_key: str) -> None:
        return None

    def confirm_charge(
        self,
        reference: str,
        *,
        payment_method_reference: str,
        return_url: str,
        idempotency_key: str,
    ) -> ChargeResult:
        return self.retrieve_charge(reference)

    def cancel_charge(
        self, reference: str, *, idempotency_key: str, reason: str = "abandoned"
    ) -> ChargeResult:
        current = self.retrieve_charge(reference)
        if current.status != "requires_action":
            return current
        return ChargeResult(
            status="canceled", reference=reference, amount_minor=current.amount_minor
        )
