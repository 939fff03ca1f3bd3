"""Stripe through the official SDK. The only module of Settle that imports `stripe`.

- One `StripeClient` per (key, base, timeout): explicit timeouts, no SDK retries
  (`max_network_retries=0`): we retry ourselves, later, with the same idempotency key.
- Every mutating call carries an idempotency key derived from our row id
  (`settle_<id>`) and our ids in `metadata`, so a replay after a timeout finds
  the first PaymentIntent instead of charging again.
- Errors become our two kinds: `GatewayDeclined` (final, shown to the person)
  and `GatewayTransientError` (unknown outcome: reconcile later).
"""

import dataclasses
import functools
import json
import logging

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from payments.gateways.base import (
    CardDetails,
    CardSetup,
    ChargeRequest,
    ChargeResult,
    CustomerRequest,
    GatewayDeclined,
    GatewayTransientError,
    RefundRequest,
    RefundResult,
    WebhookNotAnEvent,
    WebhookRejected,
)
from payments.gateways.stripe_objects import (
    AUTHENTICATION_CODES,
    card_from_payment_method,
    charge_result_from_payment_intent,
    error_code,
    object_id,
    refund_result_from_refund,
)

logger = logging.getLogger(__name__)
WEBHOOK_TOLERANCE_SECONDS = 300


@functools.lru_cache(maxsize=4)
def stripe_client(api_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def _plain(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj or {})


def _metadata(metadata: dict) -> dict:
    return {str(key): str(value) for key, value in (metadata or {}).items()}


def verify_webhook(payload: bytes, signature: str, secret: str | None = None) -> dict:
    """Check `Stripe-Signature` with the SDK's own scheme; return the event as a plain dict.

    Raises WebhookRejected for a missing secret or a bad signature, and its
    subclass WebhookNotAnEvent for a validly signed body that is not an event.
    """
    secret = secret if secret is not None else settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRejected("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).")
    try:
        # The header only: construct_event would also build an SDK object from the body,
        # and fail on a body that is not an event object in ways it does not document.
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(f"Invalid signature: {error.user_message or error}") from error
    except UnicodeDecodeError as error:
        raise WebhookNotAnEvent("The payload is not a Stripe event.") from error
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError) as error:
        raise WebhookNotAnEvent("The payload is not a Stripe event.") from error
    if not is_event(event):
        raise WebhookNotAnEvent("The payload is not a Stripe event.")
    return event


def is_event(event: object) -> bool:
    """The shape every handler relies on: `id` and `type` strings, `data.object` an object."""
    return (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and bool(event["id"])
        and isinstance(event.get("type"), str)
        and bool(event["type"])
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    )


class StripeGateway:
    name = "stripe"
    label = "Stripe"

    def __init__(self, client: stripe.StripeClient):
        self.client = client

    @classmethod
    def from_settings(cls) -> "StripeGateway":
        if not settings.STRIPE_SECRET_KEY:
            raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set; the sandbox gateway is used.")
        return cls(
            stripe_client(
                settings.STRIPE_SECRET_KEY,
                settings.STRIPE_API_BASE,
                float(settings.STRIPE_TIMEOUT_SECONDS),
            )
        )

    # --- error translation ------------------------------------------------------------------

    def _call(self, operation, *args, **kwargs):
        try:
            return operation(*args, **kwargs)
        except stripe.CardError as error:
            raise self._declined(error) from error
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
            # Timeouts, network errors, 429 and 5xx: the outcome is unknown.
            raise GatewayTransientError(
                f"Stripe did not answer: {error.user_message or error}"
            ) from error
        except (stripe.AuthenticationError, stripe.PermissionError) as error:
            logger.error("Stripe refused our credentials: %s", error)
            raise GatewayTransientError(
                "Stripe refused our API key; check STRIPE_SECRET_KEY."
            ) from error
        except stripe.IdempotencyError as error:
            logger.error("idempotency key reused with other parameters: %s", error)
            raise GatewayTransientError("Stripe refused a replayed request.") from error
        except stripe.InvalidRequestError as error:
            # Stripe will never accept these parameters: final, like a decline.
            raise GatewayDeclined(
                error.user_message or "The payment could not be processed.",
                code=error.code or "invalid_request",
            ) from error

    @staticmethod
    def _declined(error: stripe.CardError) -> GatewayDeclined:
        body = (error.json_body or {}).get("error") or {}
        payment_intent = body.get("payment_intent") or {}
        return GatewayDeclined(
            body.get("message") or error.user_message or "Your card was declined.",
            code=error_code(body),
            reference=object_id(payment_intent) or None,
        )

    # --- charges ----------------------------------------------------------------------------

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """An off-session PaymentIntent, or on-session with `return_url` (the member is here)."""
        params = {
            "amount": request.amount_minor,
            "currency": request.currency.lower(),
            "payment_method": request.payment_method_reference,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": _metadata(request.metadata),
        }
        if request.description:
            params["description"] = request.description
        if request.customer_reference:
            params["customer"] = request.customer_reference
        if request.return_url:
            params["return_url"] = request.return_url
        else:
            params["off_session"] = True
        try:
            payment_intent = self._call(
                self.client.v1.payment_intents.create,
                params,
                {"idempotency_key": request.idempotency_key},
            )
        except GatewayDeclined as declined:
            if declined.code in AUTHENTICATION_CODES and declined.reference:
                # Off-session and the bank wants the card holder: not a failure yet.
                return ChargeResult(
                    status="requires_action",
                    reference=declined.reference,
                    amount_minor=request.amount_minor,
                    failure_code=declined.code,
                    failure_message=declined.message,
                )
            raise
        return charge_result_from_payment_intent(_plain(payment_intent))

    def retrieve_charge(self, reference: str) -> ChargeResult:
        payment_intent = self._call(self.client.v1.payment_intents.retrieve, reference)
        return charge_result_from_payment_intent(_plain(payment_intent))

    def confirm_charge(
        self,
        reference: str,
        *,
        payment_method_reference: str,
        return_url: str,
        idempotency_key: str,
    ) -> ChargeResult:
        """Confirm again with the member present, so the bank can ask them to authenticate."""
        current = self.retrieve_charge(reference)
        if current.status != "requires_action" or current.next_action_url:
            return current
        payment_intent = self._call(
            self.client.v1.payment_intents.confirm,
            reference,
            {"payment_method": payment_method_reference, "return_url": return_url},
            {"idempotency_key": idempotency_key},
        )
        return charge_result_from_payment_intent(_plain(payment_intent))

    def cancel_charge(
        self, reference: str, *, idempotency_key: str, reason: str = "abandoned"
    ) -> ChargeResult:
        try:
            payment_intent = self._call(
                self.client.v1.payment_intents.cancel,
                reference,
                {"cancellation_reason": reason},
                {"idempotency_key": idempotency_key},
            )
        except GatewayDeclined:
            return self.retrieve_charge(reference)  # it moved on (succeeded or already canceled)
        return charge_result_from_payment_intent(_plain(payment_intent))

    # --- refunds ----------------------------------------------------------------------------

    def refund(self, request: RefundRequest) -> RefundResult:
        refund = self._call(
            self.client.v1.refunds.create,
            {
                "payment_intent": request.charge_reference,
                "amount": request.amount_minor,
                "metadata": _metadata(request.metadata),
            },
            {"idempotency_key": request.idempotency_key},
        )
        return refund_result_from_refund(_plain(refund))

    def retrieve_refund(self, reference: str) -> RefundResult:
        return refund_result_from_refund(
            _plain(self._call(self.client.v1.refunds.retrieve, reference))
        )

    def list_refunds(self, charge_reference: str) -> list[RefundResult]:
        page = self._call(
            self.client.v1.refunds.list, {"payment_intent": charge_reference, "limit": 100}
        )
        return [
            refund_result_from_refund(_plain(refund))
            for refund in self._call(lambda: list(page.auto_paging_iter()))
        ]

    # --- customers and saved cards ----------------------------------------------------------

    def ensure_customer(self, request: CustomerRequest) -> str:
        customer = self._call(
            self.client.v1.customers.create,
            {
                "name": request.name,
                "email": request.email or None,
                "metadata": _metadata(request.metadata),
            },
            {"idempotency_key": request.idempotency_key},
        )
        return customer.id

    def start_card_setup(
        self,
        *,
        customer_reference: str,
        success_url: str,
        cancel_url: str,
        metadata: dict,
        idempotency_key: str,
    ) -> CardSetup:
        """A Checkout Session in setup mode: Stripe's page collects the card, never our server."""
        session = self._call(
            self.client.v1.checkout.sessions.create,
            {
                "mode": "setup",
                "customer": customer_reference,
                "payment_method_types": ["card"],
                "success_url": success_url,
                "cancel_url": cancel_url,
                "metadata": _metadata(metadata),
                "setup_intent_data": {"metadata": _metadata(metadata)},
            },
            {"idempotency_key": idempotency_key},
        )
        return CardSetup(reference=session.id, url=session.url)

    def finish_card_setup(self, reference: str) -> CardDetails:
        session = _plain(
            self._call(
                self.client.v1.checkout.sessions.retrieve,
                reference,
                {"expand": ["setup_intent.payment_method"]},
            )
        )
        setup_intent = session.get("setup_intent") or {}
        if session.get("status") != "complete" or not isinstance(setup_intent, dict):
            raise GatewayDeclined("The card was not saved.", code="setup_incomplete")
        if setup_intent.get("status") != "succeeded":
            raise GatewayDeclined("The card was not saved.", code="setup_incomplete")
        payment_method = setup_intent.get("payment_method")
        if not isinstance(payment_method, dict):
            return self.retrieve_payment_method(object_id(payment_method))
        details = card_from_payment_method(payment_method)
        if details.customer_reference:
            return details
        return dataclasses.replace(details, customer_reference=object_id(session.get("customer")))

    def retrieve_payment_method(self, reference: str) -> CardDetails:
        return card_from_payment_method(
            _plain(self._call(self.client.v1.payment_methods.retrieve, reference))
        )

    def list_payment_methods(self, customer_reference: str) -> list[CardDetails]:
        page = self._call(
            self.client.v1.payment_methods.list,
            {"customer": customer_reference, "type": "card", "limit": 100},
        )
        return [card_from_payment_method(_plain(method)) for method in page.data]

    def detach_payment_method(self, reference: str, *, idempotency_key: str) -> None:
        try:
            self._call(
                self.client.v1.payment_methods.detach,
                reference,
                None,
                {"idempotency_key": idempotency_key},
            )
        except GatewayDeclined as error:
            # Already detached (or deleted) at Stripe: the outcome we wanted.
            logger.info("payment method %s was already detached: %s", reference, error.message)
